import {
  CLUSTER_TAG,
  Fleet,
  type KubeApiServer,
  type KubeTypes,
  kubeResources as R,
  ScaledClock,
  type SimInstance,
  seedWorkloads,
  settleKube,
  startKubeApiServer,
  type WorkloadSeed,
} from '@ballast/sim';
import { ClientNodeClusterApi } from '../../../kube/src/index.ts';
import type { DrainProgressEvent } from '../../src/executors/drain-types.ts';

export interface DrainCluster {
  server: KubeApiServer;
  fleet: Fleet;
  clock: ScaledClock;
  api: ClientNodeClusterApi;
  /** The node every seeded pod was scheduled on (DaemonSet pods aside). */
  node: string;
  instance: SimInstance;
  pods(filter?: (p: KubeTypes.Pod) => boolean): KubeTypes.Pod[];
  nodeEvents(): Array<{ reason: string; message: string; type: string }>;
  close(): Promise<void>;
}

export async function until(cond: () => boolean, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A simulated cluster whose seeded workloads all sit on one node (`node`), plus `spareNodes`
 * registered afterwards to take the evicted pods. The clock runs `speed` times real time, so
 * grace periods and deadlines of tens of seconds pass in a second or two. `podStartupMs`
 * (virtual) delays replacements' readiness, which is what makes budgets refuse in waves.
 */
export async function startDrainCluster(
  seed: WorkloadSeed,
  {
    speed = 20,
    spareNodes = 2,
    instanceType = 'm5.4xlarge',
    podStartupMs = 0,
  }: { speed?: number; spareNodes?: number; instanceType?: string; podStartupMs?: number } = {},
): Promise<DrainCluster> {
  const clock = new ScaledClock(Date.parse('2025-01-01T00:00:00Z'), speed);
  const fleet = new Fleet(clock, { bootDelayMs: 0, shutdownDelayMs: 0 });
  const server = await startKubeApiServer({ fleet, clock, clusterName: 'drain', nodeDeleteDelayMs: 1_000, podStartupMs });
  const launch = () =>
    fleet.launch({
      instanceType,
      availabilityZone: 'us-east-1a',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'drain' },
    });
  const instance = launch();
  await until(() => server.store.count(R.nodes) === 1);
  seedWorkloads(server, seed);
  const all = () => server.store.list(R.pods) as KubeTypes.Pod[];
  await until(() => all().length > 0 && all().every((p) => p.status?.phase === 'Running'), 20_000);
  for (let i = 0; i < spareNodes; i++) launch();
  await until(() => server.store.count(R.nodes) === 1 + spareNodes);
  await until(() => all().every((p) => p.status?.phase === 'Running'));
  await settleKube(server);
  const node = instance.privateDnsName;
  return {
    server,
    fleet,
    clock,
    api: new ClientNodeClusterApi({ kubeConfig: { file: server.kubeconfigPath }, clock }),
    node,
    instance,
    pods: (filter = () => true) => all().filter(filter),
    nodeEvents: () =>
      server.store
        .list(R.events, 'default')
        .filter((e) => (e.involvedObject as { name?: string }).name === node)
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
        .map((e) => ({ reason: e.reason as string, message: e.message as string, type: e.type as string })),
    close: () => server.close(),
  };
}

/** A progress event stamped with the real time it arrived, for parallelism checks. */
export type Recorded = DrainProgressEvent & { realMs: number };
export type RecordedOf<K extends DrainProgressEvent['kind']> = Extract<Recorded, { kind: K }>;

export function recorder(): { events: Recorded[]; onProgress: (e: DrainProgressEvent) => void } {
  const events: Recorded[] = [];
  return { events, onProgress: (e) => events.push({ ...e, realMs: performance.now() }) };
}

export const app = (name: string) => (p: KubeTypes.Pod) => p.metadata.labels?.app === name;
