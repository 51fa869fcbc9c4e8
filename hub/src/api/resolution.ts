import { badParameter } from '../errors/api-error.ts';
import { type Aggregation, RESOLUTION_SECONDS, type Resolution } from '../store/metrics-store.ts';
import { RAW_ONLY } from '../store/range-query-sql.ts';

export const RESOLUTION_CHOICES = ['auto', 'raw', '1m', '5m', '1h'] as const;
export type ResolutionChoice = (typeof RESOLUTION_CHOICES)[number];

const FIVE_MINUTES = 300;
const HOUR = 3600;
const DAY = 86_400;

/**
 * The automatic rule. A rollup is used only when the step is a whole number of its buckets
 * (so every step is an exact union of buckets) and the range is long enough that raw
 * samples would be many times more rows than the answer needs:
 *   step ≥ 1h, a multiple of 1h, range > 2 days    → 1h
 *   step ≥ 5m, a multiple of 5m, range > 6 hours   → 5m
 *   step ≥ 1m, a multiple of 1m, range > 6 hours   → 1m
 *   otherwise                                       → raw
 * 5m and 1m answer such a step alike (both cover it exactly); 5m reads a fifth of the rows.
 */
export function autoResolution(rangeSeconds: number, stepSeconds: number): Resolution {
  if (stepSeconds % HOUR === 0 && rangeSeconds > 2 * DAY) return '1h';
  if (stepSeconds % FIVE_MINUTES === 0 && rangeSeconds > 6 * HOUR) return '5m';
  if (stepSeconds % 60 === 0 && rangeSeconds > 6 * HOUR) return '1m';
  return 'raw';
}

/**
 * Applies the rule, or checks an explicit choice. A rollup table that does not exist yet
 * (an older schema) makes `auto` fall back to the next finer resolution, and an explicit
 * request for it a 400. Percentiles always read raw samples: rollups keep no distribution,
 * and a percentile of bucket averages would hide exactly the spikes a p99 is asked for.
 */
export function chooseResolution(
  choice: ResolutionChoice,
  rangeSeconds: number,
  stepSeconds: number,
  available: readonly Resolution[],
  aggregation: Aggregation = 'avg',
): Resolution {
  if (RAW_ONLY.has(aggregation)) {
    if (choice !== 'auto' && choice !== 'raw') {
      throw badParameter('resolution', `${aggregation} is computed from raw samples only; use resolution=raw or auto, not ${choice}`);
    }
    return 'raw';
  }
  if (choice === 'auto') {
    const order: Resolution[] = ['1h', '5m', '1m', 'raw'];
    const wanted = autoResolution(rangeSeconds, stepSeconds);
    return order.slice(order.indexOf(wanted)).find((r) => available.includes(r)) ?? 'raw';
  }
  const bucket = RESOLUTION_SECONDS[choice];
  if (bucket > 0 && stepSeconds % bucket !== 0) {
    throw badParameter('resolution', `${choice} needs a step that is a multiple of ${bucket}s; the step is ${stepSeconds}s`);
  }
  if (!available.includes(choice)) {
    throw badParameter('resolution', `${choice} is not available on this hub (available: ${available.join(', ')})`);
  }
  return choice;
}

/**
 * About 250 points per range. Steps of a minute or more are rounded up to whole minutes, of
 * half an hour or more to whole 5 minutes (at most a sixth fewer points), and of an hour or
 * more to whole hours, so that automatic steps can use the rollups.
 */
export function autoStep(rangeMs: number): number {
  const s = Math.max(1, Math.round(rangeMs / 1000 / 250));
  if (s >= HOUR) return Math.ceil(s / HOUR) * HOUR;
  if (s >= 6 * FIVE_MINUTES) return Math.ceil(s / FIVE_MINUTES) * FIVE_MINUTES;
  if (s >= 60) return Math.ceil(s / 60) * 60;
  return s;
}
