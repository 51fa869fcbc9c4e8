import type { KubeCluster } from '../kube-cluster.ts';
import type { StoreEvent } from '../object-store.ts';
import { controllerOf, isActive, isPodReady } from '../pod-util.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import type { Pod, ReplicaSet } from '../types.ts';
import { createPodFromTemplate, ownedBy, writeStatus } from './workload-util.ts';

/**
 * Keeps `spec.replicas` active pods per ReplicaSet. Terminating pods do not count (as in
 * Kubernetes), so an evicted pod's replacement is created at once, while the old one
 * is still shutting down. Surplus pods go unscheduled first, then not-ready, then newest.
 */
export class ReplicaSetController {
  private readonly queue = new ReconcileQueue<string>((keys) => {
    for (const k of keys) this.reconcile(k);
  });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    this.unsubscribe.push(
      store.subscribe(R.replicaSets, (e) => this.queue.mark(`${e.object.metadata.namespace}/${e.object.metadata.name}`)),
      store.subscribe(R.pods, (e) => this.onPod(e)),
    );
    for (const rs of store.list(R.replicaSets)) this.queue.mark(`${rs.metadata.namespace}/${rs.metadata.name}`);
  }

  private onPod(e: StoreEvent): void {
    const owner = controllerOf(e.object);
    if (owner?.kind === 'ReplicaSet') this.queue.mark(`${e.object.metadata.namespace}/${owner.name}`);
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const rs = this.cluster.store.get(R.replicaSets, ns, name) as ReplicaSet | undefined;
    if (!rs || rs.metadata.deletionTimestamp) return;
    const pods = ownedBy(this.cluster, R.pods, rs) as Pod[];
    const active = pods.filter(isActive);
    const want = rs.spec.replicas ?? 1;
    for (let i = active.length; i < want; i++) active.push(createPodFromTemplate(this.cluster, rs, rs.spec.template));
    if (active.length > want) {
      const rank = (p: Pod) => (!p.spec.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
      const surplus = [...active]
        .sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
        .slice(0, active.length - want);
      for (const p of surplus) this.cluster.deletePod(ns, p.metadata.name as string);
    }
    const current = (ownedBy(this.cluster, R.pods, rs) as Pod[]).filter(isActive);
    const ready = current.filter(isPodReady).length;
    writeStatus(this.cluster, R.replicaSets, rs, {
      replicas: current.length,
      fullyLabeledReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    });
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}
