import type { LpSolution, MasterLp } from './master-lp.ts';
import { bestPattern, type KnapsackItem } from './pattern-pricing.ts';
import type { Pattern } from './patterns.ts';
import type { PodShape } from './placement-problem.ts';
import type { PreparedProblem } from './prepare-problem.ts';

export interface ColumnGenerationResult {
  /** A valid lower bound on the expected cost of every plan; −Infinity when none was proven. */
  bound: number;
  /** The last LP value of the restricted master. */
  lpObjective: number;
  /** No pattern prices out any more: the LP value is the bound. */
  converged: boolean;
  iterations: number;
  added: number;
  /** HiGHS' status of the last LP (e.g. infeasible). */
  lpStatus: string;
  /** The last optimal LP solution (its y may be shorter than the pattern list: later patterns are 0). */
  last: LpSolution | null;
}

export interface ColumnGenerationOptions {
  /** Stop after this long (the MILP needs the rest of the budget). */
  timeLimitSeconds: number;
  /** Stop when the LP value is within this fraction of the proven bound. Default 0.001. */
  tolerance?: number;
  /**
   * An upper bound on the number of nodes of an optimal plan (e.g. a known plan's cost ÷
   * the cheapest node), for the Lagrangian bound before convergence. Omit if unknown.
   */
  maxNodes?: number;
}

/**
 * Column generation (Gilmore–Gomory) on the LP relaxation of the pattern master: solve
 * the LP, read the duals (π_s per shape's demand row, μ_p per pool's node row), and for
 * each group of pools with the same node size and eligible shapes find the pattern of
 * largest Σ π_s count_s (bestPattern). It prices out on pool p — helps the LP — when
 * that value exceeds −μ_p, the pool's effective node price. Adds those patterns to
 * `patterns` (in place) and repeats until none prices out or time is up.
 *
 * The bound: at the LP optimum with duals π, μ, any plan costs at least
 * LP + N × min_p(−μ_p − value_p) (Lagrangian, N = nodes of an optimal plan), and exactly
 * the LP value once converged; both hold for every integer plan, since every plan is
 * some set of patterns. Adds the patterns through `lp`, which keeps the pattern set in step.
 */
export function generateColumns(lp: MasterLp, prep: PreparedProblem, options: ColumnGenerationOptions): ColumnGenerationResult {
  const t0 = performance.now();
  const tolerance = options.tolerance ?? 0.001;
  const { dRow, lRow } = lp;
  const groups = poolGroups(prep).filter((g) => g.pools.some((p) => (lRow[p] as number) >= 0));
  let last: LpSolution | null = null;
  let bound = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  let added = 0;
  for (;;) {
    const solution = lp.solve();
    if (!solution) break;
    last = solution;
    iterations++;
    const dual = solution.dual;
    const pi = prep.shapes.map((_, s) => ((dRow[s] as number) >= 0 ? Math.max(0, dual[dRow[s] as number] as number) : 0));

    let minReducedCost = 0;
    let exact = true;
    const fresh: Pattern[] = [];
    for (const g of groups) {
      const pools = g.pools.filter((p) => (lRow[p] as number) >= 0);
      // −μ_p: what a node of pool p effectively costs in the LP; a pattern must be worth more to help.
      const price = pools.map((p) => -(dual[lRow[p] as number] as number));
      const first = g.pools[0] as number;
      const items: KnapsackItem[] = g.shapes.map((s) => {
        const shape = prep.shapes[s] as PodShape;
        return {
          shape: s,
          value: pi[s] as number,
          cpu: shape.cpuMillis,
          mem: shape.memoryMib,
          max: Math.min(shape.count, prep.perNode[s]?.[first] as number),
        };
      });
      const best = bestPattern(items, prep.capCpu[first] as number, prep.capMem[first] as number, { target: Math.min(...price) });
      exact &&= best.exact;
      const shapes: number[] = [];
      const counts: number[] = [];
      best.counts.forEach((k, i) => {
        if (k > 0) {
          shapes.push((items[i] as KnapsackItem).shape);
          counts.push(k);
        }
      });
      pools.forEach((p, i) => {
        minReducedCost = Math.min(minReducedCost, (price[i] as number) - best.upperBound);
        if ((price[i] as number) - best.value < -1e-7 && shapes.length > 0) fresh.push({ pool: p, shapes, counts });
      });
    }
    // minReducedCost comes from proven upper bounds on pattern values, so this holds even when a search was cut short.
    if (options.maxNodes !== undefined) bound = Math.max(bound, solution.objective + options.maxNodes * minReducedCost);
    let addedNow = 0;
    for (const pat of fresh) if (lp.addPattern(pat)) addedNow++;
    added += addedNow;
    if (addedNow === 0) {
      // Nothing prices out: if every search was complete, the LP value is the bound.
      converged = exact;
      if (exact) bound = Math.max(bound, solution.objective);
      break;
    }
    if (solution.objective - bound <= tolerance * Math.abs(solution.objective)) break;
    if ((performance.now() - t0) / 1000 > options.timeLimitSeconds) break;
  }
  // Converged with pods still uncovered: no plan places them all (the relaxation of every plan is infeasible).
  const infeasible = converged && (last?.uncovered ?? 0) > 1e-6;
  return {
    bound: infeasible ? Number.NEGATIVE_INFINITY : bound,
    lpObjective: last?.objective ?? Number.NaN,
    converged,
    iterations,
    added,
    lpStatus: infeasible ? 'infeasible' : lp.status,
    last,
  };
}

interface PoolGroup {
  pools: number[];
  shapes: number[];
}

/** Pools whose nodes hold the same pods (same room, same eligible shapes) share one pricing problem. */
function poolGroups(prep: PreparedProblem): PoolGroup[] {
  const groups = new Map<string, PoolGroup>();
  prep.pools.forEach((_, p) => {
    if ((prep.maxNodes[p] as number) === 0) return;
    const shapes = prep.shapes.flatMap((shape, s) => (shape.count > 0 && (prep.perNode[s]?.[p] ?? 0) > 0 ? [s] : []));
    if (shapes.length === 0) return;
    const key = `${prep.capCpu[p]}|${prep.capMem[p]}|${shapes.join(',')}`;
    const g = groups.get(key);
    if (g) g.pools.push(p);
    else groups.set(key, { pools: [p], shapes });
  });
  return [...groups.values()];
}
