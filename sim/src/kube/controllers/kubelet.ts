import type { KubeCluster } from '../kube-cluster.ts';
import { isNodeReady, isoTime, setCondition } from '../pod-util.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import type { Node, Pod } from '../types.ts';

/**
 * What every node's kubelet would report: a pod bound to a Ready node starts (Running,
 * Ready) after `podStartupMs`; when the node stops being Ready its pods turn not Ready,
 * as the node lifecycle controller marks them. Containers never crash here.
 */
export class Kubelet {
  private readonly queue = new ReconcileQueue<string>((keys) => this.sync(keys));
  private readonly unsubscribe: (() => void)[] = [];
  private ipCounter = 0;

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    this.unsubscribe.push(
      store.subscribe(R.pods, (e) => {
        const pod = e.object as Pod;
        if (e.type === 'DELETED' || !pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
        if (pod.status?.phase !== 'Running' && (e.prev as Pod | undefined)?.spec.nodeName !== pod.spec.nodeName) {
          this.queue.mark(`${pod.metadata.namespace}/${pod.metadata.name}`);
        }
      }),
      store.subscribe(R.nodes, (e) => {
        if (e.type === 'DELETED') return;
        const ready = isNodeReady(e.object as Node);
        if (e.prev && isNodeReady(e.prev as Node) === ready) return;
        for (const p of store.byIndex(R.pods, 'node', e.object.metadata.name as string))
          this.queue.mark(`${p.metadata.namespace}/${p.metadata.name}`);
      }),
    );
  }

  private sync(keys: string[]): void {
    for (const key of keys) {
      const [ns, name] = key.split('/') as [string, string];
      const pod = this.cluster.store.get(R.pods, ns, name) as Pod | undefined;
      if (!pod?.spec.nodeName || pod.metadata.deletionTimestamp) continue;
      const node = this.cluster.store.get(R.nodes, undefined, pod.spec.nodeName) as Node | undefined;
      const nodeReady = node !== undefined && isNodeReady(node);
      if (pod.status?.phase === 'Running') this.setReady(pod, nodeReady);
      else if (nodeReady) this.start(pod, node);
    }
  }

  private start(pod: Pod, node: Node): void {
    const run = () => {
      const uid = pod.metadata.uid;
      const now = isoTime(this.cluster.clock.now());
      this.ipCounter += 1;
      const ip = `10.244.${(this.ipCounter >> 8) & 255}.${this.ipCounter & 255}`;
      this.cluster.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name as string, (p) => {
        if (p.metadata.uid !== uid || p.metadata.deletionTimestamp || p.status?.phase === 'Running') return;
        const hostIP = node.status.addresses?.find((a) => a.type === 'InternalIP')?.address;
        let conditions = p.status?.conditions ?? [];
        for (const type of ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
          conditions = setCondition(conditions, { type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
        }
        p.status = {
          ...p.status,
          phase: 'Running',
          conditions,
          podIP: ip,
          hostIP,
          startTime: now,
          containerStatuses: (p.spec.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image,
            imageID: '',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: now } },
          })),
        };
      });
    };
    if (this.cluster.podStartupMs > 0) this.cluster.setTimer(run, this.cluster.podStartupMs);
    else run();
  }

  private setReady(pod: Pod, ready: boolean): void {
    const current = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (current === ready) return;
    const now = isoTime(this.cluster.clock.now());
    this.cluster.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name as string, (p) => {
      const status = ready ? 'True' : 'False';
      let conditions = p.status?.conditions ?? [];
      for (const type of ['ContainersReady', 'Ready'])
        conditions = setCondition(conditions, { type, status, lastProbeTime: null, lastTransitionTime: now });
      p.status = { ...p.status, conditions };
    });
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}
