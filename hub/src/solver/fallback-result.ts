import { ffdPlan } from './ffd-heuristic.ts';
import type { SolveResult } from './placement-plan.ts';
import type { PlacementProblem } from './placement-problem.ts';
import { expectedCost, planViolations, toPlacementPlan } from './plan-check.ts';
import { prepareProblem } from './prepare-problem.ts';

/**
 * The first-fit-decreasing result, computed without HiGHS: what solve() returns when the
 * worker thread crashed or hung. Runs on the calling thread; it is quick (tens of
 * milliseconds for 1,000 pods) and only used on that failure path. Expects a problem that
 * validateProblem() accepted.
 */
export function fallbackResult(problem: PlacementProblem, reason: string, elapsedMs: number): SolveResult {
  const t0 = performance.now();
  const prep = prepareProblem(problem);
  const ffd = ffdPlan(prep);
  const violations = planViolations(prep, ffd);
  const cost = expectedCost(prep, ffd.nodes);
  const ffdMs = performance.now() - t0;
  const ok = violations.length === 0;
  return {
    status: ok ? 'fallback' : 'infeasible',
    plan: ok ? toPlacementPlan(prep, ffd) : null,
    source: ok ? 'ffd' : null,
    solverStatus: `not run: ${reason}`,
    bound: null,
    gap: null,
    ffd: { expectedCostPerHour: cost, nodeCount: ffd.bins.length, violations },
    warmStart: 'off',
    incumbents: ok ? [{ timeS: (elapsedMs + ffdMs) / 1000, expectedCostPerHour: cost, bound: Number.NEGATIVE_INFINITY }] : [],
    model: { columns: 0, rows: 0, integerColumns: 0 },
    timings: { totalMs: elapsedMs + ffdMs, ffdMs, lpMs: 0, milpMs: 0 },
    notes: [reason, ...(ok ? [] : [`first-fit-decreasing plan breaks: ${violations.join('; ')}`])],
  };
}
