import { afterEach, describe, expect, it } from 'vitest';
import { DrainExecutor } from '../../src/executors/drain-executor.ts';
import { app, type DrainCluster, type RecordedOf, recorder, startDrainCluster } from './sim-cluster.ts';

describe('DrainExecutor against a budget that allows no disruption', () => {
  let c: DrainCluster | undefined;
  afterEach(async () => c?.close());

  const seed = {
    deployments: [
      { name: 'locked', replicas: 2, pdb: { maxUnavailable: 0 } },
      { name: 'free', replicas: 2 },
    ],
  };

  it('reports the blocked pods and their budget before the deadline, deletes none of them, and misses the deadline', async () => {
    c = await startDrainCluster(seed, { speed: 20, spareNodes: 1 });
    const cluster = c;
    const locked = cluster.pods(app('locked')).map((p) => p.metadata.uid);
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });
    const deadlineMs = cluster.clock.now() + 30_000;
    const started = performance.now();

    const result = await executor.drain(cluster.node, { deadlineMs, reason: 'spot interruption notice' });

    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.summary).toMatchObject({ evicted: 2, blocked: 2, forced: 0, metDeadline: false });
    const blocked = rec.events.filter((e): e is RecordedOf<'pod-blocked'> => e.kind === 'pod-blocked');
    expect(blocked.map((e) => e.pod.uid).sort()).toEqual([...locked].sort());
    for (const e of blocked) {
      expect(e.atMs).toBeLessThan(deadlineMs);
      expect(e.timeLeftMs).toBeGreaterThan(0);
      expect(e.timeLeftMs).toBeLessThan(10_000);
      expect(e.willForce).toBe(false);
      expect(e.pdb).toEqual({
        namespace: 'default',
        name: 'locked-pdb',
        status: { expectedPods: 2, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, observedGeneration: 1 },
      });
      expect(e.message).toContain('locked-pdb');
    }
    expect(result.blocked.map((r) => [r.pod.uid, r.pdb?.name])).toEqual(expect.arrayContaining(locked.map((uid) => [uid, 'locked-pdb'])));
    expect(rec.events.some((e) => e.kind === 'pod-forced')).toBe(false);
    // The protected pods are untouched: same uids, not terminating.
    const now = cluster.pods(app('locked'));
    expect(now.map((p) => p.metadata.uid).sort()).toEqual([...locked].sort());
    expect(now.every((p) => p.metadata.deletionTimestamp === undefined)).toBe(true);
    expect(cluster.server.stats.evictionsRefused).toBeGreaterThan(2);
    const events = cluster.nodeEvents();
    expect(events.filter((e) => e.reason === 'DrainBlocked')).toHaveLength(2);
    expect(events.find((e) => e.reason === 'DrainBlocked')?.message).toMatch(
      /refused by PodDisruptionBudget default\/locked-pdb \(disruptionsAllowed 0, currentHealthy 2, desiredHealthy 2, expectedPods 2\) .* left running/,
    );
    expect(events.at(-1)?.reason).toBe('DrainIncomplete');
  });

  it('with forceAtDeadline deletes the blocked pods at the deadline and says so', async () => {
    c = await startDrainCluster(seed, { speed: 20, spareNodes: 1 });
    const cluster = c;
    const locked = cluster.pods(app('locked')).map((p) => p.metadata.uid);
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });
    const deadlineMs = cluster.clock.now() + 20_000;

    const result = await executor.drain(cluster.node, {
      deadlineMs,
      reason: 'spot interruption notice',
      policy: { forceAtDeadline: true },
    });

    expect(result.summary).toMatchObject({ evicted: 2, blocked: 0, forced: 2, metDeadline: false });
    const forced = rec.events.filter((e): e is RecordedOf<'pod-forced'> => e.kind === 'pod-forced');
    expect(forced.map((e) => e.pod.uid).sort()).toEqual([...locked].sort());
    for (const e of forced) {
      expect(e.atMs).toBeGreaterThanOrEqual(deadlineMs);
      expect(e.pdb?.name).toBe('locked-pdb');
    }
    const warnings = rec.events.filter((e): e is RecordedOf<'pod-blocked'> => e.kind === 'pod-blocked');
    expect(warnings.every((e) => e.willForce && e.atMs < deadlineMs)).toBe(true);
    expect(cluster.pods((p) => locked.includes(p.metadata.uid as string))).toEqual([]);
    const forcedEvents = cluster.nodeEvents().filter((e) => e.reason === 'ForcedAtDeadline');
    expect(forcedEvents).toHaveLength(2);
    expect(forcedEvents[0]).toMatchObject({ type: 'Warning' });
    expect(forcedEvents[0]?.message).toMatch(
      /^Deleted pod default\/locked-\S+ at the drain deadline although PodDisruptionBudget default\/locked-pdb/,
    );
  });
});
