import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { startTestCluster, type TestCluster } from './helpers.ts';

describe('leases, events and node patches through @kubernetes/client-node', () => {
  let c: TestCluster | undefined;
  afterEach(async () => c?.close());

  async function clients() {
    c = await startTestCluster(new ManualClock(Date.parse('2025-01-01T00:00:00Z')), 1);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.server.kubeconfigPath);
    return { coord: kc.makeApiClient(k8s.CoordinationV1Api), core: kc.makeApiClient(k8s.CoreV1Api) };
  }

  it('a lease update with a stale resourceVersion is a 409 Conflict (what leader election relies on)', async () => {
    const { coord } = await clients();
    const created = await coord.createNamespacedLease({
      namespace: 'kube-system',
      body: { metadata: { name: 'ballast-hub' }, spec: { holderIdentity: 'hub-a', leaseDurationSeconds: 15 } },
    });
    const mine = await coord.replaceNamespacedLease({
      name: 'ballast-hub',
      namespace: 'kube-system',
      body: { ...created, spec: { ...created.spec, holderIdentity: 'hub-a', renewTime: new Date() } },
    });
    expect(Number(mine.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const err = await coord
      .replaceNamespacedLease({ name: 'ballast-hub', namespace: 'kube-system', body: { ...created, spec: { holderIdentity: 'hub-b' } } })
      .then(
        () => undefined,
        (e: { code: number }) => e,
      );
    expect(err?.code).toBe(409);
    expect((await coord.readNamespacedLease({ name: 'ballast-hub', namespace: 'kube-system' })).spec?.holderIdentity).toBe('hub-a');
  });

  it('creates and lists events; rejects objects in a missing namespace', async () => {
    const { core } = await clients();
    await core.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { generateName: 'drain-' },
        involvedObject: { kind: 'Node', name: 'n1' },
        reason: 'Draining',
        message: 'spot notice',
        type: 'Normal',
      },
    });
    const events = await core.listNamespacedEvent({ namespace: 'default' });
    expect(events.items.map((e) => e.reason)).toEqual(['Draining']);
    expect(events.items[0]?.metadata?.name).toMatch(/^drain-\w{5}$/);
    const err = await core.createNamespacedEvent({ namespace: 'nope', body: { metadata: { name: 'x' }, involvedObject: {} } }).then(
      () => undefined,
      (e: { code: number }) => e,
    );
    expect(err?.code).toBe(404);
  });

  it('cordons with client-node’s default JSON patch and labels with a merge patch', async () => {
    const { core } = await clients();
    const name = c?.nodes()[0]?.metadata.name as string;
    await core.patchNode({ name, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    const merged = await core.patchNode(
      { name, body: { metadata: { labels: { 'ballast.io/draining': 'true' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(merged.spec?.unschedulable).toBe(true);
    expect(merged.metadata?.labels?.['ballast.io/draining']).toBe('true');
    expect(merged.metadata?.labels?.['kubernetes.io/hostname']).toBe(name);
  });
});
