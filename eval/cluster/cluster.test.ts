import { describe, expect, it } from 'vitest';
import type { PoolInfo } from '../data/replay-data.ts';
import { RunMetrics } from '../world/run-metrics.ts';
import { VirtualClock } from '../world/virtual-clock.ts';
import { Cluster, type ClusterNode } from './cluster.ts';
import { Drainer } from './drainer.ts';
import { statefulSet, type WorkloadSpec, webService } from './workloads.ts';

const POOL: PoolInfo = {
  poolId: 'm5.xlarge|us-east-1a|spot',
  instanceType: 'm5.xlarge',
  family: 'm5',
  zone: 'us-east-1a',
  capacityType: 'spot',
  vcpu: 4,
  memoryMib: 16384,
  arch: 'x86_64',
  onDemandPrice: 0.192,
  advisorBucket: '<5%',
};

function node(id: string, pool: PoolInfo = POOL): ClusterNode {
  return {
    id,
    instanceId: id,
    pool,
    allocCpu: 3800,
    allocMem: 15360,
    usedCpu: 0,
    usedMem: 0,
    pods: new Set(),
    ready: true,
    cordoned: false,
    launchedAtMs: 0,
    drain: null,
    noticeAtMs: null,
    rebalanceAtMs: null,
    scheduledEventAtMs: null,
  };
}

/** A fixed-size web deployment (no autoscaling) with a PDB of maxUnavailable 10%. */
function web(replicas: number): WorkloadSpec {
  return { ...webService(), replicas: () => replicas, minReplicas: replicas };
}

function setup(workloads: WorkloadSpec[], nodes: number) {
  const clock = new VirtualClock(0);
  const metrics = new RunMetrics(0);
  const cluster = new Cluster(clock, workloads, metrics);
  for (let i = 0; i < nodes; i++) cluster.addNode(node(`n${i}`));
  cluster.reconcile();
  cluster.schedule();
  clock.advanceTo(60_000);
  return { clock, metrics, cluster, drainer: new Drainer(clock, cluster) };
}

describe('Cluster', () => {
  it('schedules pods on the least allocated Ready node and counts them healthy once started', () => {
    const { cluster } = setup([web(14)], 2);
    const w = cluster.workloads[0] as WorkloadSpec;
    expect([...cluster.nodes.values()].map((n) => n.pods.size)).toEqual([7, 7]);
    expect(cluster.healthy(w)).toBe(14);
    expect(cluster.status(w)).toMatchObject({ desired: 14, healthy: 14 });
  });

  it('refuses evictions the PDB does not allow, and replaces evicted Deployment pods at once', () => {
    const { cluster, metrics } = setup([web(20)], 3);
    const n0 = cluster.nodes.get('n0') as ClusterNode;
    const pods = [...n0.pods];
    // 10% of 20: two pods may be unavailable.
    expect(pods.map((p) => cluster.evict(p))).toEqual([true, true, false, false, false, false, false]);
    expect(metrics.podsDisrupted).toBe(2);
    // The two replacements exist at once (pending), beside the two pods still terminating.
    expect(cluster.pendingCount).toBe(2);
    expect([...cluster.nodes.values()].reduce((s, n) => s + n.pods.size, 0)).toBe(20);
  });

  it('loses the pods still on a node when it dies, and counts a PDB violation only for voluntary removals', () => {
    const a = setup([web(14)], 2);
    a.cluster.removeNode('n0', false);
    expect(a.metrics.podsLost).toBe(7);
    expect(a.metrics.pdbViolations).toBe(0);
    expect(a.cluster.pendingCount).toBe(7);
    const b = setup([web(14)], 2);
    b.cluster.removeNode('n0', true);
    expect(b.metrics.pdbViolations).toBe(1);
  });

  it('drains through the eviction API: in rounds as replacements become Ready, then hands the node back', () => {
    const { clock, cluster, drainer, metrics } = setup([web(20)], 4);
    const n0 = cluster.nodes.get('n0') as ClusterNode;
    let emptyAt = -1;
    drainer.start(n0, { purpose: 'switch', voluntary: true, onEmpty: () => (emptyAt = clock.now()) });
    for (let t = 65_000; t <= 400_000; t += 5_000) {
      clock.advanceTo(t);
      cluster.schedule();
    }
    expect(emptyAt).toBeGreaterThan(60_000);
    expect(metrics.podsLost).toBe(0);
    expect(n0.pods.size).toBe(0);
  });

  it('gives up a voluntary drain after its timeout and uncordons the node', () => {
    const { clock, cluster, drainer } = setup([web(14)], 2);
    const n0 = cluster.nodes.get('n0') as ClusterNode;
    let aborted = false;
    // No room anywhere: the evicted pods stay pending, so the budget never frees up again.
    drainer.start(n0, { purpose: 'consolidation', voluntary: true, timeoutMs: 60_000, onAbort: () => (aborted = true) });
    clock.advanceTo(200_000);
    expect(aborted).toBe(true);
    expect(n0.cordoned).toBe(false);
  });

  it('keeps StatefulSet pods one per node and replaces one only after it is gone', () => {
    const db = statefulSet('db', 3);
    const { clock, cluster } = setup([db], 0);
    for (let i = 0; i < 3; i++) cluster.addNode({ ...node(`big${i}`), allocCpu: 15_800, allocMem: 63_000 });
    cluster.schedule();
    expect([...cluster.nodes.values()].map((n) => n.pods.size)).toEqual([1, 1, 1]);
    clock.advanceTo(400_000);
    const p = [...(cluster.nodes.get('big0') as ClusterNode).pods][0];
    expect(p && cluster.evict(p)).toBe(true);
    expect(cluster.pendingCount).toBe(0);
    clock.advanceTo(400_000 + db.graceMs);
    expect(cluster.pendingCount).toBe(1);
  });
});
