import type { ClusterPod } from './cluster-port.ts';
import type { DrainPolicy, PodRef, SkipReason } from './drain-types.ts';

/** The kubelet's annotation on the API's copy of a static pod, which the API cannot delete. */
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export type PodClass = { action: 'evict' } | { action: 'skip'; reason: SkipReason };

/**
 * What a drain does with one pod, following kubectl drain's filters: DaemonSet and mirror
 * pods stay, finished pods need nothing, emptyDir pods need the caller's consent. Bare pods
 * are evicted (the node is going away regardless) and reported as not recreated. A pod
 * already terminating is evicted again: the API skips budgets for it and only ever shortens
 * its grace, which brings an over-long termination inside the deadline.
 */
export function classifyPod(pod: ClusterPod, policy: Pick<DrainPolicy, 'deleteEmptyDirData'>): PodClass {
  if (pod.controller?.kind === 'DaemonSet') return { action: 'skip', reason: 'daemonset' };
  if (pod.annotations[MIRROR_ANNOTATION] !== undefined || pod.controller?.kind === 'Node') return { action: 'skip', reason: 'mirror' };
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return { action: 'skip', reason: 'completed' };
  if (pod.emptyDirVolumes.length > 0 && !policy.deleteEmptyDirData) return { action: 'skip', reason: 'emptydir-refused' };
  return { action: 'evict' };
}

export function podRef(pod: ClusterPod): PodRef {
  const ref: PodRef = { namespace: pod.namespace, name: pod.name, uid: pod.uid, recreated: pod.controller !== undefined };
  if (pod.controller) ref.owner = `${pod.controller.kind}/${pod.controller.name}`;
  return ref;
}
