import type { NodeSnapshot, PodGroup } from './engine-input.ts';

/**
 * Small packing helpers the methods share: does a node's set of pods fit on the free room of
 * other nodes, and how many nodes of a type does a set of pods need. First-fit-decreasing,
 * as a scheduler would roughly place them; the solver does the real optimisation.
 */

/** Free room on one node. `perWorkload` counts pods already there (for per-node limits). */
export interface Bin {
  cpuMillis: number;
  memoryMib: number;
  perWorkload: Map<string, number>;
}

export type PerNodeLimit = (workload: string) => number;

export const NO_LIMIT: PerNodeLimit = () => Number.POSITIVE_INFINITY;

export function freeBin(node: NodeSnapshot): Bin {
  let cpu = node.allocatable.cpuMillis;
  let mem = node.allocatable.memoryMib;
  const perWorkload = new Map<string, number>();
  for (const g of node.pods) {
    cpu -= g.count * g.cpuMillis;
    mem -= g.count * g.memoryMib;
    perWorkload.set(g.workload, (perWorkload.get(g.workload) ?? 0) + g.count);
  }
  return { cpuMillis: Math.max(0, cpu), memoryMib: Math.max(0, mem), perWorkload };
}

export function emptyBin(cpuMillis: number, memoryMib: number): Bin {
  return { cpuMillis, memoryMib, perWorkload: new Map() };
}

/** Pods of the group one bin still takes. */
export function room(bin: Bin, g: Pick<PodGroup, 'workload' | 'cpuMillis' | 'memoryMib'>, limit: PerNodeLimit): number {
  const byCpu = g.cpuMillis > 0 ? Math.floor(bin.cpuMillis / g.cpuMillis + 1e-9) : Number.POSITIVE_INFINITY;
  const byMem = g.memoryMib > 0 ? Math.floor(bin.memoryMib / g.memoryMib + 1e-9) : Number.POSITIVE_INFINITY;
  const byLimit = limit(g.workload) - (bin.perWorkload.get(g.workload) ?? 0);
  return Math.max(0, Math.min(byCpu, byMem, byLimit));
}

function put(bin: Bin, g: PodGroup, n: number): void {
  bin.cpuMillis -= n * g.cpuMillis;
  bin.memoryMib -= n * g.memoryMib;
  bin.perWorkload.set(g.workload, (bin.perWorkload.get(g.workload) ?? 0) + n);
}

/** Largest groups first (by the larger of their CPU and memory request). */
function decreasing(groups: readonly PodGroup[]): PodGroup[] {
  return [...groups].sort((a, b) => Math.max(b.cpuMillis, b.memoryMib / 4) - Math.max(a.cpuMillis, a.memoryMib / 4));
}

/** Places the pods into the bins (mutating them) first-fit-decreasing; returns what did not fit. */
export function packInto(bins: Bin[], groups: readonly PodGroup[], limit: PerNodeLimit = NO_LIMIT): PodGroup[] {
  const left: PodGroup[] = [];
  for (const g of decreasing(groups)) {
    let n = g.count;
    for (const bin of bins) {
      if (n === 0) break;
      const k = Math.min(n, room(bin, g, limit));
      if (k > 0) {
        put(bin, g, k);
        n -= k;
      }
    }
    if (n > 0) left.push({ ...g, count: n });
  }
  return left;
}

/** Nodes of one size the pods need, first-fit-decreasing; Infinity when a pod fits no such node. */
export function nodesNeeded(groups: readonly PodGroup[], cpuMillis: number, memoryMib: number, limit: PerNodeLimit = NO_LIMIT): number {
  const bins: Bin[] = [];
  for (const g of decreasing(groups)) {
    if (g.count === 0) continue;
    if (room(emptyBin(cpuMillis, memoryMib), g, limit) === 0) return Number.POSITIVE_INFINITY;
    let n = g.count;
    for (const bin of bins) {
      if (n === 0) break;
      const k = Math.min(n, room(bin, g, limit));
      if (k > 0) {
        put(bin, g, k);
        n -= k;
      }
    }
    while (n > 0) {
      const bin = emptyBin(cpuMillis, memoryMib);
      const k = Math.min(n, room(bin, g, limit));
      put(bin, g, k);
      bins.push(bin);
      n -= k;
    }
  }
  return bins.length;
}

/** Pods a node holds: Σ count. */
export function podCount(groups: readonly PodGroup[]): number {
  return groups.reduce((s, g) => s + g.count, 0);
}

/** The busier resource's requested share of allocatable (0 for an empty node). */
export function utilization(node: NodeSnapshot): number {
  let cpu = 0;
  let mem = 0;
  for (const g of node.pods) {
    cpu += g.count * g.cpuMillis;
    mem += g.count * g.memoryMib;
  }
  const a = node.allocatable;
  return Math.max(a.cpuMillis > 0 ? cpu / a.cpuMillis : 0, a.memoryMib > 0 ? mem / a.memoryMib : 0);
}
