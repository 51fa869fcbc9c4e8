import type { PoolHours, PriceSource } from './fleet-sources.ts';

/** USD/hour of one node of a pool: what it costs and what the same type costs on demand. */
export interface NodeRate {
  actualPerHour: number;
  onDemandPerHour: number;
}

/**
 * What a node of this pool costs per hour and what its type costs on demand, at the
 * catalog's current prices; null when either price is unknown (the node is then reported
 * as unpriced rather than guessed).
 */
export function nodeRate(prices: PriceSource, instanceType: string, zone: string, lifecycle: string): NodeRate | null {
  const onDemand = prices.onDemandPrice(instanceType)?.pricePerHour;
  if (onDemand === undefined) return null;
  if (lifecycle === 'on-demand') return { actualPerHour: onDemand, onDemandPerHour: onDemand };
  if (lifecycle !== 'spot') return null;
  const spot = prices.spotPrice(instanceType, zone)?.pricePerHour;
  return spot === undefined ? null : { actualPerHour: spot, onDemandPerHour: onDemand };
}

export interface CostTotals {
  onDemandUsd: number;
  actualUsd: number;
  /** onDemandUsd − actualUsd. */
  savingsUsd: number;
  nodeHours: number;
  /** Node-hours left out because a price is missing. */
  unpricedNodeHours: number;
}

export const zeroTotals = (): CostTotals => ({ onDemandUsd: 0, actualUsd: 0, savingsUsd: 0, nodeHours: 0, unpricedNodeHours: 0 });

/** Adds `nodes` node-hours of a pool to `into`. */
export function addNodeHours(into: CostTotals, rate: NodeRate | null, nodes: number): void {
  into.nodeHours += nodes;
  if (!rate) {
    into.unpricedNodeHours += nodes;
    return;
  }
  into.onDemandUsd += rate.onDemandPerHour * nodes;
  into.actualUsd += rate.actualPerHour * nodes;
  into.savingsUsd = into.onDemandUsd - into.actualUsd;
}

export type Bucket = 'hour' | 'day';

export interface SeriesPoint extends CostTotals {
  /** Start of the bucket, epoch ms (UTC hours or days). */
  t: number;
}

export interface CostSeries {
  /** null in total mode. */
  tenant: string | null;
  cluster: string | null;
  points: SeriesPoint[];
}

/**
 * On-demand vs actual cost per bucket, from node-hours: one series for everything
 * (`total`) or one per cluster. Buckets without running nodes are left out.
 */
export function costSeries(rows: readonly PoolHours[], prices: PriceSource, bucket: Bucket, mode: 'total' | 'cluster'): CostSeries[] {
  const bucketMs = bucket === 'hour' ? 3_600_000 : 86_400_000;
  const series = new Map<string, { tenant: string | null; cluster: string | null; points: Map<number, SeriesPoint> }>();
  const rates = new Map<string, NodeRate | null>();
  for (const r of rows) {
    const poolKey = `${r.instanceType}|${r.zone}|${r.lifecycle}`;
    let rate = rates.get(poolKey);
    if (rate === undefined) {
      rate = nodeRate(prices, r.instanceType, r.zone, r.lifecycle);
      rates.set(poolKey, rate);
    }
    const key = mode === 'total' ? '' : `${r.tenant}\0${r.cluster}`;
    let s = series.get(key);
    if (!s) {
      s = { tenant: mode === 'total' ? null : r.tenant, cluster: mode === 'total' ? null : r.cluster, points: new Map() };
      series.set(key, s);
    }
    const t = Math.floor(r.hourMs / bucketMs) * bucketMs;
    let p = s.points.get(t);
    if (!p) {
      p = { t, ...zeroTotals() };
      s.points.set(t, p);
    }
    addNodeHours(p, rate, r.nodes);
  }
  return [...series.values()]
    .map((s) => ({ tenant: s.tenant, cluster: s.cluster, points: [...s.points.values()].sort((a, b) => a.t - b.t) }))
    .sort((a, b) => `${a.tenant}\0${a.cluster}`.localeCompare(`${b.tenant}\0${b.cluster}`));
}
