import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, createLogger, systemClock } from '@ballast/common';
import { Fleet, type KubeApiServer, ManualClock, startKubeApiServer } from '@ballast/sim';
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfigError, KubePodMetadata } from '../../src/collectors/kube-pod-metadata.ts';

const log = createLogger('test', 'silent');

/** The real clock, plus a hand we can move forward to expire deleted pods. */
function skewedClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return {
    ...systemClock,
    now: () => Date.now() + offset,
    skip: (ms) => {
      offset += ms;
    },
  };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cid = (n: number) => n.toString(16).padStart(64, '0');

// Pods are bound to node names without Node objects, so the simulator's kubelet leaves their
// status alone and the test writes containerStatuses (with runtime ids) itself, as a kubelet would.
async function createPod(
  core: k8s.CoreV1Api,
  name: string,
  node: string,
  containers: Record<string, number>,
  owner?: k8s.V1OwnerReference,
) {
  const pod = await core.createNamespacedPod({
    namespace: 'shop',
    body: {
      metadata: { name, labels: { 'pod-template-hash': '5f6d8c9b7' }, ownerReferences: owner ? [owner] : undefined },
      spec: { nodeName: node, containers: Object.keys(containers).map((c) => ({ name: c, image: 'x' })) },
    },
  });
  pod.status = {
    phase: 'Running',
    containerStatuses: Object.entries(containers).map(([c, n]) => ({
      name: c,
      image: 'x',
      imageID: '',
      ready: true,
      restartCount: 0,
      containerID: `containerd://${cid(n)}`,
    })),
  };
  const updated = await core.replaceNamespacedPodStatus({ name, namespace: 'shop', body: pod });
  return updated.metadata?.uid as string;
}

const rs = (name: string): k8s.V1OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: 'rs-uid', controller: true });

