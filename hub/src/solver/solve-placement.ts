import type { Highs } from 'highs';
import { generateColumns } from './column-generation.ts';
import { ffdPlan } from './ffd-heuristic.ts';
import type { HighsRunOutput } from './highs-run.ts';
import { improvePlan } from './local-search.ts';
import { roundLpPlan } from './lp-rounding.ts';
import { MasterLp } from './master-lp.ts';
import type { MasterModel } from './master-model.ts';
import { type PackedPlan, searchMilp } from './milp-search.ts';
import { initialPatterns } from './patterns.ts';
import type { Incumbent, SolveOptions, SolveResult } from './placement-plan.ts';
import type { PlacementProblem } from './placement-problem.ts';
import { expectedCost, planViolations, toPlacementPlan } from './plan-check.ts';
import { prepareProblem } from './prepare-problem.ts';
import { validateProblem } from './validate-problem.ts';

export const DEFAULT_TIME_LIMIT_S = 10;
export const DEFAULT_MIP_REL_GAP = 0.01;
/** Column generation may use at most this share of the time limit, local search this share. */
const COLUMN_GENERATION_SHARE = 0.4;
const LOCAL_SEARCH_SHARE = 0.05;
/** LP roundings tried: round a pattern's node count up from these fractions (1 = round down). */
const ROUND_UP_FROM = [1, 0.8, 0.6, 0.5, 0.4, 0.3];

interface Best {
  plan: PackedPlan;
  cost: number;
  source: 'ffd' | 'lp-rounding' | 'milp';
}

/**
 * Solves a placement problem on the calling thread:
 *  1. validate; first-fit-decreasing plan (cost reference, fallback);
 *  2. column generation on the LP relaxation of the node-pattern model: the patterns a
 *     good plan needs, and a proven lower bound on the cost of any plan;
 *  3. the LP rounded (cutting-stock style, several thresholds) and improved by local
 *     search: a good plan in well under a second, the MILP's warm start;
 *  4. the pattern MILP on HiGHS over all generated patterns (milp-search.ts), warm-started
 *     from the best plan, until a plan is within `mipRelGap` of the bound of step 2 (or
 *     HiGHS proves it so over those patterns), or the time limit;
 *  5. the cheapest valid plan found; its gap is measured against the bound of step 2.
 * BLOCKS for up to the time limit: the hub calls it through PlacementSolver (a worker
 * thread). Throws SolverError(INVALID_INPUT) for a malformed problem; every other outcome
 * (infeasible, time limit, HiGHS failure) is in the result.
 */
