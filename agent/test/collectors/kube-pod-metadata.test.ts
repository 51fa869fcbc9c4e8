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
    const uid = await createPod(core, 'late', 'node-a', { app: 7 });
    await until(() => source?.lookup(uid, cid(7))?.container === 'app');
    await core.deleteNamespacedPod({ name: 'late', namespace: 'shop', gracePeriodSeconds: 0 });
    await until(() => source?.stats().pods === 0);
    // The cgroup may outlive the API object by a cycle or two; its names still answer.
    expect(source.lookup(uid, cid(7))?.pod).toBe('late');
    clock.skip(31_000);
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
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const source = new KubePodMetadata({ node: 'n', kubeConfig: kc, log, reconnectMinMs: 20, reconnectMaxMs: 40 });
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
