/** A pod that was running on a node when its instance went away: what Ballast exists to prevent. */
export interface LostPod {
  namespace: string;
  name: string;
  /** The pod's controller (ReplicaSet, …), or null for a bare pod. */
  owner: { kind: string; name: string } | null;
  node: string;
  instanceId: string;
  /** Clock time of the loss. */
  atMs: number;
}

/** Counters a test or the demo reads to judge how the cluster fared. */
export class KubeStats {
  podsLost = 0;
  readonly lostPods: LostPod[] = [];
  evictions = 0;
  /** Evictions answered 429 because of a disruption budget. */
  evictionsRefused = 0;
  podsCreated = 0;
  podsScheduled = 0;
  requests = 0;
  watchesOpen = 0;
  watchesStarted = 0;
  /** Watches ended with a 410 Expired error event. */
  watchesExpired = 0;

  /** Real time (performance.now()) of the first eviction request per `namespace/name`, for latency measurements. */
  readonly firstEvictionRequest = new Map<string, number>();

  recordEvictionRequest(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (!this.firstEvictionRequest.has(key)) this.firstEvictionRequest.set(key, performance.now());
  }

  recordLoss(pod: LostPod): void {
    this.podsLost += 1;
    this.lostPods.push(pod);
  }

  /** Lost pods per owner (`Kind/name`, or `Pod/ns/name` for bare pods). */
  lossesByOwner(): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of this.lostPods) {
      const key = p.owner ? `${p.owner.kind}/${p.namespace}/${p.owner.name}` : `Pod/${p.namespace}/${p.name}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }
}
