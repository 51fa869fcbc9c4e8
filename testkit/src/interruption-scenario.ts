import {
  CLUSTER_TAG,
  Fleet,
  ImdsFleet,
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
import { type AgentHandle, type AgentOptions, startAgent } from './agent-process.ts';
import { waitFor } from './child-process.ts';

export interface InterruptionScenarioOptions {
  /** Virtual seconds per real second; 1 keeps the agent's wall clock and the notice's times in step. */
  speed: number;
  workloads: WorkloadSeed;
  spareNodes: number;
  instanceType?: string;
  hubAddress: string;
  agentEnv?: Record<string, string>;
  /** Run the agent bundle instead of its TypeScript sources (see AgentOptions.bundle). */
  agentBundle?: AgentOptions['bundle'];
}

export interface InterruptionTimings {
  /** Real ms from the notice appearing in IMDS to the node's cordon. */
  noticeToCordonMs: number;
  /** Real ms from the notice until every evictable pod's eviction had been requested. */
  noticeToAllEvictionsMs: number;
  /** Real ms from the notice to the last evictable pod's eviction being accepted (budgets may hold some back). */
  noticeToAllAcceptedMs: number;
  /** Real ms from the notice until no evictable pod is left on the node. */
  noticeToEmptyMs: number | null;
  evictedPods: number;
}

/**
 * One node of a simulated cluster running the real agent process (its own IMDS endpoint and
 * a kubeconfig for the sim's API server), with workloads on it and spare nodes to move to.
 * `interrupt()` issues the spot notice and times what the agent does, from the API server's
 * own record of every change.
 */
export class InterruptionScenario {
  private evictablePodNames: string[] | null = null;

  private constructor(
    readonly clock: ScaledClock,
    readonly fleet: Fleet,
    readonly server: KubeApiServer,
    readonly imds: ImdsFleet,
    readonly instance: SimInstance,
    readonly agent: AgentHandle,
  ) {}

  static async start(o: InterruptionScenarioOptions): Promise<InterruptionScenario> {
    const clock = new ScaledClock(Date.now(), o.speed);
    const fleet = new Fleet(clock, { bootDelayMs: 0, shutdownDelayMs: 0 });
    const server = await startKubeApiServer({ fleet, clock, clusterName: 'scenario', nodeDeleteDelayMs: 2_000 });
    const imds = new ImdsFleet(fleet, { requireV2: true, host: '127.0.0.1' });
    const launch = () =>
      fleet.launch({
        instanceType: o.instanceType ?? 'm5.4xlarge',
        availabilityZone: 'us-east-1a',
        capacityType: 'spot',
        imageId: 'ami-1',
        tags: { [CLUSTER_TAG]: 'scenario' },
      });
    const instance = launch();
    const pods = () => server.store.list(R.pods) as KubeTypes.Pod[];
    await waitFor('target node', () => server.store.count(R.nodes) === 1);
    seedWorkloads(server, o.workloads);
    await waitFor('pods running', () => pods().length > 0 && pods().every((p) => p.status?.phase === 'Running'), 30_000);
    for (let i = 0; i < o.spareNodes; i++) launch();
    await waitFor('spare nodes', () => server.store.count(R.nodes) === 1 + o.spareNodes);
    await settleKube(server);
    await imds.ready();
    const agent = await startAgent({
      hubAddress: o.hubAddress,
      node: instance.privateDnsName,
      cluster: 'scenario',
      intervalMs: 10_000,
      env: {
        BALLAST_IMDS_ENDPOINT: imds.endpointOf(instance.id) as string,
        BALLAST_KUBECONFIG: server.kubeconfigPath,
        BALLAST_POD_METADATA: 'off',
        BALLAST_CONTAINER_METRICS: 'false',
        ...o.agentEnv,
      },
      bundle: o.agentBundle,
    });
    return new InterruptionScenario(clock, fleet, server, imds, instance, agent);
  }

  get node(): string {
    return this.instance.privateDnsName;
  }

  /** Pods that must leave the node: not DaemonSet-owned, not finished. */
  evictablePods(): KubeTypes.Pod[] {
    return (this.server.store.list(R.pods) as KubeTypes.Pod[]).filter(
      (p) =>
        p.spec?.nodeName === this.node &&
        !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet') &&
        !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
    );
  }

  /** Issues the spot notice and waits until the agent has cordoned the node and every evictable pod's eviction was accepted. */
  async interrupt(timeoutMs = 30_000): Promise<InterruptionTimings> {
    const pods = this.evictablePods();
    const evictable = new Set(pods.map((p) => p.metadata.uid as string));
    this.evictablePodNames = pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    let cordonedAt: number | null = null;
    let lastEvictionAt = 0;
    let emptyAt: number | null = null;
    const accepted = new Set<string>();
    const gone = new Set<string>();
    const offNodes = this.server.store.subscribe(R.nodes, (e) => {
      const node = e.object as KubeTypes.Node;
      if (cordonedAt === null && node.metadata.name === this.node && node.spec?.unschedulable) cordonedAt = performance.now();
    });
    const offPods = this.server.store.subscribe(R.pods, (e) => {
      const uid = e.object.metadata.uid as string;
      if (!evictable.has(uid)) return;
      if (e.object.metadata.deletionTimestamp && !accepted.has(uid)) {
        accepted.add(uid);
        lastEvictionAt = performance.now();
      }
      if (e.type === 'DELETED') gone.add(uid);
      if (gone.size === evictable.size && emptyAt === null) emptyAt = performance.now();
    });
    const t0 = performance.now();
    this.fleet.interrupt(this.instance.id);
    try {
      await waitFor(
        'cordon and evictions',
        () => cordonedAt !== null && accepted.size === evictable.size,
        timeoutMs,
        () => this.agent.process.tail(),
      );
    } finally {
      offNodes();
      offPods();
    }
    const names = this.evictablePodNames ?? [];
    const requested = names.map((n) => this.server.stats.firstEvictionRequest.get(n) ?? Number.NaN);
    return {
      noticeToCordonMs: (cordonedAt as unknown as number) - t0,
      noticeToAllEvictionsMs: Math.max(...requested) - t0,
      noticeToAllAcceptedMs: lastEvictionAt - t0,
      noticeToEmptyMs: emptyAt === null ? null : emptyAt - t0,
      evictedPods: evictable.size,
    };
  }

  async close(): Promise<void> {
    await this.agent.stop().catch(() => undefined);
    await this.imds.close();
    await this.server.close();
  }
}
