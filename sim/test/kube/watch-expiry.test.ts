import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { R } from '../../src/kube/resources.ts';
import { startTestCluster, type TestCluster, until } from './helpers.ts';

const bare = (name: string) => ({
  metadata: { name, namespace: 'default', labels: { app: 'w' } },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});

describe('watches and compaction, through @kubernetes/client-node', () => {
  let c: TestCluster | undefined;
  afterEach(async () => c?.close());

  function clients(): { kc: k8s.KubeConfig; core: k8s.CoreV1Api } {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile((c as TestCluster).server.kubeconfigPath);
    return { kc, core: kc.makeApiClient(k8s.CoreV1Api) };
  }

  it('an informer survives a forced compaction: 410, relist, then new events arrive', async () => {
    c = await startTestCluster(new ManualClock(Date.parse('2025-01-01T00:00:00Z')), 1);
    const { kc, core } = clients();
    await core.createNamespacedPod({ namespace: 'default', body: bare('before') });

    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    const added: string[] = [];
    let connects = 0;
    const errors: unknown[] = [];
    informer.on('add', (p) => added.push(p.metadata?.name as string));
    informer.on('connect', () => {
      connects += 1;
    });
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await until(() => added.includes('before') && (c?.server.stats.watchesOpen ?? 0) === 1);

    c.server.store.compact();
    // The open watch got an ERROR 410 Expired and was closed; the informer relists and re-watches.
    await until(() => connects >= 2 && (c?.server.stats.watchesOpen ?? 0) === 1);
    expect(c.server.stats.watchesExpired).toBe(1);

    await core.createNamespacedPod({ namespace: 'default', body: bare('after') });
    await until(() => added.includes('after'));
    expect(errors).toEqual([]);
    expect(
      informer
        .list('default')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['after', 'before']);
    await informer.stop();
  });

  it('a watch resuming from a compacted resourceVersion gets an ERROR event with a 410 Expired Status', async () => {
    c = await startTestCluster(new ManualClock(Date.parse('2025-01-01T00:00:00Z')), 1);
    const { kc, core } = clients();
    const list = await core.listNamespacedPod({ namespace: 'default' });
    const oldRv = list.metadata?.resourceVersion as string;
    await core.createNamespacedPod({ namespace: 'default', body: bare('p1') });
    c.server.store.compact();

    const events: Array<{ type: string; obj: { code?: number; reason?: string; kind?: string } }> = [];
    const done = new Promise<unknown>((resolve) => {
      void new k8s.Watch(kc).watch(
        '/api/v1/namespaces/default/pods',
        { resourceVersion: oldRv },
        (type, obj) => events.push({ type, obj }),
        resolve,
      );
    });
    await done;
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('delivers ADDED/MODIFIED/DELETED and bookmarks, and turns selector crossings into ADDED', async () => {
    c = await startTestCluster(new ManualClock(Date.parse('2025-01-01T00:00:00Z')), 1, { bookmarkIntervalMs: 50 });
    const { kc, core } = clients();
    const node = c.nodes()[0]?.metadata.name as string;
    const rv = (await core.listPodForAllNamespaces()).metadata?.resourceVersion as string;
    const seen: string[] = [];
    const ctrl = await new k8s.Watch(kc).watch(
      '/api/v1/pods',
      { resourceVersion: rv, fieldSelector: `spec.nodeName=${node}`, allowWatchBookmarks: true },
      (type, obj) => seen.push(type === 'BOOKMARK' ? type : `${type} ${obj.metadata.name}`),
      () => {},
    );
    await core.createNamespacedPod({ namespace: 'default', body: bare('w1') });
    // Unbound at creation (filtered out), bound by the scheduler: an ADDED for this watcher.
    await until(() => seen.includes('ADDED w1'));
    await core.deleteNamespacedPod({ namespace: 'default', name: 'w1', gracePeriodSeconds: 0 });
    await until(() => seen.includes('DELETED w1') && seen.includes('BOOKMARK'));
    expect(seen.filter((s) => s.startsWith('ADDED'))).toEqual(['ADDED w1']);
    ctrl.abort();
    expect(c.server.store.get(R.pods, 'default', 'w1')).toBeUndefined();
  });
});
