import type { PoolInfo } from '../data/replay-data.ts';

export interface PodShape {
  cpuMillis: number;
  memoryMib: number;
}

export interface SlotPrice {
  poolId: string;
  /** Pods of the shape one node holds (capacity minus overhead). */
  podsPerNode: number;
  /** Time-weighted mean USD/hour of a node over the window. */
  meanPricePerHour: number;
  /** meanPricePerHour ÷ podsPerNode. */
  perPodHour: number;
}

export interface SavingsCeiling {
  /** Cheapest USD per pod-hour on spot with perfect packing, every pod in the single best pool. */
  bestSpot: SlotPrice;
  /** The same with no pool holding more than maxPoolShare of the pods (the cheapest pools filled in turn). */
  diversifiedSpotPerPodHour: number;
  /** Cheapest USD per pod-hour on demand with perfect packing. */
  bestOnDemand: SlotPrice;
  /** 1 − spot ÷ on-demand: the most any spot fleet can save against a perfectly packed on-demand fleet. */
  maxSavingsVsPackedOnDemand: number;
  maxSavingsVsPackedOnDemandDiversified: number;
}

/** Pods of the shape a node of the pool holds. */
export function podsPerNode(p: Pick<PoolInfo, 'vcpu' | 'memoryMib'>, shape: PodShape, overhead: PodShape): number {
  const cpu = Math.floor((p.vcpu * 1000 - overhead.cpuMillis) / shape.cpuMillis);
  const mem = Math.floor((p.memoryMib - overhead.memoryMib) / shape.memoryMib);
  return Math.max(0, Math.min(cpu, mem));
}

/**
 * The best any strategy could do on this market for one pod shape: every pod on the pools
 * with the lowest mean price per pod slot over the window, packed without a gap, never
 * interrupted, with no headroom — against the same for on-demand. A bound, not a plan: a
 * real fleet pays for headroom, PDB-safe node sizes, diurnal scale-down lag and churn.
 */
export function savingsCeiling(
  spot: ReadonlyArray<{ pool: PoolInfo; meanPricePerHour: number }>,
  onDemand: readonly PoolInfo[],
  shape: PodShape,
  overhead: PodShape,
  maxPoolShare: number,
): SavingsCeiling {
  const slot = (pool: PoolInfo, price: number): SlotPrice | null => {
    const n = podsPerNode(pool, shape, overhead);
    return n > 0 ? { poolId: pool.poolId, podsPerNode: n, meanPricePerHour: price, perPodHour: price / n } : null;
  };
  const byCost = (a: SlotPrice, b: SlotPrice) => a.perPodHour - b.perPodHour || (a.poolId < b.poolId ? -1 : 1);
  const spots = spot.flatMap((s) => slot(s.pool, s.meanPricePerHour) ?? []).sort(byCost);
  const ods = onDemand.flatMap((p) => slot(p, p.onDemandPrice) ?? []).sort(byCost);
  const bestSpot = spots[0];
  const bestOnDemand = ods[0];
  if (!bestSpot || !bestOnDemand) throw new Error('no pool holds a pod of this shape');
  // Fill the cheapest pools in turn, each with at most maxPoolShare of the pods.
  let left = 1;
  let diversified = 0;
  for (const s of spots) {
    const take = Math.min(left, maxPoolShare);
    diversified += take * s.perPodHour;
    left -= take;
    if (left <= 1e-12) break;
  }
  return {
    bestSpot,
    diversifiedSpotPerPodHour: diversified,
    bestOnDemand,
    maxSavingsVsPackedOnDemand: 1 - bestSpot.perPodHour / bestOnDemand.perPodHour,
    maxSavingsVsPackedOnDemandDiversified: 1 - diversified / bestOnDemand.perPodHour,
  };
}
