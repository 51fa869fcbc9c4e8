import type { EngineContext } from '../engine-context.ts';

/** The least a voluntary move must save per hour to be worth its churn: a share of what the nodes cost now, and a floor. */
export function minSavingsPerHour(ctx: EngineContext, nodeIds: readonly string[]): number {
  let cost = 0;
  for (const id of nodeIds) {
    const n = ctx.nodes.get(id);
    if (!n) continue;
    cost += n.pricePerHour + (ctx.pools.get(n.pool.poolId)?.riskPerHour ?? 0);
  }
  return Math.max(ctx.policies.replaceMinSavingsPct * cost, ctx.policies.replaceMinSavingsPerHourUsd);
}

/** USD/hour saved by replacing the nodes with `count` nodes of the pool, at today's prices and risks. */
export function replacementSavings(ctx: EngineContext, nodeIds: readonly string[], poolId: string, count: number): number {
  const target = ctx.pools.get(poolId);
  if (!target) return Number.NEGATIVE_INFINITY;
  let before = 0;
  for (const id of nodeIds) {
    const n = ctx.nodes.get(id);
    if (!n) continue;
    before += n.pricePerHour + (ctx.pools.get(n.pool.poolId)?.riskPerHour ?? 0);
  }
  return before - count * target.expectedCostPerHour;
}
