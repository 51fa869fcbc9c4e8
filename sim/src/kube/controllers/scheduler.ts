import type { KubeCluster } from '../kube-cluster.ts';
import { isNodeReady, isoTime, isTerminal, nodeSelectorMatches, podRequests, setCondition, toleratesTaints } from '../pod-util.ts';
import { bytes, milliCpu } from '../quantity.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import type { Node, Pod } from '../types.ts';

interface NodeRoom {
  node: Node;
  cpu: number;
  memory: number;
  pods: number;
  cpuCap: number;
  memCap: number;
  podCap: number;
}

/**
 * Binds Pending pods to Ready, schedulable nodes that fit their requests, nodeSelector
 * and taints, preferring the least allocated node (so replicas spread, as the default
 * scheduler's LeastAllocated scoring does). Each pass computes node usage once, so
 * placing P pods on N nodes costs O(pods + P·N). Pods that fit nowhere wait for the next
 * node or pod change.
 */
export class Scheduler {
  private readonly queue = new ReconcileQueue<string>((keys) => this.schedule(keys));
  private readonly unschedulable = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    this.unsubscribe.push(
      store.subscribe(R.pods, (e) => {
        const pod = e.object as Pod;
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (e.type === 'DELETED' || pod.spec.nodeName) {
          this.unschedulable.delete(key);
          // Freed room may fit a waiting pod.
          if ((e.type === 'DELETED' || isTerminal(pod)) && this.unschedulable.size > 0) this.retryWaiting();
          return;
        }
        if (!pod.metadata.deletionTimestamp && (pod.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler')
          this.queue.mark(key);
      }),
      store.subscribe(R.nodes, () => {
        if (this.unschedulable.size > 0) this.retryWaiting();
      }),
    );
    for (const p of store.list(R.pods) as Pod[]) if (!p.spec.nodeName) this.queue.mark(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  get waiting(): number {
    return this.unschedulable.size;
  }

  private retryWaiting(): void {
    for (const k of this.unschedulable) this.queue.mark(k);
  }

  private schedule(keys: string[]): void {
    const { store } = this.cluster;
    const rooms: NodeRoom[] = [];
    for (const n of store.list(R.nodes) as Node[]) {
      if (!isNodeReady(n) || n.spec.unschedulable || n.metadata.deletionTimestamp) continue;
      const room: NodeRoom = {
        node: n,
        cpu: 0,
        memory: 0,
        pods: 0,
        cpuCap: milliCpu(n.status.allocatable.cpu),
        memCap: bytes(n.status.allocatable.memory),
        podCap: Number(n.status.allocatable.pods ?? 110),
      };
      for (const p of store.byIndex(R.pods, 'node', n.metadata.name as string) as Pod[]) {
        if (isTerminal(p)) continue;
        const req = podRequests(p);
        room.cpu += req.cpu;
        room.memory += req.memory;
        room.pods += 1;
      }
      rooms.push(room);
    }
    for (const key of keys) {
      const [ns, name] = key.split('/') as [string, string];
      const pod = store.get(R.pods, ns, name) as Pod | undefined;
      if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) continue;
      const req = podRequests(pod);
      let best: NodeRoom | undefined;
      let bestScore = Number.POSITIVE_INFINITY;
      for (const r of rooms) {
        if (r.pods + 1 > r.podCap || r.cpu + req.cpu > r.cpuCap || r.memory + req.memory > r.memCap) continue;
        if (!nodeSelectorMatches(pod.spec.nodeSelector, r.node.metadata.labels)) continue;
        if (!toleratesTaints(pod.spec.tolerations, r.node.spec.taints)) continue;
        const score = Math.max(
          (r.cpu + req.cpu) / Math.max(1, r.cpuCap),
          (r.memory + req.memory) / Math.max(1, r.memCap),
          (r.pods + 1) / r.podCap,
        );
        if (score < bestScore) {
          best = r;
          bestScore = score;
        }
      }
      if (!best) {
        this.markUnschedulable(pod, rooms.length);
        continue;
      }
      best.cpu += req.cpu;
      best.memory += req.memory;
      best.pods += 1;
      this.unschedulable.delete(key);
      const nodeName = best.node.metadata.name as string;
      const now = isoTime(this.cluster.clock.now());
      store.mutate<Pod>(R.pods, ns, name, (p) => {
        p.spec.nodeName = nodeName;
        p.status = p.status ?? {};
        p.status.conditions = setCondition(p.status.conditions ?? [], {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: now,
        });
      });
      this.cluster.stats.podsScheduled += 1;
    }
  }

  private markUnschedulable(pod: Pod, candidates: number): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const first = !this.unschedulable.has(key);
    this.unschedulable.add(key);
    if (!first) return;
    const message = `0/${this.cluster.store.count(R.nodes)} nodes are available: ${candidates} node(s) did not fit the pod's requests, selector or taints.`;
    this.cluster.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name as string, (p) => {
      p.status = p.status ?? {};
      p.status.phase = p.status.phase ?? 'Pending';
      p.status.conditions = setCondition(p.status.conditions ?? [], {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
        lastTransitionTime: isoTime(this.cluster.clock.now()),
      });
    });
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}
