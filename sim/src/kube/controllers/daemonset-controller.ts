import type { KubeCluster } from '../kube-cluster.ts';
import { controllerOf, isActive, isPodReady, nodeSelectorMatches, toleratesTaints } from '../pod-util.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import type { DaemonSet, Node, Pod, Toleration } from '../types.ts';
import { createPodFromTemplate, ownedBy, writeStatus } from './workload-util.ts';

/** The tolerations the DaemonSet controller adds to every daemon pod, so cordoned or failing nodes keep their daemons. */
const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * One pod per node whose taints the template tolerates and whose labels match its
 * nodeSelector, bound directly to the node; cordoning does not matter (daemon pods
 * tolerate `unschedulable`). The pods carry a controller ownerReference to the DaemonSet,
 * which is how `kubectl drain --ignore-daemonsets` recognises them.
 */
export class DaemonSetController {
  private readonly queue = new ReconcileQueue<string>((keys) => {
    for (const k of keys) this.reconcile(k);
  });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    const markAll = () => {
      for (const ds of store.list(R.daemonSets)) this.queue.mark(`${ds.metadata.namespace}/${ds.metadata.name}`);
    };
    this.unsubscribe.push(
      store.subscribe(R.daemonSets, (e) => this.queue.mark(`${e.object.metadata.namespace}/${e.object.metadata.name}`)),
      store.subscribe(R.nodes, (e) => {
        const prev = e.prev as Node | undefined;
        const node = e.object as Node;
        const relevant =
          e.type !== 'MODIFIED' ||
          JSON.stringify(prev?.spec.taints) !== JSON.stringify(node.spec.taints) ||
          JSON.stringify(prev?.metadata.labels) !== JSON.stringify(node.metadata.labels);
        if (relevant) markAll();
      }),
      store.subscribe(R.pods, (e) => {
        const owner = controllerOf(e.object);
        if (owner?.kind === 'DaemonSet') this.queue.mark(`${e.object.metadata.namespace}/${owner.name}`);
      }),
    );
    markAll();
  }

  private reconcile(key: string): void {
    const { store } = this.cluster;
    const [ns, name] = key.split('/') as [string, string];
    const ds = store.get(R.daemonSets, ns, name) as DaemonSet | undefined;
    if (!ds || ds.metadata.deletionTimestamp) return;
    const template = structuredClone(ds.spec.template);
    template.spec.tolerations = [...(template.spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
    const byNode = new Map<string, Pod[]>();
    for (const p of ownedBy(this.cluster, R.pods, ds) as Pod[]) {
      if (!isActive(p)) continue;
      const n = p.spec.nodeName ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    let desired = 0;
    let ready = 0;
    for (const node of store.list(R.nodes) as Node[]) {
      const nodeName = node.metadata.name as string;
      const pods = byNode.get(nodeName) ?? [];
      byNode.delete(nodeName);
      // As Kubernetes does: a NoSchedule taint keeps a new daemon pod off the node, but only a
      // NoExecute taint it does not tolerate removes one already running there.
      const selected = nodeSelectorMatches(ds.spec.template.spec.nodeSelector, node.metadata.labels);
      const noExecute = (node.spec.taints ?? []).filter((t) => t.effect === 'NoExecute');
      const should = selected && toleratesTaints(template.spec.tolerations, pods.length > 0 ? noExecute : node.spec.taints);
      if (!should) {
        for (const p of pods) this.cluster.deletePod(ns, p.metadata.name as string);
        continue;
      }
      desired += 1;
      if (pods.length === 0) createPodFromTemplate(this.cluster, ds, template, nodeName);
      for (const p of pods.slice(1)) this.cluster.deletePod(ns, p.metadata.name as string);
      if (pods[0] && isPodReady(pods[0])) ready += 1;
    }
    // Pods left over sit on nodes that no longer exist (the garbage collector races us to them).
    for (const pods of byNode.values())
      for (const p of pods) if (store.get(R.pods, ns, p.metadata.name as string)) this.cluster.deletePod(ns, p.metadata.name as string, 0);
    writeStatus(this.cluster, R.daemonSets, ds, {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      updatedNumberScheduled: desired,
      observedGeneration: ds.metadata.generation,
    });
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}
