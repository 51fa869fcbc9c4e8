import type { Rng } from '../core/rng.ts';
import { poolKey } from './price-history.ts';
import { type PricePoint, PriceSeries } from './price-series.ts';

/**
 * The built-in price model, used for pools without recorded history.
 *
 * Per pool, x = ln(price / mean) follows an Ornstein–Uhlenbeck process sampled every
 * `stepMs`: x' = x·e^(−θΔ) + σ_stat·√(1 − e^(−2θΔ))·Z, whose stationary spread is σ_stat.
 * `mean` is a pool-specific fraction of on-demand drawn uniformly from `meanFraction`.
 * With probability `spikeProbabilityPerStep` a step adds ln(U(spikeMultiplier)) to x — a
 * spike that then decays at the reversion rate, the way scarce capacity reprices a pool.
 * The price never exceeds on-demand (AWS caps spot at on-demand since 2017).
 *
 * AWS prices move in occasional small steps, not every few minutes, so a change is
 * published only when the latent price moves more than `publishThreshold` (relative)
 * away from the last published one; published prices are rounded to 4 decimals.
 *
 * Each pool draws from its own stream `rng.fork('price:' + type + ':' + az)` and is
 * computed by stepping forward from `startMs`, caching every step: a price depends only
 * on the seed, the pool and t — never on which pools or instants were asked first.
 */
export interface StochasticPriceOptions {
  startMs: number;
  stepMs: number;
  meanFraction: readonly [number, number];
  reversionPerHour: number;
  stationaryStdDev: number;
  spikeProbabilityPerStep: number;
  spikeMultiplier: readonly [number, number];
  publishThreshold: number;
}

export const DEFAULT_STOCHASTIC_OPTIONS: Omit<StochasticPriceOptions, 'startMs'> = {
  stepMs: 5 * 60_000,
  meanFraction: [0.25, 0.45],
  // Half-life of a deviation ≈ 8 hours.
  reversionPerHour: Math.LN2 / 8,
  stationaryStdDev: 0.08,
  // About one spike per pool per ten days.
  spikeProbabilityPerStep: 1 / 2880,
  spikeMultiplier: [1.5, 3],
  publishThreshold: 0.01,
};

interface PoolState {
  rng: Rng;
  mean: number;
  cap: number;
  x: number;
  published: number;
  /** Steps computed so far (step k covers [startMs + k·stepMs, +stepMs)). */
  steps: number;
  series: PriceSeries;
}

export class StochasticPrices {
  private readonly options: StochasticPriceOptions;
  private readonly pools = new Map<string, PoolState>();

  constructor(
    private readonly rng: Rng,
    private readonly onDemandPrice: (instanceType: string) => number | undefined,
    options: Partial<StochasticPriceOptions> & { startMs: number },
  ) {
    this.options = { ...DEFAULT_STOCHASTIC_OPTIONS, ...options };
  }

  /** Undefined for types without an on-demand price (nothing to anchor the model to). */
  priceAt(instanceType: string, availabilityZone: string, tMs: number): number | undefined {
    return this.seriesUpTo(instanceType, availabilityZone, tMs)?.priceAt(Math.max(tMs, this.options.startMs));
  }

  meanOver(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): number | undefined {
    return this.seriesUpTo(instanceType, availabilityZone, toMs)?.meanOver(fromMs, toMs);
  }

  /** Published changes inside [fromMs, toMs] plus the one in effect at fromMs, oldest first. */
  changesBetween(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): PricePoint[] {
    return this.seriesUpTo(instanceType, availabilityZone, toMs)?.between(fromMs, toMs) ?? [];
  }

  private seriesUpTo(instanceType: string, availabilityZone: string, tMs: number): PriceSeries | undefined {
    const pool = this.pool(instanceType, availabilityZone);
    if (!pool) return undefined;
    const { startMs, stepMs } = this.options;
    const needed = Math.floor((tMs - startMs) / stepMs) + 1;
    while (pool.steps < needed) this.step(pool);
    return pool.series;
  }

  private pool(instanceType: string, availabilityZone: string): PoolState | undefined {
    const key = poolKey(instanceType, availabilityZone);
    const existing = this.pools.get(key);
    if (existing) return existing;
    const onDemand = this.onDemandPrice(instanceType);
    if (onDemand === undefined) return undefined;
    const rng = this.rng.fork(`price:${instanceType}:${availabilityZone}`);
    const [lo, hi] = this.options.meanFraction;
    const mean = onDemand * (lo + (hi - lo) * rng.next());
    const x = this.options.stationaryStdDev * rng.normal();
    const published = round4(Math.min(onDemand, mean * Math.exp(x)));
    const series = new PriceSeries();
    series.append(this.options.startMs, published);
    const pool: PoolState = { rng, mean, cap: onDemand, x, published, steps: 1, series };
    this.pools.set(key, pool);
    return pool;
  }

  private step(pool: PoolState): void {
    const o = this.options;
    const decay = Math.exp((-o.reversionPerHour * o.stepMs) / 3_600_000);
    const z = pool.rng.normal();
    const spikeDraw = pool.rng.next();
    const spikeSize = pool.rng.next();
    pool.x = pool.x * decay + o.stationaryStdDev * Math.sqrt(1 - decay * decay) * z;
    if (spikeDraw < o.spikeProbabilityPerStep) {
      const [lo, hi] = o.spikeMultiplier;
      pool.x += Math.log(lo + (hi - lo) * spikeSize);
    }
    const latent = Math.min(pool.cap, pool.mean * Math.exp(pool.x));
    const t = o.startMs + pool.steps * o.stepMs;
    pool.steps += 1;
    if (Math.abs(latent - pool.published) / pool.published > o.publishThreshold) {
      pool.published = round4(latent);
      pool.series.append(t, pool.published);
    }
  }
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
