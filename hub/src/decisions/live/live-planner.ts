import type { PlacementPlan, SolveOptions, SolveResult } from '../../solver/index.ts';
import type { DecisionPolicies } from '../decision-policies.ts';
import type { EngineInput } from '../engine-input.ts';
import { type PlanWorkload, planProblem } from '../plan-problem.ts';

/** The solver as the planner uses it (PlacementSolver: HiGHS in a worker thread). */
export interface PlanSolver {
  solve(problem: ReturnType<typeof planProblem>, options?: SolveOptions): Promise<SolveResult>;
}

/** The best plan of one run and what it saves against on-demand. */
export interface LivePlan {
  plan: PlacementPlan;
  solvedAtMs: number;
  /** USD/hour: Σ nodes × (on-demand price of the pool's type − the pool's price). */
  savingsPerHour: number;
}

/**
 * The solver's best placement for a cluster as it is now, under the same policies and
 * overrides as the engine: the engine checks its decisions against it (the `solved` stage),
 * and its savings are the denominator of the optimization rate. Null when there is nothing
 * the solver can plan (no pods, no priced pools) or it found no plan.
 */
export async function solveLivePlan(
  solver: PlanSolver,
  input: EngineInput,
  workloads: readonly PlanWorkload[],
  policies: DecisionPolicies,
  timeLimitSeconds = 2,
): Promise<LivePlan | null> {
  if (workloads.every((w) => w.desired === 0)) return null;
  const problem = planProblem({
    nowMs: input.nowMs,
    pools: input.pools,
    workloads,
    policies,
    ...(input.overrides ? { overrides: input.overrides } : {}),
    ...(input.nodeOverhead ? { nodeOverhead: input.nodeOverhead } : {}),
  });
  if (problem.shapes.length === 0 || problem.pools.length === 0) return null;
  const result = await solver.solve(problem, { timeLimitSeconds, mipRelGap: 0.02 });
  if (!result.plan) return null;
  const byId = new Map(input.pools.map((p) => [p.pool.poolId, p]));
  let savingsPerHour = 0;
  for (const [poolId, count] of Object.entries(result.plan.nodes)) {
    const p = byId.get(poolId);
    if (p) savingsPerHour += count * (p.onDemandPricePerHour - p.pricePerHour);
  }
  return { plan: result.plan, solvedAtMs: input.nowMs, savingsPerHour };
}
