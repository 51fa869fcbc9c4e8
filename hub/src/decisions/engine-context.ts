import type { ForceOnDemandOverride } from '../solver/index.ts';
import type { DecisionPolicies } from './decision-policies.ts';
import type { Decision, PoolRef } from './decision-types.ts';
import type { EngineInput, NodeSnapshot, PodGroup, PoolState, WorkloadStatus } from './engine-input.ts';
import { disruptionsAllowed, safePodsPerNode } from './pdb-budget.ts';
import { type PerNodeLimit, podCount } from './pod-fit.ts';
import { type RiskTracker, typeKey } from './risk-tracker.ts';

/** A pool as the engine weighs it: its price, its expected interruption cost, and whether it may take nodes now. */
export interface PoolEcon {
  state: PoolState;
  ref: PoolRef;
  /** Upper credible interruption rate per node-hour × policy.interruptionCostUsd; 0 for on-demand. */
  riskPerHour: number;
  /** pricePerHour + riskPerHour. */
  expectedCostPerHour: number;
  /** What pools are compared by: expectedCostPerHour × (1 − discountPreference × discount vs on-demand). */
  rankCostPerHour: number;
  /** The pool or its type is above the fallback threshold (spot only). */
  risky: boolean;
  /** An override excludes this spot pool for every workload. */
  forced: boolean;
  /** Launches failed recently: avoid until then. */
  avoidUntilMs: number | null;
  allocCpu: number;
  allocMem: number;
}

/**
 * Everything a method needs about one cycle: the input indexed, each pool priced with its
 * risk, and what the decisions already under way claim (their nodes, their PDB evictions,
 * their launches), so that two decisions never act on the same node or spend the same
 * budget. Methods add to the claims as they commit decisions.
 */
export class EngineContext {
  readonly nodes = new Map<string, NodeSnapshot>();
  readonly pools = new Map<string, PoolEcon>();
  readonly workloads = new Map<string, WorkloadStatus>();
  /** Nodes per pool that stay (live, not claimed, not disrupting), plus launches decided but not yet visible. */
  readonly counts = new Map<string, number>();
  readonly claimed = new Set<string>();
  /** Evictions reserved per workload by decisions under way. */
  readonly reserved = new Map<string, number>();
  /** Launches decided but not yet visible as nodes. */
  readonly pendingLaunches: Array<{ poolId: string; count: number }> = [];
  /** Occupied nodes that voluntary decisions under way will drain (empty ones disrupt nothing). */
  voluntaryInFlight = 0;
  totalNodes = 0;
  onDemandNodes = 0;

  constructor(
    readonly input: EngineInput,
    readonly policies: DecisionPolicies,
    readonly risk: RiskTracker,
    active: readonly Decision[],
    /** `method:nodeId` → until when a dropped candidate is not proposed again. */
    private readonly suppression: ReadonlyMap<string, number> = new Map(),
  ) {
    const now = input.nowMs;
    for (const w of input.workloads) this.workloads.set(w.name, w);
    const overheadCpu = input.nodeOverhead?.cpuMillis ?? 0;
    const overheadMem = input.nodeOverhead?.memoryMib ?? 0;
    for (const p of input.pools) {
      const spot = p.pool.capacityType === 'spot';
      const rate = spot ? (p.score?.factors.stability.inputs.posterior?.upperRatePerHour ?? 0) : 0;
      const riskPerHour = rate * policies.interruptionCostUsd;
      const avoid = p.score?.avoidUntilMs ?? null;
      this.pools.set(p.pool.poolId, {
        state: p,
        ref: p.pool,
        riskPerHour,
        expectedCostPerHour: p.pricePerHour + riskPerHour,
        rankCostPerHour: rankCost(p.pricePerHour + riskPerHour, p.pricePerHour, p.onDemandPricePerHour, spot, policies.discountPreference),
        risky: spot && (risk.isRisky(p.pool.poolId) || risk.isRisky(typeKey(p.pool.instanceType))),
        forced: spot && isForced(p.pool, input.overrides ?? []),
        avoidUntilMs: avoid !== null && avoid > now ? avoid : null,
        allocCpu: Math.max(0, p.vcpu * 1000 - overheadCpu),
        allocMem: Math.max(0, p.memoryMib - overheadMem),
      });
    }
    for (const n of input.nodes) {
      this.nodes.set(n.id, n);
      this.totalNodes++;
      if (n.pool.capacityType === 'on-demand') this.onDemandNodes++;
      if (this.counted(n)) this.bump(n.pool.poolId, 1);
    }
    // Then the decisions under way take their nodes out of the counts (once each).
    for (const d of active) this.claim(d);
  }

  get nowMs(): number {
    return this.input.nowMs;
  }

  /** A candidate of this method on this node was dropped recently: do not propose it again yet. */
  suppressed(method: string, nodeId: string): boolean {
    return (this.suppression.get(`${method}:${nodeId}`) ?? 0) > this.input.nowMs;
  }

  /** Adds a decision's claims: its nodes, its evictions, its launch (until the executor makes it visible). */
  claim(d: Decision): void {
    for (const id of d.nodeIds) {
      if (this.claimed.has(id)) continue;
      this.claimed.add(id);
      const n = this.nodes.get(id);
      if (!n) continue;
      if (this.counted(n)) this.bump(n.pool.poolId, -1);
      if (!d.urgent && n.pods.length > 0) this.voluntaryInFlight++;
      for (const g of n.pods) this.reserved.set(g.workload, (this.reserved.get(g.workload) ?? 0) + g.count);
    }
    if (d.launch && d.status !== 'executing') {
      this.bump(d.launch.poolId, d.launch.count);
      this.pendingLaunches.push({ poolId: d.launch.poolId, count: d.launch.count });
    }
  }

