import type { SpotMarket } from '../../sim/src/market/spot-market.ts';
import type { PoolInfo } from '../data/replay-data.ts';

interface Entry {
  price: number | undefined;
  fromMs: number;
  untilMs: number;
}

/** How far ahead to look for a pool's next price change when caching its price. */
const LOOKAHEAD_MS = 86_400_000;

/**
 * Spot prices per pool, cached until the pool's next recorded change: recorded prices change
 * a few times a day while the replay asks for every pool every minute. The cache only
 * remembers when the price stops being valid; it never hands out a future price.
 */
export class PriceBook {
  private readonly entries = new Map<PoolInfo, Entry>();

  constructor(private readonly market: SpotMarket) {}

  spot(pool: PoolInfo, tMs: number): number | undefined {
    const e = this.entries.get(pool);
    if (e && tMs >= e.fromMs && tMs < e.untilMs) return e.price;
    const price = this.market.spotPrice(pool.instanceType, pool.zone, tMs);
    const next = this.market.priceChanges(pool.instanceType, pool.zone, tMs, tMs + LOOKAHEAD_MS).find((p) => p.timeMs > tMs);
    this.entries.set(pool, { price, fromMs: tMs, untilMs: next?.timeMs ?? tMs + LOOKAHEAD_MS });
    return price;
  }
}
