import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { seedWorkloads } from '../../src/kube/index.ts';
import { R } from '../../src/kube/resources.ts';
import type { PodDisruptionBudget } from '../../src/kube/types.ts';
import { settle, startTestCluster, type TestCluster } from './helpers.ts';

describe('the eviction API and PDB status, through @kubernetes/client-node', () => {
  let c: TestCluster | undefined;
  afterEach(async () => c?.close());

  async function setUp(pdb: { minAvailable?: number | string; maxUnavailable?: number | string }, replicas: number) {
    // Pods take 5 s of clock time to start, so a replacement is not Ready until the test moves the clock.
    c = await startTestCluster(new ManualClock(Date.parse('2025-01-01T00:00:00Z')), 3, { podStartupMs: 5_000 });
    seedWorkloads(c.server, { deployments: [{ name: 'web', replicas, pdb }] });
    await settle(c.server);
    await (c.clock as ManualClock).advance(5_000);
    await settle(c.server);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.server.kubeconfigPath);
    return { core: kc.makeApiClient(k8s.CoreV1Api), policy: kc.makeApiClient(k8s.PolicyV1Api) };
  }

  const evict = (core: k8s.CoreV1Api, name: string, grace?: number) =>
    core.createNamespacedPodEviction({
      name,
      namespace: 'default',
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace: 'default' },
        ...(grace !== undefined ? { deleteOptions: { gracePeriodSeconds: grace } } : {}),
      },
    });

  it('minAvailable 50% of 5 replicas: desired 3 (rounded up), 2 disruptions allowed', async () => {
    const { policy } = await setUp({ minAvailable: '50%' }, 5);
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'web-pdb', namespace: 'default' });
    expect(pdb.status).toMatchObject({
      expectedPods: 5,
      currentHealthy: 5,
      desiredHealthy: 3,
      disruptionsAllowed: 2,
      observedGeneration: 1,
    });
  });

  it('maxUnavailable 1: one eviction passes, the next gets 429 with a DisruptionBudget cause', async () => {
    const { core, policy } = await setUp({ maxUnavailable: 1 }, 4);
    const before = await policy.readNamespacedPodDisruptionBudget({ name: 'web-pdb', namespace: 'default' });
    expect(before.status).toMatchObject({ expectedPods: 4, currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1 });

    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (web)' })).items;
    expect(pods).toHaveLength(4);
    await evict(core, pods[0]?.metadata?.name as string);
    const evicted = await core.readNamespacedPod({ name: pods[0]?.metadata?.name as string, namespace: 'default' });
    expect(evicted.metadata?.deletionTimestamp).toBeDefined();
    expect(evicted.metadata?.deletionGracePeriodSeconds).toBe(30);

    const err = await evict(core, pods[1]?.metadata?.name as string).then(
      () => undefined,
      (e: unknown) => e as { code: number; body: string },
    );
    expect(err?.code).toBe(429);
    const status = JSON.parse(err?.body as string);
    expect(status).toMatchObject({
      kind: 'Status',
      code: 429,
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    expect(status.details.causes).toEqual([
      {
        reason: 'DisruptionBudget',
        message: expect.stringMatching(/^The disruption budget web-pdb needs 3 healthy pods and has \d currently$/),
      },
    ]);
    expect(c?.server.stats.evictionsRefused).toBe(1);

    // The replacement starts; the budget frees up again.
    await ((c as TestCluster).clock as ManualClock).advance(5_000);
    await settle(c?.server as TestCluster['server']);
    const after = c?.server.store.get(R.pdbs, 'default', 'web-pdb') as PodDisruptionBudget;
    expect(after.status).toMatchObject({ expectedPods: 4, currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1 });
  });

  it('honours deleteOptions.gracePeriodSeconds and removes the pod after the grace on the clock', async () => {
    const { core } = await setUp({ maxUnavailable: '50%' }, 4);
    const name = (await core.listNamespacedPod({ namespace: 'default' })).items[0]?.metadata?.name as string;
    await evict(core, name, 5);
    expect(c?.server.store.get(R.pods, 'default', name)?.metadata.deletionGracePeriodSeconds).toBe(5);
    await ((c as TestCluster).clock as ManualClock).advance(5_000);
    expect(c?.server.store.get(R.pods, 'default', name)).toBeUndefined();
  });

  it('a pod matched by two budgets cannot be evicted (500, as Kubernetes)', async () => {
    const { core, policy } = await setUp({ maxUnavailable: 1 }, 2);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'second' }, spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 1 } },
    });
    const name = (await core.listNamespacedPod({ namespace: 'default' })).items[0]?.metadata?.name as string;
    const err = await evict(core, name).then(
      () => undefined,
      (e: unknown) => e as { code: number; body: string },
    );
    expect(err?.code).toBe(500);
    expect(JSON.parse(err?.body as string).message).toContain('more than one PodDisruptionBudget');
  });

  it('a maxUnavailable: 0 budget refuses every eviction', async () => {
    const { core } = await setUp({ maxUnavailable: 0 }, 2);
    const name = (await core.listNamespacedPod({ namespace: 'default' })).items[0]?.metadata?.name as string;
    const err = await evict(core, name).then(
      () => undefined,
      (e: unknown) => e as { code: number; body: string },
    );
    expect(err?.code).toBe(429);
    expect(JSON.parse(err?.body as string).details.causes[0].message).toBe(
      'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
    );
  });
});
