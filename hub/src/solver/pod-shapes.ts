import type { Arch, PodShape } from './placement-problem.ts';

/** Node labels a pod's node selector or required node affinity may name (Kubernetes and Karpenter well-known labels). */
export const NODE_LABELS = {
  arch: 'kubernetes.io/arch',
  instanceType: 'node.kubernetes.io/instance-type',
  family: 'karpenter.k8s.aws/instance-family',
  zone: 'topology.kubernetes.io/zone',
  capacityType: 'karpenter.sh/capacity-type',
} as const;

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

/** The parts of a pod spec that decide where it may run and how much room it takes. */
export interface PodSpec {
  /** Sum of the containers' CPU requests (millicores) and memory requests (MiB). */
  cpuMillis: number;
  memoryMib: number;
  nodeSelector?: Record<string, string>;
  /** Required node affinity reduced to "label In values" terms (one term; values are ORed). */
  nodeAffinityIn?: Record<string, string[]>;
  tolerations?: Toleration[];
}

export interface AggregateOptions {
  /**
   * The taint spot nodes carry (effect NoSchedule), if the cluster taints them: then only
   * pods tolerating it may use spot. Without it every pod may use spot unless it selects
   * on-demand capacity.
   */
  spotTaint?: { key: string; value?: string };
}

/**
 * Groups pods into shapes: pods with the same requests and the same placement
 * restrictions (architecture, family, type, zone, capacity type) are one shape with a
 * count. The MILP's size grows with shapes × pools, not pods, which is what makes 1,000
 * pods solvable in seconds. The shape id describes the shape, e.g.
 * `500m/1024Mi arch=arm64 spot=no`, so it is stable across runs.
 */
export function aggregatePods(pods: readonly PodSpec[], options: AggregateOptions = {}): PodShape[] {
  const shapes = new Map<string, PodShape>();
  for (const pod of pods) {
    const shape = shapeOf(pod, options);
    const existing = shapes.get(shape.id);
    if (existing) existing.count++;
    else shapes.set(shape.id, shape);
  }
  return [...shapes.values()];
}

function shapeOf(pod: PodSpec, options: AggregateOptions): PodShape {
  const allowed = (label: string): string[] | undefined => {
    const fromSelector = pod.nodeSelector?.[label];
    const fromAffinity = pod.nodeAffinityIn?.[label];
    let values: string[] | undefined = fromSelector === undefined ? undefined : [fromSelector];
    if (fromAffinity) values = values ? values.filter((v) => fromAffinity.includes(v)) : [...new Set(fromAffinity)];
    return values?.sort();
  };
  const arches = allowed(NODE_LABELS.arch)?.map(archOf);
  const capacity = allowed(NODE_LABELS.capacityType);
  const taint = options.spotTaint;
  const tolerates = taint === undefined || (pod.tolerations ?? []).some((t) => toleratesTaint(t, taint.key, taint.value ?? ''));
  const spotAllowed = tolerates && (capacity === undefined || capacity.includes('spot'));
  const onDemandAllowed = capacity === undefined || capacity.includes('on-demand');
  const families = allowed(NODE_LABELS.family);
  const types = allowed(NODE_LABELS.instanceType);
  const zones = allowed(NODE_LABELS.zone);
  const parts = [`${pod.cpuMillis}m/${pod.memoryMib}Mi`];
  if (arches) parts.push(`arch=${arches.join(',')}`);
  if (families) parts.push(`family=${families.join(',')}`);
  if (types) parts.push(`type=${types.join(',')}`);
  if (zones) parts.push(`zone=${zones.join(',')}`);
  if (!spotAllowed) parts.push('spot=no');
  if (!onDemandAllowed) parts.push('on-demand=no');
  return {
    id: parts.join(' '),
    count: 1,
    cpuMillis: pod.cpuMillis,
    memoryMib: pod.memoryMib,
    spotAllowed,
    ...(onDemandAllowed ? {} : { onDemandAllowed }),
    ...(arches ? { arches } : {}),
    ...(families ? { instanceFamilies: families } : {}),
    ...(types ? { instanceTypes: types } : {}),
    ...(zones ? { zones } : {}),
  };
}

/** Kubernetes says amd64 where EC2 says x86_64; anything else passes through (and validation names it). */
function archOf(label: string): Arch {
  return (label === 'amd64' ? 'x86_64' : label) as Arch;
}

/** Kubernetes toleration matching against a NoSchedule taint `key=value`. */
function toleratesTaint(t: Toleration, key: string, value: string): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== 'NoSchedule') return false;
  // An empty key with Exists tolerates every taint.
  if (t.key === undefined || t.key === '') return t.operator === 'Exists';
  if (t.key !== key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === value;
}
