import type { EngineContext } from '../engine-context.ts';
import type { NodeSnapshot, PodGroup } from '../engine-input.ts';
import { type Bin, freeBin, packInto, utilization } from '../pod-fit.ts';
import { type DecisionMethod, movable } from './method.ts';

/**
 * Removes nodes whose pods fit on the free room of the other nodes: empty ones first, then
 * the least used (below policy.consolidateUtilization), the dearest first among equals —
 * from pools holding more nodes than the solver's plan wants there (any pool without a plan).
 * The room kept for headroom (policy.headroomShare of each workload's pods) is not counted
 * as free. Nothing is consolidated while pods are pending (they need the room). An occupied
 * node is only consolidated when what it saves over policy.consolidationPaybackHours exceeds
 * the cost of evicting its pods (policy.disruptionCostPerPodUsd each); empty nodes always are.
 */
export const consolidateMethod: DecisionMethod = {
  name: 'consolidate',
  *propose(ctx) {
    if (ctx.input.pending.some((g) => g.count > 0)) return;
    const minAge = ctx.policies.consolidateAfterMs;
    const plan = ctx.input.plan?.plan;
    // A pool the plan wants at least this many nodes in keeps them (the plan is the target; empty nodes excepted).
    const surplus = (n: NodeSnapshot) => !plan || n.pods.length === 0 || ctx.count(n.pool.poolId) - 1 >= (plan.nodes[n.pool.poolId] ?? 0);
    const candidates = [...ctx.nodes.values()]
      .filter((n) => movable(ctx, n.id, minAge) && !ctx.suppressed('consolidate', n.id))
      .filter((n) => n.pods.length === 0 || utilization(n) < ctx.policies.consolidateUtilization)
      .sort((a, b) => utilization(a) - utilization(b) || b.pricePerHour - a.pricePerHour || (a.id < b.id ? -1 : 1));
    // Pods of nodes this cycle already consolidates land on the others too.
    const moving: PodGroup[] = [];
    for (const n of candidates) {
      if (!surplus(n)) continue;
      const room = roomModel(ctx, new Set([n.id]));
      if (!fits(ctx, room, moving) || !fits(ctx, room, n.pods)) continue;
      yield {
        kind: 'consolidate',
        reason: n.pods.length === 0 ? 'empty-node' : 'underutilized',
        urgent: false,
        nodeIds: [n.id],
        from: ctx.pools.get(n.pool.poolId) ?? null,
        target: null,
        needsLaunch: false,
        savingsBasis: 'status-quo',
      };
      if (ctx.claimed.has(n.id)) moving.push(...n.pods);
    }
  },
  judge: (draft, savings, ctx) => (worthDisrupting(ctx, draft.nodeIds, savings.perHourUsd) ? null : 'insufficient-savings'),
  recheck(d, ctx) {
    const nodes = d.nodeIds.map((id) => ctx.nodes.get(id)).filter((n): n is NodeSnapshot => n !== undefined);
    const busy = nodes.some((n) => n.pods.length > 0 && utilization(n) >= ctx.policies.consolidateUtilization);
    if (busy) return 'utilization-changed';
    const room = roomModel(ctx, new Set(d.nodeIds));
    return fits(ctx, room, ctx.podsOf(d.nodeIds)) ? null : 'utilization-changed';
  },
  owns: (d) => d.kind === 'consolidate',
};

interface Room {
  spot: Map<string, Bin>;
  onDemand: Map<string, Bin>;
}

/** Free room of the staying nodes (ready, unclaimed, not draining), with each workload's headroom already taken out. */
function roomModel(ctx: EngineContext, without: ReadonlySet<string>): Room {
  const room: Room = { spot: new Map(), onDemand: new Map() };
  for (const n of ctx.nodes.values()) {
    if (without.has(n.id) || !n.ready || ctx.claimed.has(n.id) || n.disrupting || n.interruptionNoticeAtMs !== null) continue;
    (n.pool.capacityType === 'spot' ? room.spot : room.onDemand).set(n.id, freeBin(n));
  }
  const headroom: PodGroup[] = [];
  for (const w of ctx.workloads.values()) {
    const count = ctx.headroomPods(w.name);
    const sample = ctx.podShape(w.name);
    if (count > 0 && sample) headroom.push({ ...sample, count });
  }
  fits(ctx, room, headroom);
  return room;
}

/** Packs the pods into the room (mutating it): spot room first for pods that tolerate spot. Whether all fit. */
function fits(ctx: EngineContext, room: Room, pods: readonly PodGroup[]): boolean {
  const spotOk = pods.filter((g) => ctx.spotAllowed([g]));
  const rest = packInto([...room.spot.values()], spotOk, ctx.limitFor('spot'));
  const left = packInto([...room.onDemand.values()], [...rest, ...pods.filter((g) => !ctx.spotAllowed([g]))], ctx.limitFor('on-demand'));
  return left.length === 0;
}

/** Whether removing the nodes saves more over the payback hours than evicting their pods costs. */
export function worthDisrupting(ctx: EngineContext, nodeIds: readonly string[], savingsPerHourUsd: number): boolean {
  const pods = ctx.nodePods(nodeIds);
  if (pods === 0) return true;
  const p = ctx.policies;
  return savingsPerHourUsd * p.consolidationPaybackHours > pods * p.disruptionCostPerPodUsd;
}
