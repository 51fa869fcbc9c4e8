import { chooseTarget } from '../target-selection.ts';
import { type DecisionMethod, movable } from './method.ts';
import { minSavingsPerHour, replacementSavings } from './savings-threshold.ts';

/**
 * Moves a spot node to a better spot pool when the pool it is in holds more nodes than the
 * solver's plan wants there (without a plan: any node), and the move saves enough — price
 * and expected interruption cost together — to be worth a drain. The funnel's solved stage
 * then requires the target to be a pool the plan wants more nodes in.
 */
export const replaceMethod: DecisionMethod = {
  name: 'replace',
  *propose(ctx) {
    if (ctx.input.pending.some((g) => g.count > 0)) return;
    const planned = ctx.input.plan !== null;
    for (const n of ctx.nodes.values()) {
      if (n.pool.capacityType !== 'spot' || n.pods.length === 0) continue;
      if (!movable(ctx, n.id, ctx.policies.consolidateAfterMs) || ctx.suppressed('replace', n.id)) continue;
      if (planned && ctx.planDeficit(n.pool.poolId) >= 0) continue;
      const target = chooseTarget(ctx, n.pods, { capacity: 'spot', excludePools: new Set([n.pool.poolId]) });
      // Only moves that could plausibly pay off are candidates; the scored stage then holds them to the full threshold.
      if (target === null || replacementSavings(ctx, [n.id], target.pool.ref.poolId, target.count) < minSavingsPerHour(ctx, [n.id]) / 2)
        continue;
      yield {
        kind: 'replace',
        reason: 'cheaper-pool',
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
    return replacementSavings(ctx, d.nodeIds, t.poolId, t.count) >= minSavingsPerHour(ctx, d.nodeIds) ? null : 'price-changed';
  },
  owns: (d) => d.kind === 'replace' && d.reason === 'cheaper-pool',
};
