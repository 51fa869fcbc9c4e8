import type { Decision, DecisionInputs, DropReason, ExpectedSavings, LaunchTarget, PoolRef } from './decision-types.ts';
import type { EngineContext, PoolEcon } from './engine-context.ts';
import type { Draft } from './methods/method.ts';
import { scoreBreakdown } from './score-breakdown.ts';

const HOUR_MS = 3_600_000;

/** A decision at the candidate stage, with its record: what the engine saw and the score breakdowns. */
export function buildDecision(id: string, draft: Draft, ctx: EngineContext): Decision {
  const now = ctx.nowMs;
  const t = draft.target;
  const launch: LaunchTarget | null =
    draft.needsLaunch && t ? { ...t.pool.ref, count: t.count, pricePerHour: t.pool.state.pricePerHour } : null;
  const delay = draft.urgent ? 0 : ctx.policies.validationDelayMs[draft.kind];
  return {
    id,
    kind: draft.kind,
    reason: draft.reason,
    urgent: draft.urgent,
    createdAtMs: now,
    validateAtMs: now + delay,
    updatedAtMs: now,
    stage: 'candidate',
    status: 'awaiting-validation',
    nodeIds: [...draft.nodeIds],
    from: draft.from ? ref(draft.from) : null,
    launch,
    premise: {
      nodeIds: [...draft.nodeIds],
      targetPoolId: launch?.poolId ?? null,
      targetPricePerHour: launch?.pricePerHour ?? null,
      expectedSavingsPerHourUsd: 0,
      ...(draft.uncoveredPods === undefined ? {} : { uncoveredPods: draft.uncoveredPods }),
    },
    inputs: inputsOf(draft, ctx),
    scores: { from: draft.from ? scoreBreakdown(draft.from.state) : null, to: t ? scoreBreakdown(t.pool.state) : null },
    expectedSavings: { perHourUsd: 0, riskPerHourUsd: 0, horizonHours: ctx.policies.savingsHorizonHours, totalUsd: 0 },
    realizedSavings: null,
    dropped: null,
    failure: null,
    approvedBy: null,
    history: [{ stage: 'candidate', atMs: now }],
  };
}

function ref(p: PoolEcon): PoolRef {
  return { ...p.ref };
}

function inputsOf(draft: Draft, ctx: EngineContext): DecisionInputs {
  const plan = ctx.input.plan;
  const touched = [draft.from?.ref.poolId, draft.target?.pool.ref.poolId].filter((p): p is string => p !== undefined);
  const pending: Record<string, number> = {};
  for (const g of ctx.input.pending) pending[g.workload] = (pending[g.workload] ?? 0) + g.count;
  const p = ctx.policies;
  return {
    nowMs: ctx.nowMs,
    nodes: draft.nodeIds.flatMap((id) => {
      const n = ctx.nodes.get(id);
      if (!n) return [];
      const pods: Record<string, number> = {};
      for (const g of n.pods) pods[g.workload] = (pods[g.workload] ?? 0) + g.count;
      return [
        {
          id,
          poolId: n.pool.poolId,
          pricePerHour: n.pricePerHour,
          onDemandPricePerHour: n.onDemandPricePerHour,
          ageHours: (ctx.nowMs - n.launchedAtMs) / HOUR_MS,
          pods,
        },
      ];
    }),
    pendingPods: pending,
    plan: plan
      ? {
          solvedAtMs: plan.solvedAtMs,
          nodes: Object.fromEntries(touched.map((id) => [id, plan.plan.nodes[id] ?? 0])),
          expectedCostPerHour: plan.plan.expectedCostPerHour,
        }
      : null,
    budgets: ctx.budgetsOf(draft.nodeIds),
    policy: {
      interruptionCostUsd: p.interruptionCostUsd,
      revertAfterCalmMs: p.revertAfterCalmMs,
      replaceMinSavingsPct: p.replaceMinSavingsPct,
      maxPoolShare: p.maxPoolShare,
      disruptionCostPerPodUsd: p.disruptionCostPerPodUsd,
      consolidationPaybackHours: p.consolidationPaybackHours,
      fallbackMonthlyInterruptionProbability: p.model.parameters.thresholds.fallbackMonthlyInterruptionProbability,
      calmMonthlyInterruptionProbability: p.model.parameters.thresholds.calmMonthlyInterruptionProbability,
      model: `${p.model.name}@${p.model.version}`,
    },
  };
}

