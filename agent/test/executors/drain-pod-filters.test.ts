import { kubeResources as R } from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { DrainExecutor } from '../../src/executors/drain-executor.ts';
import { app, type DrainCluster, type RecordedOf, recorder, startDrainCluster } from './sim-cluster.ts';

describe('DrainExecutor: which pods go, and how gently', () => {
  let c: DrainCluster | undefined;
  afterEach(async () => c?.close());

  const mixed = {
    deployments: [
      { name: 'web', replicas: 2 },
      { name: 'scratch', replicas: 1, emptyDir: true },
      { name: 'locked', replicas: 1, pdb: { maxUnavailable: 0 } },
    ],
    daemonSet: { name: 'agent' },
    barePods: [{ name: 'lonely' }],
  };

  it('leaves DaemonSet pods alone, refuses emptyDir pods, evicts bare pods and says they are not recreated', async () => {
    c = await startDrainCluster({ ...mixed, deployments: mixed.deployments.filter((d) => d.name !== 'locked') }, { speed: 50 });
    const cluster = c;
    const onNode = (name: string) => cluster.pods((p) => app(name)(p) && p.spec.nodeName === cluster.node);
    const daemon = onNode('agent')[0];
    const scratch = onNode('scratch')[0];
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });

    const result = await executor.drain(cluster.node, { deadlineMs: cluster.clock.now() + 60_000, reason: 'test' });

    const skipped = rec.events.filter((e): e is RecordedOf<'pod-skipped'> => e.kind === 'pod-skipped');
    expect(skipped.map((e) => [e.pod.name, e.reason]).sort()).toEqual([
      [daemon?.metadata.name, 'daemonset'],
      [scratch?.metadata.name, 'emptydir-refused'],
    ]);
    expect(result.summary).toMatchObject({ evicted: 3, skipped: 2, refused: 1, notRecreated: 1, metDeadline: false });
    expect(result.pods.find((r) => r.pod.name === 'lonely')).toMatchObject({ outcome: 'evicted', pod: { recreated: false } });
    // The daemon pod and the emptyDir pod are exactly as they were.
    for (const before of [daemon, scratch]) {
      const now = cluster.server.store.get(R.pods, 'default', before?.metadata.name as string);
      expect(now?.metadata.uid).toBe(before?.metadata.uid);
      expect(now?.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  it('evicts emptyDir pods when the policy allows losing their data', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'scratch', replicas: 2, emptyDir: true }] }, { speed: 50, spareNodes: 1 });
    const executor = new DrainExecutor({ cluster: c.api, clock: c.clock });
    const result = await executor.drain(c.node, {
      deadlineMs: c.clock.now() + 60_000,
      reason: 'test',
      policy: { deleteEmptyDirData: true },
    });
    expect(result.summary).toMatchObject({ evicted: 2, refused: 0, skipped: 0, metDeadline: true });
    expect(c.pods((p) => p.spec.nodeName === c?.node)).toEqual([]);
  });

  it('caps each grace period so termination ends a safety margin before the deadline', async () => {
    c = await startDrainCluster(
      {
        deployments: [
          { name: 'slow', replicas: 1, terminationGracePeriodSeconds: 300 },
          { name: 'quick', replicas: 1, terminationGracePeriodSeconds: 5 },
        ],
      },
      { speed: 50, spareNodes: 1 },
    );
    const cluster = c;
    const asked = new Map<string, number | undefined>();
    const rec = recorder();
    const executor = new DrainExecutor({
      cluster: cluster.api,
      clock: cluster.clock,
      onProgress: (e) => {
        rec.onProgress(e);
        // What the API server recorded on the terminating pod, read the moment the eviction is accepted.
        if (e.kind === 'pod-evicted')
          asked.set(e.pod.name, cluster.server.store.get(R.pods, 'default', e.pod.name)?.metadata.deletionGracePeriodSeconds);
      },
    });
    const deadlineMs = cluster.clock.now() + 60_000;

    const result = await executor.drain(cluster.node, { deadlineMs, reason: 'spot interruption notice' });

    const evicted = rec.events.filter((e): e is RecordedOf<'pod-evicted'> => e.kind === 'pod-evicted');
    const slow = evicted.find((e) => e.pod.name.startsWith('slow-'));
    const quick = evicted.find((e) => e.pod.name.startsWith('quick-'));
    expect(slow?.graceSeconds).toBeLessThanOrEqual(50);
    // Not far below the cap either; the slack absorbs real-time delays at speed 50 on a loaded CI machine.
    expect(slow?.graceSeconds).toBeGreaterThanOrEqual(30);
    expect(asked.get(slow?.pod.name as string)).toBe(slow?.graceSeconds);
    expect(quick?.graceSeconds).toBe(5);
    expect(result.summary).toMatchObject({ evicted: 2, notGone: 0, metDeadline: true });
    expect(cluster.clock.now()).toBeLessThanOrEqual(deadlineMs);

    const capped = await startDrainCluster(
      { deployments: [{ name: 'slow', replicas: 1, terminationGracePeriodSeconds: 300 }] },
      { speed: 50, spareNodes: 1 },
    );
    try {
      const r = await new DrainExecutor({ cluster: capped.api, clock: capped.clock }).drain(capped.node, {
        deadlineMs: capped.clock.now() + 60_000,
        reason: 'test',
        policy: { maxGraceSeconds: 3 },
      });
      expect(r.pods[0]).toMatchObject({ outcome: 'evicted', graceSeconds: 3 });
    } finally {
      await capped.close();
    }
  });

  it('dry-run plans and reports every step and writes nothing', async () => {
    c = await startDrainCluster(mixed, { speed: 50, spareNodes: 1 });
    const cluster = c;
    const rvBefore = cluster.server.store.resourceVersion;
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });

    const result = await executor.drain(cluster.node, {
      deadlineMs: cluster.clock.now() + 60_000,
      reason: 'what if',
      dryRun: true,
      taint: { key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' },
    });

    expect(cluster.server.store.resourceVersion).toBe(rvBefore);
    expect(cluster.server.stats.evictions).toBe(0);
    expect(cluster.nodeEvents()).toEqual([]);
    expect(rec.events.every((e) => e.dryRun)).toBe(true);
    expect(rec.events.map((e) => e.kind).filter((k, i, all) => all.indexOf(k) === i)).toEqual(
      expect.arrayContaining(['cordoned', 'pod-skipped', 'pod-evicting', 'pod-evicted', 'pod-blocked', 'done']),
    );
    expect(result.dryRun).toBe(true);
    expect(result.summary).toMatchObject({ evicted: 3, blocked: 1, skipped: 2, refused: 1, metDeadline: false });
    expect(result.blocked[0]).toMatchObject({ pdb: { name: 'locked-pdb', status: { disruptionsAllowed: 0 } } });
    expect((await cluster.api.getNode(cluster.node)).unschedulable).toBe(false);
  });
});
