import { nonNegative } from './checks.ts';
import type { WorkloadShape } from './pool-inputs.ts';
import type { WorkloadDemand } from './workload-demand.ts';

export interface NodeSize {
  vcpu: number;
  memoryGib: number;
}

export interface ShapeFit {
  shapeId: string;
  /** Pods of this shape one node holds alone. 0: the shape does not fit the type. */
  podsPerNode: number;
  /**
   * The binding resource's used share of the node when it holds podsPerNode pods:
   * max(k·cpu / nodeCpu, k·mem / nodeMem). 1 − utilization is the leftover.
   */
  utilization: number;
  /** The shape's share of the workload's requests: mean of its CPU share and memory share. */
  weight: number;
}

export interface WorkloadFit {
  /** Σ weight × utilization: 1 when every shape fills the node exactly. */
  score: number;
  /** Σ weight of shapes that do not fit at all. */
  unschedulableShare: number;
  /** Allocatable after the node overhead. */
  allocatableCpuMillis: number;
  allocatableMemoryMib: number;
  shapes: ShapeFit[];
}

/**
 * How well the workload's shapes pack onto one instance type, shape by shape: a node
 * filled with pods of one shape leaves 1 − utilization of its binding resource unused
 * (a 1.5-vCPU pod on a 2-vCPU node wastes a quarter). Shapes weigh by their share of the
 * requests, so a rare odd shape matters little. Utilization is measured against the whole
 * node, so the per-node overhead counts as waste too, as it does on the bill — small types
 * lose more of themselves to it.
 *
 * One shape at a time rather than a full bin-packing of the mix: it is cheap for every
 * pool, easy to check by hand, and the solver does the real packing; mixing shapes can only
 * fill the gaps better. The CPU/memory ratio mismatch (stranded memory on a compute type)
 * is priced by the cost factor and is not counted again here.
 *
 * `shapes` and `demand` must come from workloadDemand() (it checks the shapes).
 * Errors (INVALID_INPUT, under `at`): a negative or non-finite overhead.
 */
export function workloadFit(
  shapes: readonly WorkloadShape[],
  demand: WorkloadDemand,
  node: NodeSize,
  overhead: { cpuMillis: number; memoryMib: number } | undefined,
  at = 'nodeOverhead',
): WorkloadFit {
  const overheadCpu = overhead === undefined ? 0 : nonNegative(overhead.cpuMillis, `${at}.cpuMillis`);
  const overheadMem = overhead === undefined ? 0 : nonNegative(overhead.memoryMib, `${at}.memoryMib`);
  const nodeCpu = node.vcpu * 1000;
  const nodeMem = node.memoryGib * 1024;
  const allocCpu = Math.max(0, nodeCpu - overheadCpu);
  const allocMem = Math.max(0, nodeMem - overheadMem);
  let score = 0;
  let unschedulableShare = 0;
  const fits = shapes.map((s): ShapeFit => {
    const k = podsPerNode(s, allocCpu, allocMem);
    const utilization = k === 0 ? 0 : Math.min(1, Math.max((k * s.cpuMillis) / nodeCpu, (k * s.memoryMib) / nodeMem));
    const weight = shapeWeight(s, demand);
    score += weight * utilization;
    if (k === 0) unschedulableShare += weight;
    return { shapeId: s.id, podsPerNode: k, utilization, weight };
  });
  return {
    score: Math.min(1, score),
    unschedulableShare: Math.min(1, unschedulableShare),
    allocatableCpuMillis: allocCpu,
    allocatableMemoryMib: allocMem,
    shapes: fits,
  };
}

/** As the solver counts it: the tighter of CPU and memory, with a tolerance for float noise. */
export function podsPerNode(s: Pick<WorkloadShape, 'cpuMillis' | 'memoryMib'>, cpuMillis: number, memoryMib: number): number {
  const byCpu = s.cpuMillis > 0 ? Math.floor(cpuMillis / s.cpuMillis + 1e-9) : Number.POSITIVE_INFINITY;
  const byMem = s.memoryMib > 0 ? Math.floor(memoryMib / s.memoryMib + 1e-9) : Number.POSITIVE_INFINITY;
  return Math.min(byCpu, byMem);
}

function shapeWeight(s: WorkloadShape, demand: WorkloadDemand): number {
  const cpuShare = demand.vcpu > 0 ? (s.count * s.cpuMillis) / 1000 / demand.vcpu : null;
  const memShare = demand.memoryGib > 0 ? (s.count * s.memoryMib) / 1024 / demand.memoryGib : null;
  if (cpuShare === null) return memShare ?? 0;
  if (memShare === null) return cpuShare;
  return (cpuShare + memShare) / 2;
}