/** The feasible stage: nodes free to act on, a target, the concurrency limit, PDB budgets, the on-demand floor, overrides. */
export function feasibility(draft: Draft, ctx: EngineContext): { reason: DropReason; detail: string } | null {
  for (const id of draft.nodeIds) {
    const n = ctx.nodes.get(id);
    if (!n) return { reason: 'node-gone', detail: `node ${id} is gone` };
    if (ctx.claimed.has(id)) return { reason: 'node-busy', detail: `node ${id} is part of another decision` };
    if (draft.reason !== 'interruption-notice' && (n.disrupting || n.interruptionNoticeAtMs !== null)) {
      return { reason: 'node-busy', detail: `node ${id} is already draining` };
    }
  }
  if (draft.needsLaunch && draft.target === null) return { reason: 'no-target', detail: 'no pool may take the pods now' };
  const t = draft.target?.pool;
  if (t?.forced) return { reason: 'override', detail: `an override forbids spot in ${t.ref.poolId}` };
  // Removing an empty node disrupts nothing: it is not held to the concurrency limit.
  const occupied = draft.nodeIds.filter((id) => (ctx.nodes.get(id)?.pods.length ?? 0) > 0).length;
  if (!draft.urgent && occupied > 0) {
    if (ctx.voluntaryInFlight + occupied > ctx.disruptionLimit) {
      return {
        reason: 'concurrency-limit',
        detail: `${ctx.voluntaryInFlight} voluntary disruptions under way (limit ${ctx.disruptionLimit})`,
      };
    }
    const blocked = ctx.podsOf(draft.nodeIds).find((g) => ctx.evictionsLeft(g.workload) < 1);
    if (blocked) return { reason: 'pdb-budget', detail: `the budget of ${blocked.workload} allows no eviction now` };
  }
  const removedOd = draft.nodeIds.filter((id) => ctx.nodes.get(id)?.pool.capacityType === 'on-demand').length;
  const addedOd = draft.target?.pool.ref.capacityType === 'on-demand' ? draft.target.count : 0;
  if (removedOd > addedOd && ctx.onDemandNodes - removedOd + addedOd < ctx.onDemandFloor) {
    return { reason: 'on-demand-floor', detail: `the fleet must keep ${ctx.onDemandFloor} on-demand nodes` };
  }
  return null;
}

/** Expected savings per hour (price and interruption risk), against the status quo or, for new capacity, against on-demand. */
export function savingsOf(draft: Draft, ctx: EngineContext): ExpectedSavings {
  const t = draft.target;
  const after = t && draft.needsLaunch ? t.count * t.pool.expectedCostPerHour : 0;
  const afterRisk = t && draft.needsLaunch ? t.count * t.pool.riskPerHour : 0;
  let before = 0;
  let beforeRisk = 0;
  if (draft.savingsBasis === 'on-demand' && t) {
    before = t.count * t.pool.state.onDemandPricePerHour;
  } else {
    for (const id of draft.nodeIds) {
      const n = ctx.nodes.get(id);
      if (!n) continue;
      const risk = ctx.pools.get(n.pool.poolId)?.riskPerHour ?? 0;
      before += n.pricePerHour + risk;
      beforeRisk += risk;
    }
  }
  const perHourUsd = before - after;
  const h = ctx.policies.savingsHorizonHours;
  return { perHourUsd, riskPerHourUsd: beforeRisk - afterRisk, horizonHours: h, totalUsd: perHourUsd * h };
}

/**
 * The solved stage: a voluntary move must agree with the solver's plan — a replacement or
 * a revert goes where the plan wants more nodes, a consolidation does not take a pool below
 * the plan (empty nodes excepted). Urgent decisions and fallbacks answer events and risk the
 * plan could not foresee; without a plan everything passes.
 */
export function planCheck(draft: Draft, ctx: EngineContext): DropReason | null {
  const plan = ctx.input.plan?.plan;
  if (!plan || draft.urgent) return null;
  if ((draft.kind === 'replace' || draft.kind === 'revert') && draft.target) {
    return ctx.planDeficit(draft.target.pool.ref.poolId) >= 1 ? null : 'not-in-plan';
  }
  if (draft.kind === 'consolidate' && ctx.nodePods(draft.nodeIds) > 0) {
    const pool = draft.from?.ref.poolId;
    if (pool !== undefined && ctx.count(pool) - draft.nodeIds.length < (plan.nodes[pool] ?? 0)) return 'not-in-plan';
  }
  return null;
}

/** Validation checks every kind shares: the nodes are still there and not interrupted, the target is still usable and priced as assumed, budgets allow. */
export function commonRecheck(d: Decision, ctx: EngineContext): DropReason | null {
  for (const id of d.nodeIds) {
    const n = ctx.nodes.get(id);
    if (!n) return 'node-gone';
    if (d.reason !== 'interruption-notice' && n.interruptionNoticeAtMs !== null) return 'node-gone';
  }
  const t = d.launch;
  if (t) {
    const pool = ctx.pools.get(t.poolId);
    if (!pool || (t.capacityType === 'spot' && !ctx.spotUsable(pool))) return 'target-unavailable';
    if (!d.urgent && pool.state.pricePerHour > t.pricePerHour * (1 + ctx.policies.priceTolerancePct)) return 'price-changed';
  }
  if (!d.urgent && ctx.podsOf(d.nodeIds).some((g) => ctx.evictionsLeft(g.workload) < 1)) return 'pdb-budget';
  return null;
}
