import { bytes, milliCpu } from './quantity.ts';
import type { Condition, KubeObject, Node, OwnerReference, Pod, Taint, Toleration } from './types.ts';

/** Pod and node predicates shared by the scheduler, the controllers and eviction. */

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Counts toward its owner's replicas: not finished and not being deleted (as the ReplicaSet controller counts). */
export function isActive(pod: Pod): boolean {
  return !isTerminal(pod) && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

const requestCache = new WeakMap<Pod, { cpu: number; memory: number }>();

/** Summed container requests (millicores, bytes); cached per stored snapshot since the scheduler asks often. */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  const cached = requestCache.get(pod);
  if (cached) return cached;
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    cpu += milliCpu(c.resources?.requests?.cpu);
    memory += bytes(c.resources?.requests?.memory);
  }
  const out = { cpu, memory };
  requestCache.set(pod, out);
  return out;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** True when every NoSchedule/NoExecute taint is tolerated (PreferNoSchedule never blocks). */
export function toleratesTaints(tolerations: readonly Toleration[] | undefined, taints: readonly Taint[] | undefined): boolean {
  for (const taint of taints ?? []) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!(tolerations ?? []).some((t) => tolerates(t, taint))) return false;
  }
  return true;
}

export function nodeSelectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

export function setCondition(conditions: Condition[], next: Condition): Condition[] {
  const old = conditions.find((c) => c.type === next.type);
  if (old && old.status === next.status) {
    Object.assign(old, { ...next, lastTransitionTime: old.lastTransitionTime });
    return conditions;
  }
  return [...conditions.filter((c) => c.type !== next.type), next];
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
