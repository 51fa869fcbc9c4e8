import type { DecisionReason } from '../decision-types.ts';
import type { EngineContext } from '../engine-context.ts';
import type { NodeSnapshot } from '../engine-input.ts';
import { chooseTarget } from '../target-selection.ts';
import { commonPool, type DecisionMethod } from './method.ts';

const REASONS: ReadonlySet<DecisionReason> = new Set(['interruption-notice', 'rebalance-recommendation', 'scheduled-event']);

/**
 * Replaces nodes AWS is taking away or warns about: an interruption notice (2 minutes; the
 * agent drains at once while the replacement launches), a rebalance recommendation (elevated
 * risk: replace before the notice, launch first, then drain), a scheduled retirement. Urgent:
 * no validation delay and no concurrency limit. The replacement avoids the node's pool; it is
 * spot when a usable spot pool takes the pods, on-demand otherwise. Empty nodes need none
 * (consolidation removes them).
 */
export const interruptionMethod: DecisionMethod = {
  name: 'interruption',
  *propose(ctx) {
    for (const n of ctx.nodes.values()) {
      const reason = reasonFor(ctx, n);
      if (reason === null || ctx.claimed.has(n.id) || n.pods.length === 0) continue;
      const exclude = new Set([n.pool.poolId]);
      const spot = ctx.spotAllowed(n.pods)
        ? chooseTarget(ctx, n.pods, { capacity: 'spot', excludePools: exclude, softShareCap: true })
        : null;
      const target = spot ?? chooseTarget(ctx, n.pods, { capacity: 'on-demand' });
      yield {
        kind: target?.pool.ref.capacityType === 'on-demand' && n.pool.capacityType === 'spot' ? 'fallback' : 'replace',
        reason,
        urgent: true,
        nodeIds: [n.id],
        from: commonPool(ctx, [n.id]),
        target,
        needsLaunch: true,
        savingsBasis: 'status-quo',
      };
    }
  },
  judge: () => null,
  recheck: () => null,
  owns: (d) => REASONS.has(d.reason),
};

function reasonFor(ctx: EngineContext, n: NodeSnapshot): DecisionReason | null {
  if (n.interruptionNoticeAtMs !== null) return 'interruption-notice';
  if (n.scheduledEventAtMs !== null) return 'scheduled-event';
  if (n.rebalanceAtMs !== null && n.pool.capacityType === 'spot' && ctx.policies.replaceOnRebalance) return 'rebalance-recommendation';
  return null;
}
