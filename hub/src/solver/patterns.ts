import type { Bin } from './bin-packing.ts';
import type { PodShape } from './placement-problem.ts';
import { fitCount, type PreparedProblem } from './prepare-problem.ts';

/**
 * A node pattern: how many pods of which shapes one node of a pool holds. The MILP counts
 * nodes per pattern instead of pods per pool, so every plan it finds packs node by node
 * by construction (a pod-count model only checks capacity in aggregate, and its plans
 * needed ~6% more nodes once packed).
 */
export interface Pattern {
  pool: number;
  /** Shape indexes, ascending, each with its count (> 0). */
  shapes: number[];
  counts: number[];
}

export function patternKey(p: Pattern): string {
  return `${p.pool}:${p.shapes.map((s, i) => `${s}x${p.counts[i]}`).join(',')}`;
}

/** Patterns without duplicates, in insertion order (the order is the column order). */
export class PatternSet {
  readonly list: Pattern[] = [];
  private readonly index = new Map<string, number>();

  /** Adds the pattern unless it is already there; returns whether it was added. */
  add(p: Pattern): boolean {
    const key = patternKey(p);
    if (this.index.has(key)) return false;
    this.index.set(key, this.list.length);
    this.list.push(p);
    return true;
  }

  /** The pattern's position in `list`, or −1. */
  indexOf(p: Pattern): number {
    return this.index.get(patternKey(p)) ?? -1;
  }

  /** Position of a node's pattern, or −1 (an empty node has none). */
  indexOfBin(bin: Bin): number {
    const p = patternOfBin(bin);
    return p ? this.indexOf(p) : -1;
  }

  /** Adds the patterns of these nodes, so that a plan made of them can be a MILP start. */
  addBins(bins: readonly Bin[]): void {
    for (const bin of bins) {
      const p = patternOfBin(bin);
      if (p) this.add(p);
    }
  }
}

export function patternOfBin(bin: Bin): Pattern | null {
  const shapes = [...bin.pods.keys()].filter((s) => (bin.pods.get(s) ?? 0) > 0).sort((a, b) => a - b);
  if (shapes.length === 0) return null;
  return { pool: bin.pool, shapes, counts: shapes.map((s) => bin.pods.get(s) as number) };
}

/**
 * The starting columns: every distinct node of the first-fit-decreasing plan (so it can
 * be the MILP's warm start), and for every pool and shape that may use it a node full of
 * that shape (so every pod can be covered from the first LP on). Column generation adds
 * the rest.
 */
export function initialPatterns(prep: PreparedProblem, ffdBins: readonly Bin[]): PatternSet {
  const set = new PatternSet();
  for (const bin of ffdBins) {
    if ((prep.maxNodes[bin.pool] as number) === 0) continue;
    const p = patternOfBin(bin);
    if (p) set.add(p);
  }
  prep.shapes.forEach((shape, s) => {
    if (shape.count === 0) return;
    for (const pool of prep.eligible[s] as number[]) {
      if ((prep.maxNodes[pool] as number) === 0) continue;
      const k = Math.min(shape.count, prep.perNode[s]?.[pool] as number);
      set.add({ pool, shapes: [s], counts: [k] });
    }
  });
  return set;
}

/** Whether a pattern fits one node of its pool and uses only shapes allowed there (for checks and tests). */
export function patternFits(prep: PreparedProblem, p: Pattern): boolean {
  let cpu = 0;
  let mem = 0;
  for (let i = 0; i < p.shapes.length; i++) {
    const s = p.shapes[i] as number;
    const shape = prep.shapes[s] as PodShape;
    if ((prep.perNode[s]?.[p.pool] ?? 0) === 0) return false;
    cpu += shape.cpuMillis * (p.counts[i] as number);
    mem += shape.memoryMib * (p.counts[i] as number);
  }
  return (
    fitCount({ cpuMillis: cpu, memoryMib: mem }, prep.capCpu[p.pool] as number, prep.capMem[p.pool] as number) >= 1 ||
    (cpu === 0 && mem === 0)
  );
}
