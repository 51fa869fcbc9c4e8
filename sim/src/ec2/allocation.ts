export type AllocationStrategy =
  | 'lowest-price'
  | 'capacity-optimized'
  | 'capacity-optimized-prioritized'
  | 'price-capacity-optimized'
  | 'diversified'
  | 'prioritized';

export const SPOT_STRATEGIES: readonly AllocationStrategy[] = [
  'lowest-price',
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'price-capacity-optimized',
  'diversified',
];
export const ON_DEMAND_STRATEGIES: readonly AllocationStrategy[] = ['lowest-price', 'prioritized'];

export interface CandidatePool<T = unknown> {
  price: number;
  /** Free instances in the pool now. */
  available: number;
  /** Lower is preferred (EC2 Fleet's override Priority); Infinity when unset. */
  priority: number;
  /** Capacity units one instance provides. */
  weight: number;
  ref: T;
}

export interface Allocation<T> {
  launches: Array<{ pool: CandidatePool<T>; count: number }>;
  /** Pools the strategy reached while capacity was still needed but that had none free. */
  exhausted: CandidatePool<T>[];
  unitsPlaced: number;
}

/**
 * A pool counts as "high capacity" for price-capacity-optimized when it has at least
 * this share of the best pool's free capacity.
 */
export const HIGH_CAPACITY_SHARE = 0.5;

const byPrice = <T>(a: CandidatePool<T>, b: CandidatePool<T>) => a.price - b.price;
const byCapacity = <T>(a: CandidatePool<T>, b: CandidatePool<T>) => b.available - a.available || a.price - b.price;

/**
 * The order in which a strategy draws from pools, following EC2 Fleet's documented
 * behaviour:
 * - lowest-price: cheapest pools first.
 * - capacity-optimized: pools with the most free capacity first.
 * - capacity-optimized-prioritized: pools that can take the whole request, by priority;
 *   then the rest by free capacity (priorities are honoured on a best-effort basis).
 * - price-capacity-optimized: among pools with high free capacity (≥ HIGH_CAPACITY_SHARE
 *   of the best pool's), the cheapest first; then the remaining pools by price.
 * - prioritized (on-demand): by priority, then by the order the overrides were given.
 * - diversified: handled by `allocate` as round-robin over all pools.
 */
export function orderPools<T>(pools: readonly CandidatePool<T>[], strategy: AllocationStrategy, unitsNeeded: number): CandidatePool<T>[] {
  const list = [...pools];
  switch (strategy) {
    case 'lowest-price':
    case 'diversified':
      return list.sort(byPrice);
    case 'capacity-optimized':
      return list.sort(byCapacity);
    case 'capacity-optimized-prioritized': {
      const fits = list.filter((p) => p.available * p.weight >= unitsNeeded).sort((a, b) => a.priority - b.priority || byCapacity(a, b));
      return [...fits, ...list.filter((p) => !fits.includes(p)).sort(byCapacity)];
    }
    case 'price-capacity-optimized': {
      const best = Math.max(0, ...list.map((p) => p.available));
      const high = list.filter((p) => best > 0 && p.available >= HIGH_CAPACITY_SHARE * best).sort(byPrice);
      return [...high, ...list.filter((p) => !high.includes(p)).sort(byPrice)];
    }
    case 'prioritized':
      return list.sort((a, b) => a.priority - b.priority);
  }
}

/**
 * Places `units` of capacity: fills pools in strategy order (or round-robin for
 * diversified, and over the `poolsToUse` cheapest for lowest-price).
 */
export function allocate<T>(
  pools: readonly CandidatePool<T>[],
  strategy: AllocationStrategy,
  units: number,
  poolsToUse = 1,
): Allocation<T> {
  const ordered = orderPools(pools, strategy, units);
  const counts = new Map<CandidatePool<T>, number>();
  const exhausted: CandidatePool<T>[] = [];
  let remaining = units;
  const free = (p: CandidatePool<T>) => p.available - (counts.get(p) ?? 0);
  const take = (p: CandidatePool<T>, n: number) => {
    counts.set(p, (counts.get(p) ?? 0) + n);
    remaining -= n * p.weight;
  };

  const spread =
    strategy === 'diversified'
      ? ordered
      : strategy === 'lowest-price' && poolsToUse > 1
        ? ordered.filter((p) => p.available > 0).slice(0, poolsToUse)
        : [];
  for (let progress = true; remaining > 0 && progress; ) {
    progress = false;
    for (const p of spread) {
      if (remaining <= 0) break;
      if (free(p) > 0) {
        take(p, 1);
        progress = true;
      }
    }
  }
  for (const p of ordered) {
    if (remaining <= 0) break;
    const n = Math.min(free(p), Math.ceil(remaining / p.weight));
    if (n <= 0) {
      if (!counts.has(p)) exhausted.push(p);
      continue;
    }
    take(p, n);
  }
  const launches = ordered.filter((p) => counts.has(p)).map((pool) => ({ pool, count: counts.get(pool) ?? 0 }));
  return { launches, exhausted, unitsPlaced: launches.reduce((sum, l) => sum + l.count * l.pool.weight, 0) };
}
