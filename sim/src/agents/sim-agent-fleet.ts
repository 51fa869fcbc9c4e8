import { AGENT_CONFIG, Agent, type BuiltActions, buildActions, GrpcTransport, ImdsClient, resolveIdentity } from '@ballast/agent';
import { type Clock, type Logger, loadConfig, systemClock } from '@ballast/common';
import { CLUSTER_TAG, type Fleet, type SimInstance } from '../core/fleet.ts';
import type { Rng } from '../core/rng.ts';
import type { ImdsFleet } from '../imds/imds-fleet.ts';
import { type NodeShape, SyntheticNodeCollector } from './synthetic-node-collector.ts';

export interface SimAgentFleetOptions {
  fleet: Fleet;
  imds: ImdsFleet;
  hubAddress: string;
  /** Virtual clock for the synthetic metrics; transports always run on real time. */
  clock: Clock;
  rng: Rng;
  log: Logger;
  collectIntervalMs: number;
  shapeOf: (instanceType: string) => NodeShape;
  /** Share of the node the scheduler has filled, 0–1; default a steady 0.5. */
  loadOf?: (instance: SimInstance) => number;
  tenant?: string;
  /** The tenant of an instance's agent; default `tenant`. */
  tenantOf?: (instance: SimInstance) => string;
  /**
   * The kubeconfig of a cluster's API server. Given: each agent carries out the hub's drain
   * and cordon commands on its node, and (with `actOnNotices`) cordons and drains on its own
   * spot notice, as the DaemonSet's agent does. Absent: agents only report.
   */
  kubeconfigOf?: (cluster: string) => string;
  /** Watch IMDS for interruption notices and act on them (needs `kubeconfigOf` to drain). Default false. */
  actOnNotices?: boolean;
}

/**
 * One real {@link Agent} per running simulated instance — its own identity (read from its
 * own IMDS endpoint), its own gRPC stream and epoch — all in this process. Agents start when
 * an instance boots and stop when it terminates, as a DaemonSet's pods would.
 */
export class SimAgentFleet {
  private readonly agents = new Map<string, Promise<{ agent: Agent; actions: BuiltActions } | null>>();
  private readonly onRunning = (i: SimInstance) => this.startAgent(i);
  private readonly onTerminated = (i: SimInstance) => void this.stopAgent(i.id);

  constructor(private readonly options: SimAgentFleetOptions) {}

  start(): void {
    this.options.fleet.on('running', this.onRunning);
    this.options.fleet.on('terminated', this.onTerminated);
    for (const i of this.options.fleet.list()) if (i.state === 'running') this.startAgent(i);
  }

  get size(): number {
    return this.agents.size;
  }

  async shutdown(): Promise<void> {
    this.options.fleet.off('running', this.onRunning);
    this.options.fleet.off('terminated', this.onTerminated);
    await Promise.all([...this.agents.keys()].map((id) => this.stopAgent(id)));
  }

  private startAgent(instance: SimInstance): void {
    if (this.agents.has(instance.id)) return;
    const o = this.options;
    const started = (async () => {
      await o.imds.ready();
      const endpoint = o.imds.endpointOf(instance.id);
      const log = o.log.child({ node: instance.privateDnsName });
      const cluster = instance.tags[CLUSTER_TAG] ?? 'default';
      const config = {
        ...loadConfig(AGENT_CONFIG, [], {}),
        hubAddress: o.hubAddress,
        tenant: o.tenantOf?.(instance) ?? o.tenant ?? '',
        cluster,
        kubeconfig: o.kubeconfigOf?.(cluster) ?? '',
        node: instance.privateDnsName,
        collectIntervalMs: o.collectIntervalMs,
        shutdownFlushMs: 1_000,
        imdsEndpoint: endpoint ?? 'off',
      };
      const collector = new SyntheticNodeCollector(o.shapeOf(instance.instanceType), o.clock, o.rng.fork(`agent:${instance.id}`), () =>
        o.loadOf ? o.loadOf(instance) : 0.5,
      );
      const transport = new GrpcTransport({ address: o.hubAddress, reconnectMinMs: 250, reconnectMaxMs: 5_000 }, systemClock, log);
      const agent = new Agent(config, [collector], transport, log);
      const imds = endpoint ? new ImdsClient({ endpoint, tokenTtlSeconds: 21_600, allowV1: false, timeoutMs: 2_000 }, systemClock) : null;
      agent.identity = await resolveIdentity(config, imds, log);
      const actions = buildActions(config, imds, agent.identity.lifecycle, transport, systemClock, log);
      agent.commandHandler = actions.commands.onCommand;
      if (!this.agents.has(instance.id)) return null;
      await agent.start();
      if (o.actOnNotices) actions.monitors?.start();
      return { agent, actions };
    })().catch((err) => {
      o.log.warn('simulated agent failed to start', { instance: instance.id, err });
      return null;
    });
    this.agents.set(instance.id, started);
  }

  private async stopAgent(instanceId: string): Promise<void> {
    const started = this.agents.get(instanceId);
    if (!started) return;
    this.agents.delete(instanceId);
    const running = await started;
    await running?.actions.monitors?.shutdown();
    running?.actions.outbox.shutdown();
    await running?.agent.shutdown();
  }
}
