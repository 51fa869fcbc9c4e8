import type { PodShape } from './placement-problem.ts';
import { fitCount, type PreparedProblem } from './prepare-problem.ts';

/** One node being filled: its pool, the room left, and the pods on it per shape index. */
export interface Bin {
  pool: number;
  cpu: number;
  mem: number;
  pods: Map<number, number>;
  /** A node of the current fleet (removing it counts against the disruption budget). */
  current: boolean;
}

export function emptyBin(prep: PreparedProblem, pool: number, current = false): Bin {
  return { pool, cpu: prep.capCpu[pool] as number, mem: prep.capMem[pool] as number, pods: new Map(), current };
}

/** Puts up to `want` pods of shape `s` on the bin; returns how many went on. */
export function fillBin(bin: Bin, s: number, shape: PodShape, want: number): number {
  const n = Math.min(want, fitCount(shape, bin.cpu, bin.mem));
  if (n <= 0) return 0;
  bin.cpu -= n * shape.cpuMillis;
  bin.mem -= n * shape.memoryMib;
  bin.pods.set(s, (bin.pods.get(s) ?? 0) + n);
  return n;
}

/**
 * Shapes in first-fit-decreasing order: largest dominant share of a reference node first
 * (the share of CPU or memory, whichever is larger), ties by index so runs are repeatable.
 */
export function decreasingOrder(shapes: readonly PodShape[], shapeIndexes: number[], refCpu: number, refMem: number): number[] {
  const size = (s: number) => {
    const sh = shapes[s] as PodShape;
    return Math.max(sh.cpuMillis / refCpu, sh.memoryMib / refMem);
  };
  return [...shapeIndexes].sort((a, b) => size(b) - size(a) || a - b);
}

/**
 * Packs pods onto nodes of one pool by first-fit-decreasing and returns the bins. The
 * MILP's capacity rows are aggregate (Σ requests ≤ nodes × capacity); this is how a plan
 * is checked to be schedulable node by node. FFD may need more nodes than the best
 * packing, never fewer, so a plan that passes this check is certainly schedulable.
 */
export function packPool(prep: PreparedProblem, pool: number, podsPerShape: ReadonlyMap<number, number>): Bin[] {
  const order = decreasingOrder(prep.shapes, [...podsPerShape.keys()], prep.capCpu[pool] as number, prep.capMem[pool] as number);
  const bins: Bin[] = [];
  for (const s of order) {
    const shape = prep.shapes[s] as PodShape;
    let left = podsPerShape.get(s) ?? 0;
    for (const bin of bins) {
      if (left === 0) break;
      left -= fillBin(bin, s, shape, left);
    }
    while (left > 0) {
      const bin = emptyBin(prep, pool);
      const n = fillBin(bin, s, shape, left);
      if (n === 0) throw new Error(`shape ${shape.id} does not fit on an empty node of pool ${prep.pools[pool]?.id}`);
      left -= n;
      bins.push(bin);
    }
  }
  return bins;
}