describe('KubePodMetadata against the simulator’s kube-apiserver', () => {
  let server: KubeApiServer | undefined;
  let source: KubePodMetadata | undefined;
  afterEach(async () => {
    await source?.shutdown();
    await server?.close();
  });

  async function setup(clock: Clock = systemClock) {
    const simClock = new ManualClock(Date.parse('2026-11-23T00:00:00Z'));
    server = await startKubeApiServer({
      fleet: new Fleet(simClock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 }),
      clock: simClock,
      clusterName: 'meta',
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    return {
      core,
      server,
      make: () =>
        new KubePodMetadata({
          node: 'node-a',
          kubeconfigPath: (server as KubeApiServer).kubeconfigPath,
          log,
          clock,
          retainDeletedMs: 30_000,
        }),
    };
  }

  it('lists this node’s pods at start and maps container ids to names and owners', async () => {
    const { core, make } = await setup();
    const web = await createPod(core, 'web-5f6d8c9b7-abcde', 'node-a', { nginx: 1, 'log-shipper': 2 }, rs('web-5f6d8c9b7'));
    const other = await createPod(core, 'elsewhere', 'node-b', { app: 3 });
    source = make();
    await source.start();
    expect(source.stats()).toMatchObject({ synced: true, pods: 1, lists: 1 });
    expect(source.lookup(web, cid(1))).toEqual({
      pod: 'web-5f6d8c9b7-abcde',
      namespace: 'shop',
      container: 'nginx',
      ownerKind: 'Deployment',
      ownerName: 'web',
    });
    expect(source.lookup(web, cid(2))?.container).toBe('log-shipper');
    expect(source.lookup(web, cid(99))?.container).toBe(''); // e.g. the sandbox
    expect(source.lookup(other, cid(3))).toBeUndefined(); // another node's pod is never seen
  });

  it('follows the watch: new pods, status updates, and deletions kept for a grace period', async () => {
    const clock = skewedClock();
    const { core, make } = await setup(clock);
    source = make();
    await source.start();
    // `version` moves with every change to an answer, so a collector can skip its lookups otherwise.
    const v0 = source.version;
    expect(source.version).toBe(v0);
    const uid = await createPod(core, 'late', 'node-a', { app: 7 });
    await until(() => source?.lookup(uid, cid(7))?.container === 'app');
    const v1 = source.version;
    expect(v1).toBeGreaterThan(v0);
    await core.deleteNamespacedPod({ name: 'late', namespace: 'shop', gracePeriodSeconds: 0 });
    await until(() => source?.stats().pods === 0);
    const v2 = source.version;
    expect(v2).toBeGreaterThan(v1);
    // The cgroup may outlive the API object by a cycle or two; its names still answer.
    expect(source.lookup(uid, cid(7))?.pod).toBe('late');
    expect(source.version).toBe(v2);
    clock.skip(31_000);
    // Expired: the answer changes without an event, and so does the version.
    expect(source.version).toBeGreaterThan(v2);
    expect(source.lookup(uid, cid(7))).toBeUndefined();
  });

  it('lists again after the server expires its resourceVersion (410), and keeps following', async () => {
    const { core, server, make } = await setup();
    source = make();
    await source.start();
    const first = await createPod(core, 'one', 'node-a', { app: 1 });
    await until(() => source?.lookup(first, cid(1)) !== undefined);
    server.store.compact();
    await until(() => (source?.stats().lists ?? 0) >= 2);
    const second = await createPod(core, 'two', 'node-a', { app: 2 });
    await until(() => source?.lookup(second, cid(2)) !== undefined);
    expect(source.lookup(first, cid(1))?.pod).toBe('one');
    expect(source.stats().watchErrors).toBe(0);
  });

  it('shuts down its watch, and shutdown before start is safe', async () => {
    const { server, make } = await setup();
    const idle = make();
    await idle.shutdown();
    source = make();
    await source.start();
    await until(() => server.stats.watchesOpen === 1);
    await source.shutdown();
    await until(() => server.stats.watchesOpen === 0);
  });
});

describe('KubePodMetadata without a reachable API server', () => {
  it('starts anyway, answers nothing, and retries in the background', async () => {
    // Port 9 (discard) on loopback: nothing listens, so every connection is refused.
    const endpoint = { server: new URL('http://127.0.0.1:9'), source: 'test', authorization: () => undefined };
    const source = new KubePodMetadata({ node: 'n', endpoint, log, reconnectMinMs: 20, reconnectMaxMs: 40 });
    await source.start();
    expect(source.stats().synced).toBe(false);
    expect(source.lookup('u', 'c')).toBeUndefined();
    await until(() => source.stats().watchErrors >= 2);
    await source.shutdown();
  });

  it('names the kubeconfig it could not load', () => {
    expect(() => new KubePodMetadata({ node: 'n', kubeconfigPath: '/nonexistent/kubeconfig', log })).toThrow(KubeConfigError);
    expect(() => new KubePodMetadata({ node: 'n', kubeconfigPath: '/nonexistent/kubeconfig', log })).toThrow(/\/nonexistent\/kubeconfig/);
  });
});

describe('KubePodMetadata against an API server that pages its lists', () => {
  // The simulator answers a list in one piece; a real API server honours `limit` with
  // `continue` tokens, and may refuse a watch from an old resourceVersion with a 410.
  const pod = (name: string, n: number) => ({
    metadata: { uid: `uid-${name}`, name, namespace: 'shop' },
    status: { containerStatuses: [{ name: 'app', containerID: `containerd://${cid(n)}` }] },
  });
  let server: Server | undefined;
  let source: KubePodMetadata | undefined;
  afterEach(async () => {
    await source?.shutdown();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('follows continue tokens, resumes the watch from the list’s version, and lists again after a 410', async () => {
    const urls: URL[] = [];
    let watches = 0;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      urls.push(url);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.searchParams.get('watch') !== '1') {
        const cont = url.searchParams.get('continue');
        if (!cont) return json(200, { metadata: { resourceVersion: '5', continue: 'page-2' }, items: [pod('a', 1), pod('b', 2)] });
        return json(200, { metadata: { resourceVersion: '5' }, items: [pod('c', 3)] });
      }
      watches += 1;
      if (watches === 1) return json(410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 5' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(
        `${JSON.stringify({ type: 'ADDED', object: { ...pod('d', 4), metadata: { ...pod('d', 4).metadata, resourceVersion: '6' } } })}\n`,
      );
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const endpoint = {
      server: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      source: 'test',
      authorization: () => undefined,
    };
    source = new KubePodMetadata({ node: 'node-a', endpoint, log, pageSize: 2 });
    await source.start();
    expect(source.lookup('uid-c', cid(3))?.pod).toBe('c');
    await until(() => source?.lookup('uid-d', cid(4)) !== undefined);
    const lists = urls.filter((u) => u.searchParams.get('watch') !== '1');
    expect(lists.map((u) => [u.searchParams.get('limit'), u.searchParams.get('continue')])).toEqual([
      ['2', null],
      ['2', 'page-2'],
      ['2', null],
      ['2', 'page-2'],
    ]);
    expect(lists.every((u) => u.searchParams.get('fieldSelector') === 'spec.nodeName=node-a')).toBe(true);
    const watchUrls = urls.filter((u) => u.searchParams.get('watch') === '1');
    expect(watchUrls.map((u) => u.searchParams.get('resourceVersion'))).toEqual(['5', '5']);
    expect(source.stats()).toMatchObject({ pods: 4, lists: 2, watchErrors: 0 });
  });
});
