import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CLUSTER_TAG,
  Fleet,
  type KubeApiServer,
  kubeResources as R,
  ScaledClock,
  seedWorkloads,
  settleKube,
  startKubeApiServer,
} from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientNodeClusterApi } from '../src/client-node-cluster-api.ts';
import { ClusterApiError } from '../src/cluster-api-error.ts';
import { type ContractWorld, describeClusterApiContract, NS } from './cluster-api-contract.ts';

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The simulator's API server with the contract's world: everything on one node, then a second node. */
async function simWorld(): Promise<ContractWorld> {
  const clock = new ScaledClock(Date.parse('2025-01-01T00:00:00Z'), 10);
  const fleet = new Fleet(clock, { bootDelayMs: 0, shutdownDelayMs: 0 });
  const server: KubeApiServer = await startKubeApiServer({ fleet, clock, clusterName: 'contract' });
  const launch = () =>
    fleet.launch({
      instanceType: 'm5.xlarge',
      availabilityZone: 'us-east-1a',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'contract' },
    });
  const nodeCount = (n: number) => () => server.store.count(R.nodes) === n;
  const first = launch();
  await until(nodeCount(1));
  seedWorkloads(server, {
    namespace: NS,
    deployments: [
      { name: 'free', replicas: 2, emptyDir: true, terminationGracePeriodSeconds: 45, pdb: { maxUnavailable: '100%' } },
      { name: 'locked', replicas: 1, pdb: { maxUnavailable: 0 } },
    ],
    daemonSet: { name: 'agent' },
    barePods: [{ name: 'lonely' }],
  });
  await until(() => server.store.list(R.pods).filter((p) => (p.status as { phase?: string }).phase === 'Running').length === 5);
  const second = launch();
  await until(nodeCount(2));
  await settleKube(server);

  const api = new ClientNodeClusterApi({ kubeConfig: { file: server.kubeconfigPath }, clock, requestTimeoutMs: 5_000 });
  return {
    api,
    node: first.privateDnsName,
    otherNode: second.privateDnsName,
    async createPodOn(node, name) {
      server.store.create(R.pods, {
        metadata: { name, namespace: NS, labels: { app: name } },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
        status: { phase: 'Pending' },
      });
    },
    async addOverlappingPdb() {
      server.store.create(R.pdbs, {
        metadata: { name: 'overlap', namespace: NS },
        spec: { selector: { matchLabels: { app: 'locked' } }, maxUnavailable: 1 },
      });
      await settleKube(server);
    },
    expireWatchHistory: () => server.store.compact(),
    async eventsAbout(kind, name) {
      return server.store
        .list(R.events, 'default')
        .filter(
          (e) => (e.involvedObject as { kind: string; name: string }).kind === kind && (e.involvedObject as { name: string }).name === name,
        )
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
        .map((e) => ({
          reason: e.reason as string,
          message: e.message as string,
          type: e.type as string,
          component: e.reportingComponent as string,
        }));
    },
    close: () => server.close(),
  };
}

describeClusterApiContract('ClientNodeClusterApi against the simulator', simWorld);

describe('ClientNodeClusterApi transport failures', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  const kubeconfig = (url: string) =>
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
    ].join('\n');

  it('an API server that never answers is unavailable after the request timeout', async () => {
    server = createServer(() => {});
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = new ClientNodeClusterApi({ kubeConfig: { yaml: kubeconfig(url) }, requestTimeoutMs: 200 });
    const started = Date.now();
    const err = await api.getNode('n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterApiError);
    expect((err as ClusterApiError).kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a closed port is unavailable; a bad kubeconfig is invalid', async () => {
    const api = new ClientNodeClusterApi({ kubeConfig: { yaml: kubeconfig('http://127.0.0.1:1') } });
    expect(((await api.listNodes().catch((e: unknown) => e)) as ClusterApiError).kind).toBe('unavailable');
    expect(() => new ClientNodeClusterApi({ kubeConfig: { file: '/nonexistent/kubeconfig' } })).toThrow(ClusterApiError);
  });

  it('maps 403 to forbidden and a plain 429 eviction to too-many-requests', async () => {
    server = createServer((req, res) => {
      const status = req.url?.includes('/eviction') ? 429 : 403;
      const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message: status === 429 ? 'slow down' : 'nope' };
      res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': '2' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = new ClientNodeClusterApi({ kubeConfig: { yaml: kubeconfig(url) } });
    const err = (await api.cordon('n').catch((e: unknown) => e)) as ClusterApiError;
    expect(err.kind).toBe('forbidden');
    expect(err.status).toBe(403);
    expect(err.cause).toBeDefined();
    expect(await api.evictPod('ns', 'p')).toEqual({ outcome: 'too-many-requests', message: 'slow down', retryAfterSeconds: 2 });
  });
});
