import type { KubeCluster } from '../kube-cluster.ts';
import { R } from '../resources.ts';
import type { KubeObject, OwnerReference, Pod, PodTemplate } from '../types.ts';

/** Helpers the workload controllers share: owner references, pods from templates, status writes. */

export function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion as string,
    kind: owner.kind as string,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Objects whose controller is `owner`, from the store's owner index. */
export function ownedBy(cluster: KubeCluster, r: typeof R.pods | typeof R.replicaSets, owner: KubeObject): KubeObject[] {
  return cluster.store
    .byIndex(r, 'owner', owner.metadata.uid as string)
    .filter((o) => o.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === owner.metadata.uid));
}

export function createPodFromTemplate(cluster: KubeCluster, owner: KubeObject, template: PodTemplate, nodeName?: string): Pod {
  const ns = owner.metadata.namespace as string;
  const meta = template.metadata ?? {};
  const pod: Pod = {
    metadata: {
      name: cluster.generateName(`${owner.metadata.name}-`),
      generateName: `${owner.metadata.name}-`,
      namespace: ns,
      labels: { ...meta.labels },
      annotations: meta.annotations ? { ...meta.annotations } : undefined,
      ownerReferences: [ownerRef(owner)],
    },
    spec: structuredClone(template.spec),
    status: { phase: 'Pending', conditions: [] },
  };
  if (!pod.metadata.annotations) delete pod.metadata.annotations;
  if (nodeName) pod.spec.nodeName = nodeName;
  pod.spec.terminationGracePeriodSeconds ??= 30;
  pod.spec.schedulerName ??= 'default-scheduler';
  // Lenient where the real controller would fail to create the pod: an unknown class leaves priority unset.
  const priority = priorityOf(cluster, pod.spec.priorityClassName);
  if (priority !== undefined) pod.spec.priority = priority;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!cluster.store.get(R.pods, ns, pod.metadata.name as string)) break;
    pod.metadata.name = cluster.generateName(`${owner.metadata.name}-`);
  }
  cluster.stats.podsCreated += 1;
  return cluster.store.create(R.pods, pod) as Pod;
}

/**
 * The value of the named PriorityClass, as the Priority admission plugin copies it into
 * `spec.priority`; undefined when no class is named or it does not exist.
 */
export function priorityOf(cluster: KubeCluster, className: unknown): number | undefined {
  if (typeof className !== 'string' || className === '') return undefined;
  const value = cluster.store.get(R.priorityClasses, undefined, className)?.value;
  return typeof value === 'number' ? value : undefined;
}

/** Writes `status` only when it changed, so status writes never feed back into another reconcile. */
export function writeStatus(
  cluster: KubeCluster,
  r: Parameters<KubeCluster['store']['get']>[0],
  obj: KubeObject,
  status: Record<string, unknown>,
): void {
  if (JSON.stringify(obj.status) === JSON.stringify(status)) return;
  cluster.store.mutate(r, obj.metadata.namespace, obj.metadata.name as string, (d) => {
    d.status = status;
  });
}
