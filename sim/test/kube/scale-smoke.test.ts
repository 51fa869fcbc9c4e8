import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_TAG, Fleet } from '../../src/core/fleet.ts';
import { ScaledClock } from '../../src/core/sim-clock.ts';
import { type KubeApiServer, seedWorkloads, settleKube as settle, startKubeApiServer } from '../../src/kube/index.ts';
import { R } from '../../src/kube/resources.ts';
import type { Pod } from '../../src/kube/types.ts';
import { until } from './helpers.ts';

/**
 * Performance smoke, not a timed pass/fail: a 200-node, ~3,000-pod cluster at speed 1 is
 * built and scheduled, then churned (nodes replaced, pods re-created) with node-scoped pod
 * watchers attached, as 200 agents would hold. Prints elapsed and CPU time per phase.
 */
describe('scale smoke', () => {
  let server: KubeApiServer | undefined;
  afterEach(async () => server?.close());

  it('builds and schedules 200 nodes and 3,000 pods, then survives churn', async () => {
    const clock = new ScaledClock(Date.parse('2025-01-01T00:00:00Z'), 1);
    const fleet = new Fleet(clock, { bootDelayMs: 50, shutdownDelayMs: 50 });
    server = await startKubeApiServer({ fleet, clock, clusterName: 'big', nodeDeleteDelayMs: 50 });
    const store = server.store;
    const measure = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await fn();
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      console.log(
        `[kube scale] ${label}: ${wall.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (${((cpuMs / wall) * 100).toFixed(0)}% of a core)`,
      );
      return out;
    };
    const launch = (i: number) =>
      fleet.launch({
        instanceType: 'm5.2xlarge',
        availabilityZone: `us-east-1${'abc'[i % 3]}`,
        capacityType: 'spot',
        imageId: 'ami-1',
        tags: { [CLUSTER_TAG]: 'big' },
      });

    await measure('200 nodes register', async () => {
      for (let i = 0; i < 200; i++) launch(i);
      await until(() => store.count(R.nodes) === 200, 20_000);
    });
    await measure('2,800 deployment pods + 200 daemon pods created, scheduled, Running', async () => {
      seedWorkloads(server as KubeApiServer, {
        deployments: Array.from({ length: 28 }, (_, i) => ({
          name: `svc-${i}`,
          replicas: 100,
          cpu: '100m',
          memory: '256Mi',
          pdb: { maxUnavailable: 1 },
        })),
        daemonSet: { name: 'ballast-agent' },
      });
      await until(() => store.count(R.pods) === 3_000 && (store.list(R.pods) as Pod[]).every((p) => p.status?.phase === 'Running'), 60_000);
    });

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await measure('list all pods over HTTP (client-node)', () => core.listPodForAllNamespaces());
    expect(list.items).toHaveLength(3_000);

    // 200 watchers, one per node, like the agents' field-selected pod watches.
    const rv = list.metadata?.resourceVersion as string;
    let delivered = 0;
    const watches = await Promise.all(
      store.list(R.nodes).map((n) =>
        new k8s.Watch(kc).watch(
          '/api/v1/pods',
          { resourceVersion: rv, fieldSelector: `spec.nodeName=${n.metadata.name}` },
          () => {
            delivered += 1;
          },
          () => {},
        ),
      ),
    );
    await until(() => server?.stats.watchesOpen === 200);

    await measure('churn: 20 nodes terminated and replaced, their pods re-created elsewhere', async () => {
      const victims = fleet.live().slice(0, 20);
      for (const v of victims) fleet.terminate(v.id, 'churn');
      for (let i = 0; i < 20; i++) launch(i);
      const gone = new Set(victims.map((v) => v.privateDnsName));
      await until(() => store.list(R.nodes).every((n) => !gone.has(n.metadata.name as string)) && store.count(R.nodes) === 200, 20_000);
      await until(() => store.count(R.pods) === 3_000 && (store.list(R.pods) as Pod[]).every((p) => p.status?.phase === 'Running'), 20_000);
      await settle(server as KubeApiServer);
    });
    await measure('a quiet second with 200 open watches', () => new Promise((r) => setTimeout(r, 1_000)));

    for (const w of watches) w.abort();
    expect(delivered).toBeGreaterThan(0);
    expect(server.stats.podsLost).toBeGreaterThan(0);
    console.log(
      `[kube scale] pods lost in churn: ${server.stats.podsLost}; watch events delivered: ${delivered}; store rv: ${store.resourceVersion}`,
    );
  });
});
