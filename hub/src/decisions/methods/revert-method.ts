import { typeKey } from '../risk-tracker.ts';
import { chooseTarget } from '../target-selection.ts';
import { type DecisionMethod, movable } from './method.ts';
import { minSavingsPerHour, replacementSavings } from './savings-threshold.ts';

/**
 * Moves on-demand nodes back to spot, with hysteresis: the target pool and its type must
 * have been calm (below the calm threshold, which sits well under the fallback one) for
 * policy.revertAfterCalmMs without a break, and no fallback may have been decided within
 * that time. Nodes the on-demand floor needs stay; pods that do not tolerate spot stay.
 */
export const revertMethod: DecisionMethod = {
  name: 'revert',
  *propose(ctx) {
    if (ctx.input.pending.some((g) => g.count > 0)) return;
    for (const n of ctx.nodes.values()) {
      if (n.pool.capacityType !== 'on-demand' || n.pods.length === 0 || !ctx.spotAllowed(n.pods)) continue;
      if (!movable(ctx, n.id, ctx.policies.consolidateAfterMs) || ctx.suppressed('revert', n.id)) continue;
      if (ctx.onDemandNodes - odClaimed(ctx) <= ctx.onDemandFloor) return;
      const target = chooseTarget(ctx, n.pods, { capacity: 'spot', requireCalmMs: ctx.policies.revertAfterCalmMs });
      if (target === null) continue;
      yield {
        kind: 'revert',
        reason: 'calm-market',
        urgent: false,
        nodeIds: [n.id],
        from: ctx.pools.get(n.pool.poolId) ?? null,
        target,
        needsLaunch: true,
        savingsBasis: 'status-quo',
      };
    }
  },
  judge: (draft, savings, ctx) => (savings.perHourUsd >= minSavingsPerHour(ctx, draft.nodeIds) ? null : 'insufficient-savings'),
  recheck(d, ctx) {
    const t = d.launch;
    if (t === null) return null;
    if (!ctx.risk.revertAllowed(t.poolId, typeKey(t.instanceType), ctx.nowMs, ctx.policies.revertAfterCalmMs)) return 'market-not-calm';
    return replacementSavings(ctx, d.nodeIds, t.poolId, t.count) >= minSavingsPerHour(ctx, d.nodeIds) ? null : 'price-changed';
  },
  owns: (d) => d.kind === 'revert',
};

function odClaimed(ctx: Parameters<DecisionMethod['propose']>[0]): number {
  let n = 0;
  for (const id of ctx.claimed) if (ctx.nodes.get(id)?.pool.capacityType === 'on-demand') n++;
  return n;
}
