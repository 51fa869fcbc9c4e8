import type { WorkloadStatus } from '../../hub/src/decisions/index.ts';
import type { PricePoint } from '../../sim/src/market/price-series.ts';
import type { ClusterNode, DrainPurpose, Pod } from '../cluster/cluster.ts';
import type { WorkloadSpec } from '../cluster/workloads.ts';
import type { PoolInfo } from '../data/replay-data.ts';

export type LaunchResult = { ok: true; node: ClusterNode } | { ok: false; reason: 'InsufficientInstanceCapacity' };

/** Prices as EC2 publishes them: spot prices up to now (DescribeSpotPriceHistory), on-demand from the catalog. Never the future. */
export interface PublicPrices {
  spot(pool: Pick<PoolInfo, 'instanceType' | 'zone'>): number | undefined;
  /** Changes in [fromMs, min(toMs, now)] plus the one in effect at fromMs, oldest first. */
  changes(pool: Pick<PoolInfo, 'instanceType' | 'zone'>, fromMs: number, toMs: number): PricePoint[];
  onDemand(instanceType: string): number;
}

export interface WorldDrainOptions {
  purpose: DrainPurpose;
  /** Terminate the instance once the node is empty (a switch counts when that happens). */
  terminateWhenEmpty: boolean;
  /** Give up after this long and uncordon. */
  timeoutMs?: number;
  onEmpty?: () => void;
  onAbort?: () => void;
}

/**
 * What a strategy sees of and does to its world: the cluster and the cloud as a controller
 * would (nodes, pods, PDB status, public prices, launch/drain/terminate). The simulator's
 * interruption hazard and pool capacity are not here: strategies that model AWS's own
 * allocation get them separately (AwsView), and the Ballast strategy never does.
 */
export interface StrategyWorld {
  readonly nowMs: number;
  readonly spotPools: readonly PoolInfo[];
  readonly onDemandPools: readonly PoolInfo[];
  readonly prices: PublicPrices;
  readonly overhead: { cpuMillis: number; memoryMib: number };
  readonly workloads: readonly WorkloadSpec[];
  nodes(): ClusterNode[];
  pending(): Pod[];
  status(w: WorkloadSpec): WorkloadStatus;
  /** What the node costs now, USD/hour. */
  pricePaid(node: ClusterNode): number;
  launch(pool: PoolInfo): LaunchResult;
  drain(node: ClusterNode, opts: WorldDrainOptions): void;
  /** Terminates the instance now; pods still on it are lost (a voluntary action: PDB violations count). */
  terminate(node: ClusterNode): void;
  isDraining(node: ClusterNode): boolean;
}

/** AWS's own view of its pools, which its allocation strategies use: the chance of interruption and free capacity. */
export interface AwsView {
  hazardPerHour(pool: PoolInfo): number;
  available(pool: PoolInfo): number;
}

/**
 * A fleet strategy under replay. tick() runs every virtual minute after the market and the
 * cluster moved; the hooks run as events happen. On an interruption notice the node's agent
 * has already started draining it (every strategy gets that); a scheduled retirement is
 * drained and terminated unless the strategy handles it.
 */
export interface Strategy {
  readonly name: string;
  start?(w: StrategyWorld): Promise<void> | void;
  tick(w: StrategyWorld): Promise<void> | void;
  onNotice?(w: StrategyWorld, node: ClusterNode): void;
  onRebalance?(w: StrategyWorld, node: ClusterNode): void;
  /** Return true when handled; otherwise the world drains and retires the node. */
  onScheduledEvent?(w: StrategyWorld, node: ClusterNode): boolean;
  onLaunchFailure?(w: StrategyWorld, pool: PoolInfo): void;
  stop?(): Promise<void> | void;
  /** Extra figures for the report (e.g. the decision funnel). */
  summary?(): Record<string, unknown>;
}
