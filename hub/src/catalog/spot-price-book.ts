import type { SpotPrice } from '../cloud/cloud-types.ts';
import type { PricePoint } from '../scoring/pool-inputs.ts';

interface PoolSeries {
  /** Oldest first, one point per timestamp. */
  points: PricePoint[];
  /** When a refresh last returned this pool (so its current price was confirmed then). */
  observedAt: number;
}

const key = (instanceType: string, zone: string) => `${instanceType}|${zone}`;

/**
 * Spot price history per pool (type × zone) over a sliding window. Refreshes merge in
 * what DescribeSpotPriceHistory returned; each returned pool counts as observed at the
 * refresh's time, since EC2 returns every pool's price in effect at the query start.
 */
export class SpotPriceBook {
  private readonly pools = new Map<string, PoolSeries>();

  /** Merges a refresh's points (any order); a repeated timestamp keeps the newest answer. */
  merge(prices: readonly SpotPrice[], observedAt: number): void {
    const byPool = new Map<string, SpotPrice[]>();
    for (const p of prices) {
      const k = key(p.instanceType, p.zone);
      const list = byPool.get(k);
      if (list) list.push(p);
      else byPool.set(k, [p]);
    }
    for (const [k, incoming] of byPool) {
      const series = this.pools.get(k) ?? { points: [], observedAt };
      const byTime = new Map(series.points.map((p) => [p.timeMs, p.price]));
      for (const p of incoming) byTime.set(p.timeMs, p.price);
      series.points = [...byTime].map(([timeMs, price]) => ({ timeMs, price })).sort((a, b) => a.timeMs - b.timeMs);
      series.observedAt = Math.max(series.observedAt, observedAt);
      this.pools.set(k, series);
    }
  }

  /** Drops points before `fromMs` except the last one, which is the price in effect at `fromMs`. */
  trim(fromMs: number): void {
    for (const series of this.pools.values()) {
      let first = 0;
      while (first + 1 < series.points.length && (series.points[first + 1] as PricePoint).timeMs <= fromMs) first++;
      if (first > 0) series.points = series.points.slice(first);
    }
  }

  /** The price in effect at `atMs` and when it took effect; undefined when none is known. */
  priceAt(instanceType: string, zone: string, atMs: number): { point: PricePoint; observedAt: number } | undefined {
    const series = this.pools.get(key(instanceType, zone));
    if (!series) return undefined;
    let found: PricePoint | undefined;
    for (const p of series.points) {
      if (p.timeMs > atMs) break;
      found = p;
    }
    return found ? { point: found, observedAt: series.observedAt } : undefined;
  }

  /** Points inside [fromMs, toMs] plus the one in effect at fromMs, oldest first (PoolObservations.priceHistory). */
  history(instanceType: string, zone: string, fromMs: number, toMs: number): PricePoint[] {
    const points = this.pools.get(key(instanceType, zone))?.points ?? [];
    let first = 0;
    while (first + 1 < points.length && (points[first + 1] as PricePoint).timeMs <= fromMs) first++;
    return points.slice(first).filter((p) => p.timeMs <= toMs && (p.timeMs >= fromMs || p === points[first]));
  }

  /** Every pool with prices, as [instanceType, zone]. */
  poolKeys(): Array<[instanceType: string, zone: string]> {
    return [...this.pools.keys()].map((k) => k.split('|') as [string, string]);
  }

  get poolCount(): number {
    return this.pools.size;
  }

  /** The oldest `observedAt` over all pools: how stale the stalest price is. */
  oldestObservedAt(): number | null {
    let oldest: number | null = null;
    for (const s of this.pools.values()) oldest = oldest === null ? s.observedAt : Math.min(oldest, s.observedAt);
    return oldest;
  }
}
