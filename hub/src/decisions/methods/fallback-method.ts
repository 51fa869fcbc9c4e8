import type { DecisionReason } from '../decision-types.ts';
import type { EngineContext, PoolEcon } from '../engine-context.ts';
import { typeKey } from '../risk-tracker.ts';
import { chooseTarget } from '../target-selection.ts';
import { type DecisionMethod, movable } from './method.ts';

const REASONS: ReadonlySet<DecisionReason> = new Set(['pool-risk', 'type-risk', 'override']);

/**
 * Moves spot nodes to on-demand when their pool or their instance type is above the
 * fallback threshold (the posterior's upper bound, with the tracker's memory), or an
 * override forbids spot there. The replacement keeps the node's type and zone when that
 * on-demand pool is offered (the pods fit as before), else the cheapest on-demand pool.
 * Going back is the revert method's job, after the hysteresis.
 */
export const fallbackMethod: DecisionMethod = {
  name: 'fallback',
  *propose(ctx) {
    for (const n of ctx.nodes.values()) {
      if (n.pool.capacityType !== 'spot' || !movable(ctx, n.id, 0)) continue;
      const pool = ctx.pools.get(n.pool.poolId);
      const reason = pool ? riskReason(ctx, pool) : null;
      if (!pool || reason === null) continue;
      const target =
        chooseTarget(ctx, n.pods, { capacity: 'on-demand', instanceType: n.pool.instanceType, zone: n.pool.zone }) ??
        chooseTarget(ctx, n.pods, { capacity: 'on-demand' });
      yield {
        kind: 'fallback',
        reason,
        urgent: false,
        nodeIds: [n.id],
        from: pool,
        target,
        needsLaunch: n.pods.length > 0,
        savingsBasis: 'status-quo',
      };
    }
  },
  // Risk, not money, motivates a fallback: it is always worth it.
  judge: () => null,
  recheck(d, ctx) {
    const pool = d.from ? ctx.pools.get(d.from.poolId) : undefined;
    return pool && riskReason(ctx, pool) !== null ? null : 'risk-changed';
  },
  owns: (d) => d.kind === 'fallback' && REASONS.has(d.reason),
};

function riskReason(ctx: EngineContext, pool: PoolEcon): DecisionReason | null {
  if (pool.forced) return 'override';
  if (ctx.risk.isRisky(pool.ref.poolId)) return 'pool-risk';
  if (ctx.risk.isRisky(typeKey(pool.ref.instanceType))) return 'type-risk';
  return null;
}
