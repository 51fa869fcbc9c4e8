/**
 * What the scoring code is given about a pool: only what a real fleet can see — the
 * catalog (size, prices), the spot price history, the Spot Advisor bucket, and what this
 * fleet observed (interruption notices, rebalance recommendations, instance-hours, launch
 * failures, agent metrics). Plain data, JSON-friendly, no I/O; the caller (the decision
 * engine, the API) gathers it. Deliberately its own types: the hub does not depend on the
 * simulator, and nothing here can reach the simulator's true interruption rates.
 */

export type CapacityType = 'spot' | 'on-demand';

/** The Spot Advisor's interruption-frequency buckets (share of capacity reclaimed per month), as AWS labels them. */
export type AdvisorBucket = '<5%' | '5-10%' | '10-15%' | '15-20%' | '>20%';
export const ADVISOR_BUCKETS: readonly AdvisorBucket[] = ['<5%', '5-10%', '10-15%', '15-20%', '>20%'];

/** A pool as the catalog knows it: (instance type, zone, capacity type), node size and prices. */
export interface PoolOffering {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  vcpu: number;
  memoryGib: number;
  /** What a node costs now, USD/hour: the current spot price for spot pools, the on-demand price otherwise. ≥ 0. */
  pricePerHour: number;
  /** The type's on-demand price, USD/hour (from the catalog file; EC2 has no price API). Null when unknown: scoring refuses it. */
  onDemandPricePerHour: number | null;
}

/** A spot price change (DescribeSpotPriceHistory): `price` holds from `timeMs` until the next point. */
export interface PricePoint {
  timeMs: number;
  price: number;
}

/** Agent metrics for the pool's nodes over a recent window; every field optional (no data → neutral). */
export interface PerformanceObservations {
  /** Mean CPU steal, percent of CPU time (0–100). */
  cpuStealPct?: number | null;
  /** CFS throttling: throttled periods ÷ periods (0–1), over the pool's containers with CPU limits. */
  cpuThrottlingRatio?: number | null;
  /** Workload latency on this pool's nodes ÷ the fleet median for the same workloads (1 = typical). */
  latencyRatio?: number | null;
  /** Workload error rate on this pool's nodes ÷ the fleet median (1 = typical). */
  errorRateRatio?: number | null;
}

/** What this fleet has seen of the pool. Counts are over the model's evidence window (see evidenceWindow()). */
export interface PoolObservations {
  /** The Spot Advisor bucket of the instance type; null when the advisor does not list it. */
  advisorBucket: AdvisorBucket | null;
  /** Instance-hours this fleet ran in the pool over the evidence window. */
  instanceHours: number;
  /** Spot interruption notices received from the pool's nodes over the evidence window. */
  interruptions: number;
  /** Rebalance recommendations received from the pool's nodes over the evidence window. */
  rebalanceRecommendations: number;
  /**
   * Spot price changes, oldest first, covering the volatility window: the points inside it
   * plus the one in effect at its start. Points after `now` are ignored. Empty when unknown.
   */
  priceHistory: readonly PricePoint[];
  /** When launches into the pool failed for lack of capacity (ms since epoch). */
  launchFailuresMs: readonly number[];
  performance?: PerformanceObservations;
}

export interface PoolScoringInput {
  offering: PoolOffering;
  observations: PoolObservations;
}

/** Identical pods, counted (the solver aggregates pods the same way). */
export interface WorkloadShape {
  id: string;
  count: number;
  cpuMillis: number;
  memoryMib: number;
}

/** An offering the pool competes with for the workload: enough to price a vCPU-hour and a GiB-hour. */
export interface CandidateOffering {
  pricePerHour: number;
  vcpu: number;
  memoryGib: number;
}

/** What the pools are scored for. */
export interface ScoringContext {
  /** The workload's pod shapes; at least one with a positive count and some request. */
  shapes: readonly WorkloadShape[];
  /** The candidate offerings for this workload; scorePools uses the pools it scores when absent. */
  candidates?: readonly CandidateOffering[];
  /** Reserved on every node (kubelet, system daemons, DaemonSets); not available to pods. */
  nodeOverhead?: { cpuMillis: number; memoryMib: number };
}

/** The conventional pool id `type|zone|capacity`, as the solver writes it. */
export function poolIdOf(o: Pick<PoolOffering, 'instanceType' | 'zone' | 'capacityType'>): string {
  return `${o.instanceType}|${o.zone}|${o.capacityType}`;
}
