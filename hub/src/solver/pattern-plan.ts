import { type Bin, emptyBin } from './bin-packing.ts';
import { indexPlanOf } from './ffd-heuristic.ts';
import type { Pattern } from './patterns.ts';
import type { PodShape } from './placement-problem.ts';
import type { IndexPlan } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * Turns a master MILP solution into a plan with its packing: y_j nodes laid out as
 * pattern j, plus n_p − Σ y empty nodes per pool. Patterns may cover more pods than there
 * are (demand rows are ≥), so surplus slots are emptied, from the last nodes first; taking
 * pods off a node never breaks its fit, so the plan stays schedulable node by node.
 */
export function patternPlan(
  prep: PreparedProblem,
  patterns: readonly Pattern[],
  nodes: readonly number[],
  y: readonly number[],
): IndexPlan {
  const bins: Bin[] = [];
  const perPool = prep.pools.map(() => 0);
  patterns.forEach((pat, j) => {
    const k = Math.round(y[j] ?? 0);
    for (let i = 0; i < k; i++) {
      bins.push(binOf(prep, pat));
      perPool[pat.pool] = (perPool[pat.pool] as number) + 1;
    }
  });
  nodes.forEach((n, p) => {
    for (let i = perPool[p] as number; i < Math.round(n); i++) bins.push(emptyBin(prep, p));
  });
  // Empty the surplus: walk nodes from the end, taking off pods of shapes that are over.
  const surplus = prep.shapes.map((shape: PodShape) => -shape.count);
  for (const b of bins) for (const [s, k] of b.pods) surplus[s] = (surplus[s] as number) + k;
  for (let i = bins.length - 1; i >= 0; i--) {
    const b = bins[i] as Bin;
    for (const [s, k] of b.pods) {
      const over = surplus[s] as number;
      if (over <= 0) continue;
      const take = Math.min(over, k);
      const shape = prep.shapes[s] as PodShape;
      b.cpu += take * shape.cpuMillis;
      b.mem += take * shape.memoryMib;
      surplus[s] = over - take;
      if (take === k) b.pods.delete(s);
      else b.pods.set(s, k - take);
    }
  }
  return indexPlanOf(prep, bins);
}

function binOf(prep: PreparedProblem, pat: Pattern): Bin {
  const bin = emptyBin(prep, pat.pool);
  pat.shapes.forEach((s, i) => {
    const k = pat.counts[i] as number;
    const shape = prep.shapes[s] as PodShape;
    bin.pods.set(s, k);
    bin.cpu -= k * shape.cpuMillis;
    bin.mem -= k * shape.memoryMib;
  });
  return bin;
}
