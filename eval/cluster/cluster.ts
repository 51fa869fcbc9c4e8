import { disruptionsAllowed, maxUnavailableAt, type WorkloadStatus } from '../../hub/src/decisions/index.ts';
import type { PoolInfo } from '../data/replay-data.ts';
import type { RunMetrics } from '../world/run-metrics.ts';
import type { VirtualClock } from '../world/virtual-clock.ts';
import type { WorkloadSpec } from './workloads.ts';

export type PodState = 'pending' | 'starting' | 'running' | 'terminating';

export interface Pod {
  id: number;
  workload: WorkloadSpec;
  state: PodState;
  node: ClusterNode | null;
  /** Jobs: running time still needed; reset when disrupted. */
  workLeftMs: number;
  runningSinceMs: number | null;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface ClusterNode {
  /** Unique per launch (the instance id names a pool slot that is reused). */
  id: string;
  instanceId: string;
  pool: PoolInfo;
  allocCpu: number;
  allocMem: number;
  usedCpu: number;
  usedMem: number;
  pods: Set<Pod>;
  ready: boolean;
  cordoned: boolean;
  launchedAtMs: number;
  /** Being drained: by whom and why. */
  drain: { purpose: DrainPurpose; voluntary: boolean } | null;
  noticeAtMs: number | null;
  rebalanceAtMs: number | null;
  scheduledEventAtMs: number | null;
}

export type DrainPurpose = 'interruption' | 'scheduled-event' | 'switch' | 'consolidation';

/**
 * The Kubernetes side of one replay: workloads and their controllers, the scheduler, the
 * eviction API with PodDisruptionBudgets, node loss. Only what the metrics need:
 * - a controller keeps `desired` pods (a Deployment replaces an evicted pod at once, a
 *   StatefulSet once the old pod is gone, a Job restarts from scratch);
 * - the scheduler binds pending pods to Ready, uncordoned nodes with room (least allocated);
 * - an eviction is refused when the PDB allows no disruption; an evicted pod terminates
 *   over its grace period; a pod still on a node when the node dies is lost;
 * - a PDB violation is counted when a voluntary action (a strategy terminating a node that
 *   still holds pods) leaves a workload with more pods unavailable than its budget allows.
 */
export class Cluster {
  readonly nodes = new Map<string, ClusterNode>();
  private readonly pods = new Map<WorkloadSpec, Set<Pod>>();
  private readonly healthyCount = new Map<WorkloadSpec, number>();
  private readonly pendingPods = new Set<Pod>();
  private nextPod = 1;
  private lastReconcileMs: number;

  constructor(
    private readonly clock: VirtualClock,
    readonly workloads: readonly WorkloadSpec[],
    private readonly metrics: RunMetrics,
  ) {
    for (const w of workloads) {
      this.pods.set(w, new Set());
      this.healthyCount.set(w, 0);
    }
    this.lastReconcileMs = clock.now();
  }

  // ---- workloads -------------------------------------------------------------------------

  /** Controllers and autoscalers catch up with `now`: replicas, new jobs. */
  reconcile(): void {
    const now = this.clock.now();
    for (const w of this.workloads) {
      if (w.kind === 'job') {
        for (const job of w.arrivals?.(this.lastReconcileMs, now) ?? []) this.createPod(w, job.durationMs);
        continue;
      }
      const desired = w.replicas?.(now) ?? 0;
      const live = [...(this.pods.get(w) ?? [])].filter((p) => p.state !== 'terminating');
      // StatefulSet pods being replaced count as present (their successor comes when they are gone).
      const replacing = w.kind === 'statefulset' ? [...(this.pods.get(w) ?? [])].filter((p) => p.state === 'terminating').length : 0;
      for (let i = live.length + replacing; i < desired; i++) this.createPod(w, 0);
      if (live.length > desired) this.scaleDown(live, live.length - desired);
    }
    this.lastReconcileMs = now;
  }

