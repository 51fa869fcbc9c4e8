import { afterEach, describe, expect, it } from 'vitest';
import { DrainExecutor } from '../../src/executors/drain-executor.ts';
import { type DrainCluster, recorder, startDrainCluster } from './sim-cluster.ts';

/**
 * A measurement, not a timed pass/fail: a full node (110 pods, grace 30 s, every deployment
 * behind a maxUnavailable 50% budget, replacements Ready 5 s after they are scheduled, so
 * half of each deployment is refused until the first half's replacements are up) drained
 * inside a spot notice. Prints virtual and real figures.
 */
describe('110-pod drain', () => {
  let c: DrainCluster | undefined;
  afterEach(async () => c?.close());

  it('drains a full node and prints how long it took', async () => {
    const speed = 10;
    c = await startDrainCluster(
      {
        deployments: Array.from({ length: 11 }, (_, i) => ({
          name: `svc-${i}`,
          replicas: 10,
          terminationGracePeriodSeconds: 30,
          pdb: { maxUnavailable: '50%' },
        })),
      },
      { speed, spareNodes: 2, instanceType: 'm5.4xlarge', podStartupMs: 5_000 },
    );
    const cluster = c;
    expect(cluster.pods((p) => p.spec.nodeName === cluster.node)).toHaveLength(110);
    const rec = recorder();
    const executor = new DrainExecutor({ cluster: cluster.api, clock: cluster.clock, onProgress: rec.onProgress });
    const realStart = performance.now();

    const result = await executor.drain(cluster.node, { deadlineMs: cluster.clock.now() + 110_000, reason: 'spot interruption notice' });

    const realMs = performance.now() - realStart;
    const evicting = rec.events.filter((e) => e.kind === 'pod-evicting');
    const sentRealMs = Math.max(...evicting.map((e) => e.realMs)) - realStart;
    const s = result.summary;
    expect(s.evicted).toBe(110);
    expect(cluster.server.stats.podsLost).toBe(0);
    console.log(
      [
        `[drain 110 pods, speed ${speed}] total ${(s.durationMs / 1000).toFixed(1)} s virtual (${(realMs / 1000).toFixed(2)} s real); metDeadline ${s.metDeadline}`,
        `  every first eviction request sent after ${sentRealMs.toFixed(0)} ms real; every first answer after ${s.evictionsIssuedMs} ms virtual (~${((s.evictionsIssuedMs ?? 0) / speed).toFixed(0)} ms real)`,
        `  every eviction accepted after ${((s.evictionsAcceptedMs ?? 0) / 1000).toFixed(1)} s virtual; refused attempts (budget) ${cluster.server.stats.evictionsRefused}; API requests ${cluster.server.stats.requests}`,
      ].join('\n'),
    );
  });
});
