import { type Bin, decreasingOrder, emptyBin, fillBin } from './bin-packing.ts';
import { repairCounts } from './constraint-repair.ts';
import type { PodShape, Pool } from './placement-problem.ts';
import type { IndexPlan } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * First-fit-decreasing on the cheapest offerings, the way Karpenter-like provisioners
 * place pods: pods largest first; each goes on the first open node it may use and fits
 * on; when none has room, a node is opened in the pool that is cheapest for the pods
 * still waiting. It is the MILP's warm start and its fallback, so it also respects what
 * it can: eligibility and pool limits while packing, the current fleet (its nodes are
 * filled first and only emptied ones are removed, within the disruption budget), then
 * repairCounts() for the on-demand floor, share caps and zone spread.
 *
 * The pool for a new node minimises expected cost ÷ f, where f is the share of the waiting
 * pods (those that may use the pool) that one node absorbs: min(1, node CPU ÷ waiting CPU,
 * node memory ÷ waiting memory). Big cheap-per-core nodes win while much is waiting;
 * at the tail the cheapest node that fits wins. Pods that fit no pool stay unplaced
 * (the plan check then reports a demand violation).
 */
export function ffdPlan(prep: PreparedProblem): IndexPlan & { bins: Bin[] } {
  const bins: Bin[] = [];
  prep.current.forEach((n, p) => {
    for (let i = 0; i < n; i++) bins.push(emptyBin(prep, p, true));
  });
  packPods(
    prep,
    bins,
    prep.shapes.map((s) => s.count),
  );
  // Empty nodes of the current fleet go, the most expensive first, as far as the budget allows.
  const cost = (b: Bin) => (prep.pools[b.pool] as Pool).expectedCostPerHour;
  const removable = bins.filter((b) => b.current && b.pods.size === 0).sort((a, b) => cost(b) - cost(a));
  const remove = new Set(removable.slice(0, Math.min(removable.length, prep.maxReplacements)));
  const kept = bins.filter((b) => !remove.has(b));
  repairCounts(prep, kept);
  return indexPlanOf(prep, kept);
}

/**
 * Packs `pods[s]` pods of each shape, largest first: onto the given nodes where they fit
 * (first fit), then onto new nodes opened in the pool cheapest for what is still waiting.
 * Appends the new nodes to `bins`. Pods that fit no pool stay unplaced.
 */
export function packPods(prep: PreparedProblem, bins: Bin[], pods: readonly number[]): void {
  const { pools, shapes } = prep;
  const opened = pools.map(() => 0);
  for (const b of bins) opened[b.pool] = (opened[b.pool] as number) + 1;

  // Requests still waiting, per pool, of the pods that may use it.
  const waitCpu = pools.map(() => 0);
  const waitMem = pools.map(() => 0);
  const wait = (s: number, k: number) => {
    const shape = shapes[s] as PodShape;
    for (const p of prep.eligible[s] as number[]) {
      waitCpu[p] = (waitCpu[p] as number) + k * shape.cpuMillis;
      waitMem[p] = (waitMem[p] as number) + k * shape.memoryMib;
    }
  };
  pods.forEach((k, s) => {
    wait(s, k);
  });

  const usableCaps = pools.map((_, p) => p).filter((p) => prep.usable[p]);
  const refCpu = median(usableCaps.map((p) => prep.capCpu[p] as number)) || 1;
  const refMem = median(usableCaps.map((p) => prep.capMem[p] as number)) || 1;
  for (const s of decreasingOrder(shapes, [...shapes.keys()], refCpu, refMem)) {
    const shape = shapes[s] as PodShape;
    const fits = prep.perNode[s] as number[];
    let left = pods[s] ?? 0;
    for (const bin of bins) {
      if (left === 0) break;
      if ((fits[bin.pool] as number) === 0) continue;
      const n = fillBin(bin, s, shape, left);
      left -= n;
      wait(s, -n);
    }
    while (left > 0) {
      const p = cheapestFor(prep, s, opened, waitCpu, waitMem);
      if (p < 0) break;
      const bin = emptyBin(prep, p);
      const n = fillBin(bin, s, shape, left);
      bins.push(bin);
      opened[p] = (opened[p] as number) + 1;
      left -= n;
      wait(s, -n);
    }
  }
}

function cheapestFor(prep: PreparedProblem, s: number, opened: number[], waitCpu: number[], waitMem: number[]): number {
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const p of prep.eligible[s] as number[]) {
    if ((opened[p] as number) >= (prep.maxNodes[p] as number)) continue;
    const f = Math.min(
      1,
      (prep.capCpu[p] as number) / Math.max(1e-9, waitCpu[p] as number),
      (prep.capMem[p] as number) / Math.max(1e-9, waitMem[p] as number),
    );
    const score = (prep.pools[p] as Pool).expectedCostPerHour / f;
    if (score < bestScore) {
      bestScore = score;
      best = p;
    }
  }
  return best;
}

/** Node and pod counts per pool from a list of filled nodes (which become the plan's packing). */
export function indexPlanOf(prep: PreparedProblem, bins: Bin[]): IndexPlan & { bins: Bin[] } {
  const nodes = prep.pools.map(() => 0);
  const x = prep.shapes.map(() => prep.pools.map(() => 0));
  for (const b of bins) {
    nodes[b.pool] = (nodes[b.pool] as number) + 1;
    for (const [s, n] of b.pods) (x[s] as number[])[b.pool] = ((x[s] as number[])[b.pool] as number) + n;
  }
  return { nodes, x, bins };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
