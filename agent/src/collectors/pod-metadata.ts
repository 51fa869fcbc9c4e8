/** What a container's series are labelled with besides its pod uid and container id. */
export interface PodMetadata {
  pod: string;
  namespace: string;
  /** Empty for a cgroup the pod's status does not list (the sandbox, or a container not reported yet). */
  container: string;
  /** The controlling owner's kind and name; empty strings for a bare pod. */
  ownerKind: string;
  ownerName: string;
}

/** Resolves a cgroup's pod uid and container id to names. Must be cheap: it runs per container per cycle. */
export interface PodMetadataSource {
  lookup(podUid: string, containerId: string): PodMetadata | undefined;
  /**
   * Changes whenever a lookup may answer differently than before, so a caller can skip a
   * cycle's lookups when it has not. Absent: answers may change at any time.
   */
  readonly version?: number;
}

/** The parts of a Kubernetes Pod the mapping reads (structurally compatible with V1Pod). */
export interface PodShape {
  metadata?: {
    uid?: string;
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  status?: {
    containerStatuses?: ContainerStatusShape[];
    initContainerStatuses?: ContainerStatusShape[];
    ephemeralContainerStatuses?: ContainerStatusShape[];
  };
}

interface ContainerStatusShape {
  name: string;
  containerID?: string;
  lastState?: { terminated?: { containerID?: string } };
}

/** One pod's metadata, indexed by container id; `pod` answers for ids the status does not list. */
export interface PodEntry {
  uid: string;
  pod: PodMetadata;
  containers: Map<string, PodMetadata>;
}

export function podEntry(p: PodShape): PodEntry | undefined {
  const m = p.metadata;
  if (!m?.uid || !m.name) return undefined;
  const owner = ownerOf(p);
  const base = { pod: m.name, namespace: m.namespace ?? 'default', ownerKind: owner.kind, ownerName: owner.name };
  const containers = new Map<string, PodMetadata>();
  const s = p.status;
  for (const c of [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])]) {
    // The previous instance's cgroup may outlive a restart by a moment; keep its name too.
    for (const id of [c.lastState?.terminated?.containerID, c.containerID]) {
      const bare = id ? stripRuntime(id) : '';
      if (bare) containers.set(bare, { ...base, container: c.name });
    }
  }
  return { uid: m.uid, pod: { ...base, container: '' }, containers };
}

/** `containerd://abc…` → `abc…` (also docker://, cri-o://). */
export function stripRuntime(containerID: string): string {
  const i = containerID.indexOf('://');
  return i === -1 ? containerID : containerID.slice(i + 3);
}

/**
 * The controlling owner. A ReplicaSet made by a Deployment is named `<deployment>-<pod-template-hash>`,
 * and the pod carries the hash as a label, so the Deployment's name is recovered by stripping it
 * — without watching ReplicaSets. A ReplicaSet whose name does not end in the pod's hash stays a ReplicaSet.
 */
export function ownerOf(p: PodShape): { kind: string; name: string } {
  const refs = p.metadata?.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  if (!ref) return { kind: '', name: '' };
  const hash = p.metadata?.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: ref.name.slice(0, -(hash.length + 1)) };
  }
  return { kind: ref.kind, name: ref.name };
}

/** A fixed map; for tests and for callers that already know the pods. */
export class StaticPodMetadata implements PodMetadataSource {
  private readonly pods = new Map<string, PodEntry>();
  version = 0;

  constructor(pods: PodShape[] = []) {
    for (const p of pods) this.set(p);
  }

  set(p: PodShape): void {
    const e = podEntry(p);
    if (e) this.pods.set(e.uid, e);
    this.version++;
  }

  delete(uid: string): void {
    this.pods.delete(uid);
    this.version++;
  }

  lookup(podUid: string, containerId: string): PodMetadata | undefined {
    const e = this.pods.get(podUid);
    return e ? (e.containers.get(containerId) ?? e.pod) : undefined;
  }
}