  /** Scale-down picks pending pods first, then starting, then running ones on the fullest nodes (as a ReplicaSet roughly does). */
  private scaleDown(live: Pod[], n: number): void {
    const rank = (p: Pod) => (p.state === 'pending' ? 0 : p.state === 'starting' ? 1 : 2);
    live.sort((a, b) => rank(a) - rank(b) || (b.node?.pods.size ?? 0) - (a.node?.pods.size ?? 0) || b.id - a.id);
    for (const p of live.slice(0, n)) this.terminatePod(p, false);
  }

  private createPod(w: WorkloadSpec, workMs: number): Pod {
    const p: Pod = { id: this.nextPod++, workload: w, state: 'pending', node: null, workLeftMs: workMs, runningSinceMs: null, timer: null };
    this.pods.get(w)?.add(p);
    this.pendingPods.add(p);
    return p;
  }

  desired(w: WorkloadSpec): number {
    if (w.kind === 'job') return [...(this.pods.get(w) ?? [])].filter((p) => p.state !== 'terminating').length;
    return w.replicas?.(this.clock.now()) ?? 0;
  }

  healthy(w: WorkloadSpec): number {
    return this.healthyCount.get(w) ?? 0;
  }

  status(w: WorkloadSpec): WorkloadStatus {
    return {
      name: w.name,
      desired: this.desired(w),
      healthy: this.healthy(w),
      pdb: w.pdb,
      minReplicas: w.minReplicas,
      ...(w.maxPerNode === undefined ? {} : { maxPerNode: w.maxPerNode }),
      spotAllowed: w.spotAllowed,
      controller: w.kind,
      ...(w.doNotDisrupt ? { doNotDisrupt: true } : {}),
    };
  }

  pending(): Pod[] {
    return [...this.pendingPods];
  }

  get pendingCount(): number {
    return this.pendingPods.size;
  }

  // ---- nodes -----------------------------------------------------------------------------

  addNode(node: ClusterNode): void {
    this.nodes.set(node.id, node);
  }

  markReady(id: string): void {
    const n = this.nodes.get(id);
    if (n) n.ready = true;
  }

  cordon(id: string, on = true): void {
    const n = this.nodes.get(id);
    if (n) n.cordoned = on;
  }

  /** The node is gone: pods still on it are lost (terminating ones were already evicted). */
  removeNode(id: string, voluntary: boolean): void {
    const n = this.nodes.get(id);
    if (!n) return;
    this.nodes.delete(id);
    const touched = new Set<WorkloadSpec>();
    for (const p of [...n.pods]) {
      touched.add(p.workload);
      const wasServing = p.state !== 'terminating';
      if (wasServing) {
        this.metrics.podsLost++;
        this.metrics.podsDisrupted++;
      }
      this.finishPod(p, wasServing);
    }
    if (voluntary) {
      for (const w of touched) {
        const unavailable = this.desired(w) - this.healthy(w);
        if (unavailable > maxUnavailableAt(w.pdb, this.desired(w))) this.metrics.pdbViolations++;
      }
    }
  }

  // ---- eviction and pods -----------------------------------------------------------------

  /** The eviction API: refused when the PDB allows no disruption now. */
  evict(p: Pod): boolean {
    if (p.state === 'terminating' || p.node === null) return false;
    if (disruptionsAllowed(this.status(p.workload)) < 1) return false;
    this.metrics.podsDisrupted++;
    this.terminatePod(p, true);
    return true;
  }

  /** Graceful termination (eviction or scale-down): the pod leaves its node after its grace period. */
  private terminatePod(p: Pod, replace: boolean): void {
    if (p.state === 'pending') {
      this.pendingPods.delete(p);
      this.pods.get(p.workload)?.delete(p);
      if (replace) this.replacement(p);
      return;
    }
    this.stopServing(p);
    p.state = 'terminating';
    if (replace && p.workload.kind !== 'statefulset') this.replacement(p);
    p.timer = this.clock.setTimeout(() => this.finishPod(p, replace && p.workload.kind === 'statefulset'), p.workload.graceMs);
  }

