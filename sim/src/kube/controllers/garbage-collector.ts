import type { KubeCluster } from '../kube-cluster.ts';
import { R } from '../resources.ts';

/**
 * Background cascading deletion: deleting a Deployment removes its ReplicaSets, deleting
 * a ReplicaSet or DaemonSet deletes its pods (gracefully); deleting a Node force-deletes
 * the pods bound to it, as the pod garbage collector does for orphaned pods, which is what
 * lets owners recreate the pods of a lost node elsewhere.
 */
export class GarbageCollector {
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    // Cascades run on the next turn, after the deleting write has been fully delivered.
    const later = (fn: () => void) =>
      setImmediate(() => {
        if (!this.closed) fn();
      });
    this.unsubscribe.push(
      store.subscribe(R.deployments, (e) => {
        if (e.type !== 'DELETED') return;
        const uid = e.object.metadata.uid as string;
        later(() => {
          for (const rs of store.byIndex(R.replicaSets, 'owner', uid))
            store.remove(R.replicaSets, rs.metadata.namespace, rs.metadata.name as string);
        });
      }),
      ...[R.replicaSets, R.daemonSets].map((r) =>
        store.subscribe(r, (e) => {
          if (e.type !== 'DELETED') return;
          const uid = e.object.metadata.uid as string;
          later(() => {
            for (const p of store.byIndex(R.pods, 'owner', uid)) {
              if (store.get(R.pods, p.metadata.namespace, p.metadata.name as string))
                this.cluster.deletePod(p.metadata.namespace as string, p.metadata.name as string);
            }
          });
        }),
      ),
      store.subscribe(R.nodes, (e) => {
        if (e.type !== 'DELETED') return;
        const name = e.object.metadata.name as string;
        later(() => {
          for (const p of store.byIndex(R.pods, 'node', name)) {
            if (store.get(R.pods, p.metadata.namespace, p.metadata.name as string))
              store.remove(R.pods, p.metadata.namespace, p.metadata.name as string);
          }
        });
      }),
    );
  }

  close(): void {
    this.closed = true;
    for (const u of this.unsubscribe) u();
  }
}
