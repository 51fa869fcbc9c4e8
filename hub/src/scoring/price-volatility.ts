import { finite, nonNegative } from './checks.ts';
import type { PricePoint } from './pool-inputs.ts';
import { invalidInput } from './scoring-error.ts';

export interface PriceVolatility {
  /** The window actually covered: from max(window start, first point) to now. */
  fromMs: number;
  toMs: number;
  /** Time-weighted mean spot price over the covered window, USD/hour. */
  meanPrice: number;
  /** Time-weighted standard deviation, USD/hour. */
  stdDevPrice: number;
  /** stdDev / mean; 0 when the mean is 0. */
  coefficientOfVariation: number;
  /** Price changes strictly inside (fromMs, toMs]. */
  changes: number;
}

/**
 * How much the spot price moved over [windowStartMs, nowMs]. The history is a step
 * function (each point holds until the next), so the mean and variance are time-weighted:
 * a price that held for a minute counts a minute. Two passes (mean, then squared
 * deviations) rather than E[p²] − E[p]², which cancels badly for near-constant prices.
 *
 * The coefficient of variation is scale-free, so a $3 and a $0.03 pool compare; AWS's
 * post-2017 spot prices move slowly, and a high CV marks a pool whose capacity is tight.
 *
 * Returns null when no point is at or before `nowMs` (nothing is known). Points after
 * `nowMs` are ignored: scoring never looks ahead.
 *
 * Errors (INVALID_INPUT, under `at`): a point with a non-finite time, a negative or
 * non-finite price, or points out of time order.
 */
export function priceVolatility(
  points: readonly PricePoint[],
  windowStartMs: number,
  nowMs: number,
  at = 'priceHistory',
): PriceVolatility | null {
  if (!Array.isArray(points)) throw invalidInput(at, 'must be an array of price points');
  let lastTime = Number.NEGATIVE_INFINITY;
  const usable: PricePoint[] = [];
  points.forEach((p, i) => {
    const t = finite(p?.timeMs, `${at}[${i}].timeMs`);
    const price = nonNegative(p?.price, `${at}[${i}].price`);
    if (t < lastTime) throw invalidInput(`${at}[${i}].timeMs`, 'price points must be oldest first');
    lastTime = t;
    if (t <= nowMs) usable.push({ timeMs: t, price });
  });
  // Only the last point at or before the window start matters before the window.
  let first = 0;
  while (first + 1 < usable.length && (usable[first + 1] as PricePoint).timeMs <= windowStartMs) first++;
  const kept = usable.slice(first);
  const head = kept[0];
  if (head === undefined) return null;
  const fromMs = Math.max(windowStartMs, head.timeMs);
  const toMs = nowMs;
  const segments = kept.map((p, i) => {
    const start = Math.max(fromMs, p.timeMs);
    const end = i + 1 < kept.length ? (kept[i + 1] as PricePoint).timeMs : toMs;
    return { price: p.price, ms: Math.max(0, end - start) };
  });
  const total = segments.reduce((s, g) => s + g.ms, 0);
  const changes = kept.filter((p) => p.timeMs > fromMs).length;
  if (total === 0) {
    // The only price is one set exactly now: known, but it has not moved yet.
    const price = (kept[kept.length - 1] as PricePoint).price;
    return { fromMs, toMs, meanPrice: price, stdDevPrice: 0, coefficientOfVariation: 0, changes };
  }
  const meanPrice = segments.reduce((s, g) => s + g.price * g.ms, 0) / total;
  const variance = segments.reduce((s, g) => s + (g.price - meanPrice) ** 2 * g.ms, 0) / total;
  const stdDevPrice = Math.sqrt(variance);
  return { fromMs, toMs, meanPrice, stdDevPrice, coefficientOfVariation: meanPrice > 0 ? stdDevPrice / meanPrice : 0, changes };
}
