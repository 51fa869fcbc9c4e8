import type { EngineContext } from '../engine-context.ts';
import type { PendingPods, PodGroup } from '../engine-input.ts';
import { type Bin, emptyBin, freeBin, packInto, podCount } from '../pod-fit.ts';
import { chooseTarget } from '../target-selection.ts';
import type { DecisionMethod, Draft } from './method.ts';

/**
 * Launches nodes for pods that have nowhere to run: the pending pods that neither the free
 * room of the staying nodes nor the launches already decided will take. Pools the plan wants
 * more nodes in come first, then the cheapest per pod slot by expected cost, under the share
 * cap, so new capacity spreads as the solver intended between two solves and a few pending
 * pods of a lasting workload do not buy a node too small for the next ones (Job pods, which
 * leave when done, get what fits them). Pods that tolerate spot go to
 * spot; when no spot pool may take them (all risky, cooling down or forbidden) they go to
 * on-demand as a fallback (`no-spot-capacity`). Urgent: pods are waiting.
 */
export const provisionMethod: DecisionMethod = {
  name: 'provision',
  *propose(ctx) {
    const waiting = ctx.input.pending.reduce((n, g) => n + g.count, 0);
    let left = uncovered(ctx);
    for (let guard = 0; left.length > 0 && guard < 100; guard++) {
      // Pods the plan does not cover (one per node) are placed on their own, by cost per slot.
      const unplanned = left.filter((g) => ctx.workloads.get(g.workload)?.maxPerNode !== undefined);
      const ignorePlan = unplanned.length > 0;
      const batch = ignorePlan ? unplanned : left;
      const spotGroups = batch.filter((g) => g.spotAllowed);
      const rank = batch.every((g) => ctx.workloads.get(g.workload)?.controller === 'job') ? 'pods' : 'slot';
      const spot =
        spotGroups.length > 0
          ? chooseTarget(ctx, spotGroups, { capacity: 'spot', allowPartial: true, softShareCap: true, rank, ignorePlan })
          : null;
      const groups = spot ? spotGroups : batch;
      const target = spot ?? chooseTarget(ctx, groups, { capacity: 'on-demand', allowPartial: true, rank, ignorePlan });
      if (target === null) {
        yield draft(groups, null, false, waiting === 0);
        return;
      }
      yield draft(groups, target, spot === null && spotGroups.length > 0, waiting === 0);
      const bins = Array.from({ length: target.count }, () => emptyBin(target.pool.allocCpu, target.pool.allocMem));
      const placed = packInto(bins, groups, ctx.limitFor(target.pool.ref.capacityType));
      left = [...(left.filter((g) => !groups.includes(g)) as PendingPods[]), ...(placed as PendingPods[])];
    }
  },
  judge: () => null,
  recheck: (_d, ctx) => (uncovered(ctx).length > 0 ? null : 'no-longer-needed'),
  owns: (d) => d.reason === 'pending-pods' || d.reason === 'headroom' || d.reason === 'no-spot-capacity',
};

function draft(groups: PendingPods[], target: Draft['target'], noSpot: boolean, headroomOnly: boolean): Draft {
  return {
    kind: noSpot ? 'fallback' : 'provision',
    reason: noSpot ? 'no-spot-capacity' : headroomOnly ? 'headroom' : 'pending-pods',
    urgent: true,
    nodeIds: [],
    from: null,
    target,
    needsLaunch: true,
    uncoveredPods: podCount(groups),
    savingsBasis: 'on-demand',
  };
}

/**
 * Pending pods that the staying nodes' free room and the decided launches will not take,
 * then the spare slots (headroom) each workload should have and does not: those are
 * provisioned like pending pods, so the fleet keeps them ready before they are needed.
 */
export function uncovered(ctx: EngineContext): PendingPods[] {
  const pending: PendingPods[] = ctx.input.pending.filter((g) => g.count > 0);
  for (const w of ctx.workloads.values()) {
    const count = ctx.headroomPods(w.name);
    const shape = count > 0 ? ctx.podShape(w.name) : null;
    if (shape) pending.push({ ...shape, count, spotAllowed: w.spotAllowed });
  }
  if (pending.length === 0) return [];
  const spotBins: Bin[] = [];
  const odBins: Bin[] = [];
  for (const n of ctx.nodes.values()) {
    if (ctx.claimed.has(n.id) || n.disrupting || n.interruptionNoticeAtMs !== null) continue;
    (n.pool.capacityType === 'spot' ? spotBins : odBins).push(freeBin(n));
  }
  for (const l of ctx.pendingLaunches) {
    const p = ctx.pools.get(l.poolId);
    if (!p) continue;
    for (let i = 0; i < l.count; i++) (p.ref.capacityType === 'spot' ? spotBins : odBins).push(emptyBin(p.allocCpu, p.allocMem));
  }
  const spotLeft = packInto(
    spotBins,
    pending.filter((g) => g.spotAllowed),
    ctx.limitFor('spot'),
  ) as PendingPods[];
  const rest: PodGroup[] = [...spotLeft, ...pending.filter((g) => !g.spotAllowed)];
  return packInto(odBins, rest, ctx.limitFor('on-demand')) as PendingPods[];
}
