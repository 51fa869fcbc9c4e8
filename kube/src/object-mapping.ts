import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ClusterNode, ClusterPdb, ClusterPod, LabelSelector, OwnerRef, PodPhase, Taint, TaintEffect } from './cluster-types.ts';
import { podRequests } from './pod-requests.ts';

/**
 * Generated models (typed calls, with Dates) and raw watch JSON (strings) both come through
 * here, so timestamps are accepted in either form.
 */
type Loose<T> = T | Record<string, unknown>;

function iso(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : undefined;
}

function conditionTrue(conditions: Array<{ type?: string; status?: string }> | undefined, type: string): boolean {
  return conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

export function toNode(input: Loose<V1Node>): ClusterNode {
  const n = input as V1Node;
  const taints: Taint[] = (n.spec?.taints ?? []).map((t) => {
    const out: Taint = { key: t.key, effect: t.effect as TaintEffect };
    if (t.value !== undefined && t.value !== '') out.value = t.value;
    return out;
  });
  const node: ClusterNode = {
    name: n.metadata?.name ?? '',
    uid: n.metadata?.uid ?? '',
    resourceVersion: n.metadata?.resourceVersion ?? '',
    labels: { ...n.metadata?.labels },
    unschedulable: n.spec?.unschedulable === true,
    taints,
    ready: conditionTrue(n.status?.conditions, 'Ready'),
  };
  if (n.spec?.providerID) node.providerId = n.spec.providerID;
  // client-node hands a Date; a raw object (watch, tests) a string.
  const created = n.metadata?.creationTimestamp ? new Date(n.metadata.creationTimestamp as Date | string).getTime() : Number.NaN;
  if (Number.isFinite(created)) node.createdAtMs = created;
  return node;
}

export function toPod(input: Loose<V1Pod>): ClusterPod {
  const p = input as V1Pod;
  const owners: OwnerRef[] = (p.metadata?.ownerReferences ?? []).map((o) => ({
    kind: o.kind,
    name: o.name,
    uid: o.uid,
    controller: o.controller === true,
  }));
  const pod: ClusterPod = {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    uid: p.metadata?.uid ?? '',
    resourceVersion: p.metadata?.resourceVersion ?? '',
    phase: (p.status?.phase ?? 'Pending') as PodPhase,
    labels: { ...p.metadata?.labels },
    annotations: { ...p.metadata?.annotations },
    owners,
    terminationGracePeriodSeconds: p.spec?.terminationGracePeriodSeconds ?? 30,
    emptyDirVolumes: (p.spec?.volumes ?? []).filter((v) => v.emptyDir !== undefined && v.emptyDir !== null).map((v) => v.name),
    ready: conditionTrue(p.status?.conditions, 'Ready'),
  };
  if (p.spec?.nodeName) pod.nodeName = p.spec.nodeName;
  const requests = podRequests(p);
  if (requests) pod.requests = requests;
  const controller = owners.find((o) => o.controller);
  if (controller) pod.controller = controller;
  const deletion = iso(p.metadata?.deletionTimestamp);
  if (deletion) pod.deletionTimestamp = deletion;
  return pod;
}

export function toPdb(input: Loose<V1PodDisruptionBudget>): ClusterPdb {
  const b = input as V1PodDisruptionBudget;
  const pdb: ClusterPdb = { namespace: b.metadata?.namespace ?? '', name: b.metadata?.name ?? '' };
  if (b.spec?.selector) pdb.selector = b.spec.selector as LabelSelector;
  if (b.spec?.minAvailable !== undefined) pdb.minAvailable = b.spec.minAvailable as number | string;
  if (b.spec?.maxUnavailable !== undefined) pdb.maxUnavailable = b.spec.maxUnavailable as number | string;
  const s = b.status;
  if (s) {
    pdb.status = {
      currentHealthy: s.currentHealthy,
      desiredHealthy: s.desiredHealthy,
      disruptionsAllowed: s.disruptionsAllowed,
      expectedPods: s.expectedPods,
    };
    if (s.observedGeneration !== undefined) pdb.status.observedGeneration = s.observedGeneration;
  }
  return pdb;
}