  private counted(n: NodeSnapshot): boolean {
    return !n.disrupting && n.interruptionNoticeAtMs === null;
  }

  private bump(poolId: string, by: number): void {
    this.counts.set(poolId, (this.counts.get(poolId) ?? 0) + by);
  }

  count(poolId: string): number {
    return this.counts.get(poolId) ?? 0;
  }

  /** Evictions of the workload's pods the PDB still allows after what decisions under way reserved. */
  evictionsLeft(workload: string): number {
    const w = this.workloads.get(workload);
    if (!w) return Number.POSITIVE_INFINITY;
    return disruptionsAllowed(w) - (this.reserved.get(workload) ?? 0);
  }

  /** Most voluntary node disruptions allowed at once. */
  get disruptionLimit(): number {
    const c = this.policies.maxConcurrentDisruptions;
    return Math.max(c.min, Math.floor(c.share * this.totalNodes));
  }

  /** The on-demand floor in nodes. */
  get onDemandFloor(): number {
    return Math.max(this.policies.minOnDemandNodes, Math.ceil(this.policies.minOnDemandShare * this.totalNodes - 1e-9));
  }

  /** Per-node pod limits on a node of this capacity type: anti-affinity, and on spot the PDB-safe size. */
  limitFor(capacityType: 'spot' | 'on-demand'): PerNodeLimit {
    return (name) => {
      const w = this.workloads.get(name);
      if (!w) return Number.POSITIVE_INFINITY;
      const anti = w.maxPerNode ?? Number.POSITIVE_INFINITY;
      const safe =
        capacityType === 'spot' && this.policies.pdbSafeNodeSize
          ? safePodsPerNode(w, this.policies.headroomShare)
          : Number.POSITIVE_INFINITY;
      return Math.min(anti, safe);
    };
  }

  /** A pod of a workload marked do-not-disrupt is on the node: voluntary moves leave it until they finish. */
  holdsUndisruptable(nodeId: string): boolean {
    return (this.nodes.get(nodeId)?.pods ?? []).some((g) => this.workloads.get(g.workload)?.doNotDisrupt === true);
  }

  /** Whether every workload in the groups tolerates spot. */
  spotAllowed(groups: readonly PodGroup[]): boolean {
    return groups.every((g) => this.workloads.get(g.workload)?.spotAllowed ?? true);
  }

  /** Nodes the plan wants in the pool beyond what stays and what is being launched; 0 without a plan. */
  planDeficit(poolId: string): number {
    const plan = this.input.plan?.plan;
    if (!plan) return 0;
    return (plan.nodes[poolId] ?? 0) - this.count(poolId);
  }

  /** The most nodes a pool may hold under the share cap, for the staying fleet (launches decided included) growing by `adding`. */
  shareCap(adding: number): number {
    let fleet = 0;
    for (const n of this.counts.values()) fleet += n;
    return Math.max(1, Math.floor(this.policies.maxPoolShare * (fleet + adding) + 1e-9));
  }

  /** A spot pool that may take new nodes now: not risky, not forbidden, not cooling down after a failed launch. */
  spotUsable(p: PoolEcon): boolean {
    return p.ref.capacityType === 'spot' && !p.risky && !p.forced && p.avoidUntilMs === null;
  }

  /** The budgets of the workloads on these nodes, for the decision record. */
  budgetsOf(nodeIds: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const id of nodeIds) for (const g of this.nodes.get(id)?.pods ?? []) out[g.workload] = this.evictionsLeft(g.workload);
    return out;
  }

  /** One pod of the workload as the fleet runs it (requests), or null when none is running or pending. */
  podShape(workload: string): PodGroup | null {
    for (const n of this.nodes.values()) for (const g of n.pods) if (g.workload === workload) return { ...g, count: 1 };
    for (const g of this.input.pending) if (g.workload === workload) return { ...g, count: 1 };
    return null;
  }

  /**
   * Spare pod slots kept for a workload with a PDB: policy.headroomShare of its desired pods,
   * rounded down (a small workload, or one pod per node, would otherwise buy a whole spare node).
   */
  headroomPods(workload: string): number {
    const w = this.workloads.get(workload);
    // Spare slots absorb evictions under a budget; a workload without a PDB needs none.
    return w && w.pdb !== null ? Math.floor(this.policies.headroomShare * w.desired + 1e-9) : 0;
  }

  podsOf(nodeIds: readonly string[]): PodGroup[] {
    return nodeIds.flatMap((id) => this.nodes.get(id)?.pods ?? []).filter((g) => g.count > 0);
  }

  nodePods(nodeIds: readonly string[]): number {
    return podCount(this.podsOf(nodeIds));
  }
}

/** Expected cost weighed by the discount preference (spot only: on-demand has no discount). */
export function rankCost(expected: number, price: number, onDemand: number, spot: boolean, preference: number): number {
  if (!spot || preference === 0 || !(onDemand > 0)) return expected;
  const discount = Math.min(1, Math.max(0, 1 - price / onDemand));
  return expected * (1 - preference * discount);
}

function isForced(pool: PoolRef, overrides: readonly ForceOnDemandOverride[]): boolean {
  return overrides.some(
    (o) =>
      o.shapeIds === undefined &&
      (o.instanceTypes === undefined || o.instanceTypes.includes(pool.instanceType)) &&
      (o.zones === undefined || o.zones.includes(pool.zone)),
  );
}