export function solvePlacement(highs: Highs, problem: PlacementProblem, options: SolveOptions = {}): SolveResult {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  validateProblem(problem);
  const prep = prepareProblem(problem);
  const timeLimit = options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_S;
  const gapTarget = options.mipRelGap ?? DEFAULT_MIP_REL_GAP;
  const notes: string[] = [];
  const incumbents: Incumbent[] = [];

  const ffd = ffdPlan(prep);
  const ffdViolations = planViolations(prep, ffd);
  const ffdCost = expectedCost(prep, ffd.nodes);
  const ffdMs = seconds() * 1000;
  if (ffdViolations.length > 0) notes.push(`first-fit-decreasing plan breaks: ${ffdViolations.join('; ')}`);

  // The best valid plan so far, where it came from, and the proven lower bound.
  const state: { best: Best | null; bound: number | null } = { best: null, bound: null };
  const offer = (plan: PackedPlan, source: Best['source']): boolean => {
    const cost = expectedCost(prep, plan.nodes);
    if (state.best && cost >= state.best.cost - 1e-9) return false;
    if (planViolations(prep, plan).length > 0) return false;
    state.best = { plan, cost, source };
    incumbents.push({ timeS: seconds(), expectedCostPerHour: cost, bound: state.bound ?? Number.NEGATIVE_INFINITY });
    return true;
  };
  if (ffdViolations.length === 0) offer(ffd, 'ffd');

  const stranded = prep.shapes.filter((s, i) => s.count > 0 && (prep.eligible[i] as number[]).length === 0);
  for (const s of stranded) notes.push(`shape ${s.id} fits no pool it may use`);

  const patterns = initialPatterns(prep, ffd.bins);
  let full: HighsRunOutput | null = null;
  let milpModel: MasterModel | null = null;
  let infeasible = stranded.length > 0;
  const lpStart = seconds();
  let milpStart = lpStart;
  if (!infeasible) {
    try {
      // Every node costs at least the cheapest pool's price, so a plan cheaper than the best
      // known one has fewer than best ÷ cheapest nodes (the Lagrangian bound needs that count).
      const cheapest = Math.min(...prep.pools.filter((_, p) => (prep.maxNodes[p] as number) > 0).map((p) => p.expectedCostPerHour));
      const lp = new MasterLp(highs, prep, patterns);
      let lpY: number[] | null = null;
      try {
        const cg = generateColumns(lp, prep, {
          timeLimitSeconds: timeLimit * COLUMN_GENERATION_SHARE,
          ...(state.best && cheapest > 0 ? { maxNodes: Math.floor(state.best.cost / cheapest + 1e-9) } : {}),
        });
        if (Number.isFinite(cg.bound)) state.bound = cg.bound;
        notes.push(
          `column generation: ${cg.iterations} LPs, ${cg.added} patterns added (${patterns.list.length} in all), ${cg.converged ? 'converged' : 'stopped early'}, LP ${cg.lpObjective.toFixed(4)}`,
        );
        if (cg.lpStatus === 'infeasible') infeasible = true;
        else if (cg.last) lpY = cg.last.y;
      } finally {
        lp.dispose();
      }
      if (lpY) {
        // Round the LP several ways, consolidate each, and search further from the best.
        const goodEnough = state.bound !== null ? { goodEnough: state.bound / (1 - gapTarget) } : {};
        const budget = timeLimit * LOCAL_SEARCH_SHARE;
        let bestRounded: PackedPlan | null = null;
        let bestCost = Number.POSITIVE_INFINITY;
        for (const threshold of ROUND_UP_FROM) {
          const rounded = improvePlan(prep, roundLpPlan(prep, patterns.list, lpY, threshold), {
            timeLimitSeconds: budget / 4,
            rounds: 0,
            ...goodEnough,
          });
          const cost = expectedCost(prep, rounded.nodes);
          if (cost < bestCost && planViolations(prep, rounded).length === 0) {
            bestRounded = rounded;
            bestCost = cost;
          }
        }
        if (bestRounded) {
          const improved = improvePlan(prep, bestRounded, { timeLimitSeconds: budget, ...goodEnough });
          notes.push(
            `LP rounding and consolidation: ${bestCost.toFixed(4)}, after local search ${expectedCost(prep, improved.nodes).toFixed(4)}`,
          );
          offer(improved, 'lp-rounding');
        }
      }
      milpStart = seconds();
      // The MILP over all generated patterns, for the time left. (Searching a neighbourhood
      // of the LP first, RENS-like, was tried: on the benchmark it was no faster overall.)
      const left = timeLimit - seconds();
      if (!withinGap(state.best, state.bound, gapTarget) && left > 0.05) {
        const { run, model } = searchMilp(highs, prep, patterns, {
          timeLimitSeconds: left,
          gapTarget,
          goodEnough: () => withinGap(state.best, state.bound, gapTarget),
          start: options.warmStart === false ? null : (state.best?.plan ?? null),
          log: options.log,
          onPlan: (plan) => {
            offer(plan, 'milp');
          },
        });
        full = run;
        milpModel = model;
        if (run.status === 'infeasible') infeasible = true;
      }
    } catch (e) {
      notes.push(`HiGHS failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const chosen = infeasible ? null : state.best;
  const bound = state.bound;
  const run = full as HighsRunOutput | null;
  const proven = withinGap(chosen, bound, gapTarget) || run?.status === 'optimal';
  const model = milpModel as MasterModel | null;

  return {
    status: !chosen ? 'infeasible' : proven ? 'optimal' : run?.values || chosen.source === 'milp' ? 'time-limit' : 'fallback',
    plan: chosen ? toPlacementPlan(prep, chosen.plan) : null,
    source: chosen ? chosen.source : null,
    solverStatus: run
      ? run.status
      : stranded.length > 0
        ? 'not run: a shape fits no pool'
        : withinGap(chosen, bound, gapTarget)
          ? 'not run: heuristic plan within gap of the bound'
          : 'not run',
    bound,
    // Bounds and costs are in USD/h; a plan can only tie the bound, the clamp absorbs rounding.
    gap: chosen && bound !== null ? (chosen.cost > 0 ? Math.max(0, (chosen.cost - bound) / chosen.cost) : 0) : null,
    ffd: { expectedCostPerHour: ffdCost, nodeCount: ffd.bins.length, violations: ffdViolations },
    warmStart:
      options.warmStart === false || !run
        ? 'off'
        : run.startAccepted === null
          ? 'not-feasible'
          : run.startAccepted
            ? 'accepted'
            : 'rejected',
    incumbents,
    model: model
      ? { columns: model.columns, rows: model.rows, integerColumns: model.integerColumns }
      : { columns: 0, rows: 0, integerColumns: 0 },
    timings: { totalMs: seconds() * 1000, ffdMs, lpMs: (milpStart - lpStart) * 1000, milpMs: run ? (seconds() - milpStart) * 1000 : 0 },
    notes,
  };
}

function withinGap(best: { cost: number } | null, bound: number | null, gap: number): boolean {
  return best !== null && bound !== null && best.cost > 0 && (best.cost - bound) / best.cost <= gap;
}
