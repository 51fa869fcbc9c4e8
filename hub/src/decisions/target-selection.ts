import type { EngineContext, PoolEcon } from './engine-context.ts';
import type { PodGroup } from './engine-input.ts';
import { emptyBin, nodesNeeded, type PerNodeLimit, packInto } from './pod-fit.ts';
import { typeKey } from './risk-tracker.ts';

export interface TargetOptions {
  capacity: 'spot' | 'on-demand';
  excludePools?: ReadonlySet<string>;
  /** Revert: the spot pool and its type must have been calm this long, with no fallback meanwhile. */
  requireCalmMs?: number;
  /** Only pools of this type and zone (a fallback keeps the node's shape). */
  instanceType?: string;
  zone?: string;
  /** Take a pool that can host only part of the pods (provisioning splits across pools); otherwise all must fit. */
  allowPartial?: boolean;
  /**
   * When no spot pool has room under the share cap, take the best one regardless rather than
   * none (pods waiting or a node going away matter more than diversification; small fleets
   * with few usable pools cannot meet the cap at all).
   */
  softShareCap?: boolean;
  /**
   * How to compare pools: `pods` by what the given pods cost there (a replacement for a
   * node's pods); `slot` by cost per pod slot of a full node (new capacity for a workload that
   * keeps growing: a few pending pods should not buy a small node the next few would outgrow).
   */
  rank?: 'pods' | 'slot';
  /** Ignore the plan's deficits (for pods the plan does not cover, such as one-per-node ones). */
  ignorePlan?: boolean;
}

export interface Target {
  pool: PoolEcon;
  /** Nodes to launch in it (capped by the plan's deficit and the share cap when partial). */
  count: number;
  /** Nodes the pods would need in this pool if it took them all. */
  fullCount: number;
  /** count × expected cost per hour. */
  expectedCostPerHour: number;
}

/**
 * Where the pods should go: among the pools that may take them, the ones the solver's plan
 * wants more nodes in come first, then the cheapest by expected cost (price + interruption
 * risk, weighed by the discount preference) for the nodes the pods need there. Spot pools must be usable (not risky, forbidden
 * or cooling down) and stay under the share cap; spot nodes respect the PDB-safe size.
 * Returns null when no pool qualifies.
 */
export function chooseTarget(ctx: EngineContext, groups: readonly PodGroup[], opts: TargetOptions): Target | null {
  const t = pick(ctx, groups, opts, true);
  if (t !== null || !opts.softShareCap || opts.capacity !== 'spot') return t;
  return pick(ctx, groups, opts, false);
}

function pick(ctx: EngineContext, groups: readonly PodGroup[], opts: TargetOptions, capped: boolean): Target | null {
  const limit = ctx.limitFor(opts.capacity);
  let best: { t: Target; inPlan: boolean; cost: number } | null = null;
  for (const p of ctx.pools.values()) {
    if (p.ref.capacityType !== opts.capacity) continue;
    if (opts.excludePools?.has(p.ref.poolId)) continue;
    if (opts.instanceType !== undefined && p.ref.instanceType !== opts.instanceType) continue;
    if (opts.zone !== undefined && p.ref.zone !== opts.zone) continue;
    if (p.ref.capacityType === 'spot') {
      if (!ctx.spotUsable(p)) continue;
      if (opts.requireCalmMs !== undefined && !calmEnough(ctx, p, opts.requireCalmMs)) continue;
    }
    const fullCount = nodesNeeded(groups, p.allocCpu, p.allocMem, limit);
    if (!Number.isFinite(fullCount) || fullCount === 0) continue;
    let count = fullCount;
    const deficit = ctx.planDeficit(p.ref.poolId);
    if (p.ref.capacityType === 'spot' && capped) {
      const room = ctx.shareCap(count) - ctx.count(p.ref.poolId);
      if (room <= 0) continue;
      if (room < count) {
        if (!opts.allowPartial) continue;
        count = room;
      }
    }
    const inPlan = deficit > 0 && !opts.ignorePlan;
    if (inPlan && opts.allowPartial && deficit < count) count = deficit;
    const t: Target = { pool: p, count, fullCount, expectedCostPerHour: count * p.expectedCostPerHour };
    const cost = opts.rank === 'slot' ? p.rankCostPerHour / slots(groups, p, limit) : fullCount * p.rankCostPerHour;
    if (best === null || better(t, inPlan, cost, best.t, best.inPlan, best.cost)) best = { t, inPlan, cost };
  }
  return best?.t ?? null;
}

function better(a: Target, aPlan: boolean, ca: number, b: Target, bPlan: boolean, cb: number): boolean {
  if (aPlan !== bPlan) return aPlan;
  if (Math.abs(ca - cb) > 1e-12) return ca < cb;
  return a.pool.ref.poolId < b.pool.ref.poolId;
}

/** Pods one node of the pool holds when filled with the groups' mix (the groups scaled up so that they never run out). */
function slots(groups: readonly PodGroup[], p: PoolEcon, limit: PerNodeLimit): number {
  const many = groups.map((g) => ({ ...g, count: g.count * 1000 }));
  const left = packInto([emptyBin(p.allocCpu, p.allocMem)], many, limit);
  const placed = many.reduce((s, g) => s + g.count, 0) - left.reduce((s, g) => s + g.count, 0);
  return Math.max(1, placed);
}

function calmEnough(ctx: EngineContext, p: PoolEcon, calmMs: number): boolean {
  return ctx.risk.revertAllowed(p.ref.poolId, typeKey(p.ref.instanceType), ctx.nowMs, calmMs);
}