  /** The pod is gone from its node; a controller that waits for that (StatefulSet, or a killed pod) creates the successor. */
  private finishPod(p: Pod, replace: boolean): void {
    if (p.timer) this.clock.clearTimeout(p.timer);
    p.timer = null;
    this.stopServing(p);
    if (p.node) {
      p.node.pods.delete(p);
      p.node.usedCpu -= p.workload.cpuMillis;
      p.node.usedMem -= p.workload.memoryMib;
      p.node = null;
    }
    this.pendingPods.delete(p);
    this.pods.get(p.workload)?.delete(p);
    if (replace) this.replacement(p);
  }

  private replacement(p: Pod): void {
    const w = p.workload;
    if (w.kind === 'job') {
      if (p.runningSinceMs !== null) this.metrics.wastedPodMs += this.clock.now() - p.runningSinceMs;
      this.createPod(w, p.workLeftMs);
      return;
    }
    const present = [...(this.pods.get(w) ?? [])].filter((q) => q.state !== 'terminating').length;
    if (present < (w.replicas?.(this.clock.now()) ?? 0)) this.createPod(w, 0);
  }

  private stopServing(p: Pod): void {
    if (p.state === 'running') this.healthyCount.set(p.workload, this.healthy(p.workload) - 1);
  }

  // ---- scheduler -------------------------------------------------------------------------

  /** Binds pending pods to Ready, uncordoned nodes with room: the least allocated node first (kube-scheduler's default). */
  schedule(): void {
    if (this.pendingPods.size === 0) return;
    const nodes = [...this.nodes.values()].filter((n) => n.ready && !n.cordoned);
    for (const p of [...this.pendingPods].sort((a, b) => a.id - b.id)) {
      const w = p.workload;
      let best: ClusterNode | null = null;
      let bestFree = -1;
      for (const n of nodes) {
        if (n.pool.capacityType === 'spot' && !w.spotAllowed) continue;
        if (n.allocCpu - n.usedCpu < w.cpuMillis || n.allocMem - n.usedMem < w.memoryMib) continue;
        if (w.maxPerNode !== undefined && countOf(n, w) >= w.maxPerNode) continue;
        const free = ((n.allocCpu - n.usedCpu) / n.allocCpu + (n.allocMem - n.usedMem) / n.allocMem) / 2;
        if (free > bestFree) {
          best = n;
          bestFree = free;
        }
      }
      if (best) this.bind(p, best);
    }
  }

  private bind(p: Pod, n: ClusterNode): void {
    this.pendingPods.delete(p);
    p.node = n;
    p.state = 'starting';
    n.pods.add(p);
    n.usedCpu += p.workload.cpuMillis;
    n.usedMem += p.workload.memoryMib;
    p.timer = this.clock.setTimeout(() => this.podReady(p), p.workload.startupMs);
  }

  private podReady(p: Pod): void {
    p.timer = null;
    if (p.state !== 'starting') return;
    p.state = 'running';
    p.runningSinceMs = this.clock.now();
    this.healthyCount.set(p.workload, this.healthy(p.workload) + 1);
    if (p.workload.kind === 'job') p.timer = this.clock.setTimeout(() => this.jobDone(p), p.workLeftMs);
  }

  private jobDone(p: Pod): void {
    p.timer = null;
    if (p.state !== 'running') return;
    p.workLeftMs = 0;
    this.metrics.jobsCompleted++;
    this.finishPod(p, false);
  }
}

export function countOf(n: ClusterNode, w: WorkloadSpec): number {
  let k = 0;
  for (const p of n.pods) if (p.workload === w && p.state !== 'terminating') k++;
  return k;
}
