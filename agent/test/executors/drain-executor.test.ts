import { afterEach, describe, expect, it } from 'vitest';
import { DrainExecutor } from '../../src/executors/drain-executor.ts';
import { DrainError } from '../../src/executors/drain-types.ts';
import { app, type DrainCluster, recorder, startDrainCluster, until } from './sim-cluster.ts';

describe('DrainExecutor against the simulated API server', () => {
  let c: DrainCluster | undefined;
  afterEach(async () => c?.close());

  it('drains inside a spot notice with permissive budgets: parallel evictions, pods recreated elsewhere, none lost', async () => {
    c = await startDrainCluster(
      {
        deployments: [
          { name: 'api', replicas: 4, pdb: { maxUnavailable: '100%' } },
          // Only 2 of 3 may go at once: the third waits for a replacement to be Ready elsewhere.
          { name: 'worker', replicas: 3, pdb: { minAvailable: 1 } },
        ],
        daemonSet: { name: 'agent' },
      },
      // Not faster: under a loaded CI machine a real-time stall times the speed eats the deadline.
      { speed: 25 },
    );
    const cluster = c;
    const before = cluster.pods((p) => p.spec.nodeName === cluster.node && !app('agent')(p));
    expect(before).toHaveLength(7);
    cluster.fleet.interrupt(cluster.instance.id);
    const terminateAt = cluster.clock.now() + 120_000;
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });

    const result = await executor.drain(cluster.node, {
      deadlineMs: terminateAt - 10_000,
      reason: 'spot interruption notice',
      taint: { key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' },
    });

    expect(result.summary).toMatchObject({ evicted: 7, blocked: 0, forced: 0, failed: 0, notGone: 0, skipped: 1, metDeadline: true });
    const evicting = rec.events.filter((e) => e.kind === 'pod-evicting');
    expect(evicting).toHaveLength(7);
    const spreadMs = Math.max(...evicting.map((e) => e.realMs)) - Math.min(...evicting.map((e) => e.realMs));
    expect(spreadMs).toBeLessThan(250);
    expect(rec.events[0]).toMatchObject({ kind: 'cordoned', node: cluster.node });
    expect(rec.events.at(-1)?.kind).toBe('done');
    expect(rec.events.filter((e) => e.kind === 'pod-gone')).toHaveLength(7);
    const node = await cluster.api.getNode(cluster.node);
    expect(node.unschedulable).toBe(true);
    expect(node.taints).toEqual([{ key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' }]);

    // Replacements run on the other nodes; then the instance goes and nothing is lost.
    const moved = () => cluster.pods((p) => !app('agent')(p));
    await until(() => moved().length === 7 && moved().every((p) => p.status?.phase === 'Running' && p.spec.nodeName !== cluster.node));
    await until(() => cluster.fleet.get(cluster.instance.id)?.state === 'terminated', 5_000);
    expect(cluster.server.stats.podsLost).toBe(0);
    expect(cluster.server.stats.evictions).toBe(7);
    expect(cluster.nodeEvents().map((e) => e.reason)).toEqual(['DrainStarted', 'DrainCompleted']);
    console.log(
      `[drain] 7 pods, permissive budgets: ${(result.summary.durationMs / 1000).toFixed(1)} s virtual, evictions answered after ${result.summary.evictionsIssuedMs} ms, all accepted after ${result.summary.evictionsAcceptedMs} ms virtual; first-request spread ${spreadMs.toFixed(0)} ms real`,
    );
  });

  it('a second drain of the same node joins the first', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 2 }] }, { speed: 50, spareNodes: 1 });
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: c.api, clock: c.clock, onProgress: rec.onProgress });
    const request = { deadlineMs: c.clock.now() + 60_000, reason: 'rebalance' };
    const first = executor.drain(c.node, request);
    const second = executor.drain(c.node, { ...request, reason: 'hub order' });
    expect(second).toBe(first);
    expect(executor.draining()).toEqual([c.node]);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(rec.events.filter((e) => e.kind === 'cordoned')).toHaveLength(1);
    expect(rec.events.filter((e) => e.kind === 'pod-evicting')).toHaveLength(2);
    expect(executor.draining()).toEqual([]);
  });

  it('a node that does not exist is a clear error, and nothing is written', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 1 }] }, { spareNodes: 0 });
    const rv = c.server.store.resourceVersion;
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: c.api, clock: c.clock, onProgress: rec.onProgress });
    const err = await executor.drain('ip-10-9-9-9.ec2.internal', { deadlineMs: c.clock.now() + 60_000, reason: 'test' }).catch((e) => e);
    expect(err).toBeInstanceOf(DrainError);
    expect(err).toMatchObject({ code: 'node-not-found', node: 'ip-10-9-9-9.ec2.internal' });
    expect((err as Error).message).toBe('node "ip-10-9-9-9.ec2.internal" not found');
    expect(rec.events).toEqual([]);
    expect(c.server.store.resourceVersion).toBe(rv);
  });
});
