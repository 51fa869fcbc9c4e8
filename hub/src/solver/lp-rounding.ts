import { type Bin, emptyBin } from './bin-packing.ts';
import { repairCounts } from './constraint-repair.ts';
import { indexPlanOf, packPods } from './ffd-heuristic.ts';
import type { Pattern } from './patterns.ts';
import type { PodShape } from './placement-problem.ts';
import type { IndexPlan } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * The cutting-stock rounding of the LP relaxation: keep ⌊y_j⌋ nodes of every pattern, one
 * more where the fraction is at least `roundUpFrom` (1: never; 0.5: to nearest), pods
 * beyond demand taken off; pack the pods left over first-fit-decreasing (onto room left
 * on those nodes, then new nodes); repair the node-count rules (disruption budget,
 * on-demand floor, share caps, zones) as the FFD heuristic does. The LP is usually within
 * a node or two of an integer plan, so this is a far better warm start for the MILP than
 * FFD alone. Which threshold works best varies, so the caller tries several; it checks
 * the result like any plan.
 */
export function roundLpPlan(
  prep: PreparedProblem,
  patterns: readonly Pattern[],
  y: readonly number[],
  roundUpFrom = 1,
): IndexPlan & { bins: Bin[] } {
  const bins: Bin[] = [];
  const left = prep.shapes.map((s: PodShape) => s.count);
  patterns.forEach((pat, j) => {
    const v = y[j] ?? 0;
    const k = Math.floor(v + 1e-6) + (v - Math.floor(v + 1e-6) >= roundUpFrom ? 1 : 0);
    for (let i = 0; i < k; i++) {
      const bin = emptyBin(prep, pat.pool);
      pat.shapes.forEach((s, t) => {
        const take = Math.min(pat.counts[t] as number, left[s] as number);
        if (take <= 0) return;
        const shape = prep.shapes[s] as PodShape;
        bin.pods.set(s, take);
        bin.cpu -= take * shape.cpuMillis;
        bin.mem -= take * shape.memoryMib;
        left[s] = (left[s] as number) - take;
      });
      // Nodes emptied by the surplus trimming are dropped; the packing below opens what it needs.
      if (bin.pods.size > 0) bins.push(bin);
    }
  });
  packPods(prep, bins, left);
  repairCounts(prep, bins);
  return indexPlanOf(prep, bins);
}
