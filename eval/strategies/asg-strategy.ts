import type { ClusterNode } from '../cluster/cluster.ts';
import type { PoolInfo } from '../data/replay-data.ts';
import { fitsAllWorkloads, fitsElsewhere, holdsUndisruptable, provision, utilization } from './provisioning.ts';
import type { AwsView, Strategy, StrategyWorld } from './strategy.ts';

const MINUTE_MS = 60_000;

export type SpotAllocation = 'lowest-price' | 'capacity-optimized' | 'price-capacity-optimized';

export interface AsgOptions {
  allocation: SpotAllocation;
  /** The node group's size class: instance types with this many vCPUs (Cluster Autoscaler wants alike types). */
  vcpu: number;
  /** lowest-price: spread over this many cheapest pools per zone (the ASG's SpotInstancePools, default 2). */
  spotInstancePools: number;
  /** price-capacity-optimized: pools whose interruption chance is within this factor of the best count as "highest capacity". */
  capacityTierFactor: number;
}

export const DEFAULT_ASG: Omit<AsgOptions, 'allocation'> = { vcpu: 4, spotInstancePools: 2, capacityTierFactor: 1.5 };

/**
 * An EC2 Auto Scaling group of spot instances (mixed instance types of one size class, all
 * zones) under the Cluster Autoscaler and the Node Termination Handler — the common setup
 * the ASG allocation strategies are used in:
 * - scale-up: pending pods → new instances; the ASG keeps zones balanced (the zone with the
 *   fewest instances first) and picks the pool in it by its SpotAllocationStrategy, as AWS
 *   documents them: lowest-price (the N cheapest pools, evenly), capacity-optimized (the
 *   pool AWS believes least likely to be interrupted, given its free capacity),
 *   price-capacity-optimized (the pools with the highest capacity availability, then the
 *   lowest priced of those). AWS's belief is AwsView: the simulator's own hazard and free
 *   capacity, which AWS has and the customer does not. No fallback to on-demand.
 * - scale-down (Cluster Autoscaler defaults): a node under 50% requested whose pods fit
 *   elsewhere for 10 minutes is drained and removed, one at a time, not within 10 minutes of
 *   a scale-up; empty nodes go after the same 10 minutes; nodes with pods that are not
 *   safe to evict stay.
 * - interruptions: NTH drains on the notice; rebalance recommendations are ignored (its default).
 */
export class AsgStrategy implements Strategy {
  readonly name: string;
  private readonly o: AsgOptions;
  private pools: PoolInfo[] = [];
  private readonly failedUntil = new Map<string, number>();
  private readonly unneededSince = new Map<string, number>();
  private lastScaleUpMs = Number.NEGATIVE_INFINITY;
  private draining: string | null = null;

  constructor(
    allocation: SpotAllocation,
    private readonly aws: AwsView,
    options: Partial<Omit<AsgOptions, 'allocation'>> = {},
  ) {
    this.o = { ...DEFAULT_ASG, ...options, allocation };
    this.name = allocation;
  }

  start(w: StrategyWorld): void {
    this.pools = w.spotPools.filter((p) => p.vcpu === this.o.vcpu && fitsAllWorkloads(w, p));
  }

  tick(w: StrategyWorld): void {
    const launched = provision(
      w,
      () => this.choose(w),
      (p) => this.failedUntil.set(p.poolId, w.nowMs + 5 * MINUTE_MS),
    );
    if (launched.length > 0) this.lastScaleUpMs = w.nowMs;
    this.scaleDown(w);
  }

  private choose(w: StrategyWorld): PoolInfo | null {
    const usable = this.pools.filter((p) => (this.failedUntil.get(p.poolId) ?? 0) <= w.nowMs && this.aws.available(p) > 0);
    const byZone = new Map<string, number>();
    for (const n of w.nodes()) byZone.set(n.pool.zone, (byZone.get(n.pool.zone) ?? 0) + 1);
    const zones = [...new Set(usable.map((p) => p.zone))].sort((a, b) => (byZone.get(a) ?? 0) - (byZone.get(b) ?? 0) || (a < b ? -1 : 1));
    for (const zone of zones) {
      const pool = this.pick(
        w,
        usable.filter((p) => p.zone === zone),
      );
      if (pool) return pool;
    }
    return null;
  }

  private pick(w: StrategyWorld, pools: PoolInfo[]): PoolInfo | null {
    if (pools.length === 0) return null;
    const price = (p: PoolInfo) => w.prices.spot(p) ?? Number.POSITIVE_INFINITY;
    if (this.o.allocation === 'lowest-price') {
      const cheapest = [...pools].sort((a, b) => price(a) - price(b)).slice(0, this.o.spotInstancePools);
      const count = (p: PoolInfo) => w.nodes().filter((n) => n.pool.poolId === p.poolId).length;
      return cheapest.sort((a, b) => count(a) - count(b) || price(a) - price(b))[0] ?? null;
    }
    const hazard = new Map(pools.map((p) => [p.poolId, this.aws.hazardPerHour(p)]));
    const h = (p: PoolInfo) => hazard.get(p.poolId) as number;
    if (this.o.allocation === 'capacity-optimized') {
      return [...pools].sort((a, b) => h(a) - h(b) || this.aws.available(b) - this.aws.available(a))[0] ?? null;
    }
    const best = Math.min(...pools.map(h));
    const tier = pools.filter((p) => h(p) <= best * this.o.capacityTierFactor);
    return tier.sort((a, b) => price(a) - price(b) || h(a) - h(b))[0] ?? null;
  }

  private scaleDown(w: StrategyWorld): void {
    const now = w.nowMs;
    if (this.draining !== null && !w.nodes().some((n) => n.id === this.draining)) this.draining = null;
    if (w.pending().length > 0 || now - this.lastScaleUpMs < 10 * MINUTE_MS) {
      this.unneededSince.clear();
      return;
    }
    const nodes = w.nodes().filter((n) => n.ready && !n.cordoned && n.noticeAtMs === null);
    const seen = new Set<string>();
    for (const n of nodes) {
      if (utilization(n) >= 0.5 || holdsUndisruptable(n) || !fitsElsewhere(w, n)) continue;
      seen.add(n.id);
      if (!this.unneededSince.has(n.id)) this.unneededSince.set(n.id, now);
    }
    for (const id of [...this.unneededSince.keys()]) if (!seen.has(id)) this.unneededSince.delete(id);
    const ripe = nodes.filter((n) => now - (this.unneededSince.get(n.id) ?? now) >= 10 * MINUTE_MS);
    for (const n of ripe.filter((x) => x.pods.size === 0).slice(0, 10)) {
      w.terminate(n);
      this.unneededSince.delete(n.id);
    }
    if (this.draining !== null) return;
    const next = ripe.filter((x) => x.pods.size > 0 && w.nodes().includes(x)).sort((a, b) => utilization(a) - utilization(b))[0];
    if (next) this.drainNode(w, next);
  }

  private drainNode(w: StrategyWorld, n: ClusterNode): void {
    this.draining = n.id;
    this.unneededSince.delete(n.id);
    w.drain(n, {
      purpose: 'consolidation',
      terminateWhenEmpty: true,
      timeoutMs: 10 * MINUTE_MS,
      onAbort: () => {
        this.draining = null;
      },
    });
  }
}
