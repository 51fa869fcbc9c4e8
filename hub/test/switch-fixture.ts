import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ballast/common';
import { ClientNodeClusterApi } from '@ballast/kube';
import {
  BUILT_IN_IMAGE_IDS,
  CLUSTER_TAG,
  type KubeApiServer,
  type KubeTypes,
  kubeResources as R,
  type SimInstance,
  seedWorkloads,
  settleKube,
  startKubeApiServer,
  type WorkloadSeed,
} from '@ballast/sim';
import { type SimEc2, seedMigratedPglite, startSimEc2, waitFor } from '@ballast/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../src/api/api-server.ts';
import { registerApprovalRoutes } from '../src/api/routes/approval-routes.ts';
import { registerAuditRoutes } from '../src/api/routes/audit-routes.ts';
import { registerJobRoutes } from '../src/api/routes/job-routes.ts';
import { registerKillSwitchRoutes } from '../src/api/routes/kill-switch-routes.ts';
import { registerOverrideRoutes } from '../src/api/routes/override-routes.ts';
import { registerSwitchRoutes } from '../src/api/routes/switch-routes.ts';
import { HUB_ADMIN_FOR_TESTS } from '../src/auth/trusted-principal.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import type { CloudProvider } from '../src/cloud/cloud-provider.ts';
import { TAG_KEYS } from '../src/cloud/cloud-types.ts';
import { headerActor } from '../src/governance/actor.ts';
import type { ApprovalPolicy } from '../src/governance/approval-policy.ts';
import type { AgentRegistry } from '../src/ingest/agent-registry.ts';
import { ActionsPlane, type ActionsPlaneOptions } from '../src/jobs/actions-plane.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { TenantRepository } from '../src/state/repositories/tenant-repository.ts';
import type { MetricsStore } from '../src/store/metrics-store.ts';
import type { AgentCommander } from '../src/switches/agent-commander.ts';
import type { SwitchTimings } from '../src/switches/switch-ports.ts';
import type { JobBody } from './jobs-fixture.ts';

export type Backend = { kind: 'pglite' } | { kind: 'postgres'; url: string };

/** Runs before or after a launch reaches EC2; a test blocks here to stop a hub mid-step. */
export type LaunchHook = (clientToken: string) => Promise<void> | void;

export interface SwitchWorldOptions {
  backend?: Backend;
  policy?: ApprovalPolicy;
  timings?: Partial<SwitchTimings>;
  /** Virtual ms from launch to running (the node registers then). Default 1 s. */
  bootDelayMs?: number;
  runner?: ActionsPlaneOptions['runner'];
  clusters?: string[];
  /** The manual clock's start (default: testkit's, in 2021); a test with a real agent starts at the real time. */
  startMs?: number;
  /** Drains through agents: built on the world's clock. */
  commander?: (clock: SimEc2['clock']) => AgentCommander;
}

/**
 * The hub's action parts on real pieces for switches: the AWS provider against the sim's
 * EC2 endpoint, one sim kube-apiserver per cluster on the same fleet and clock (reached
 * with @kubernetes/client-node), PGlite (or PostgreSQL), the job runner on the sim's
 * manual clock, and the API server with the job, audit, approval, switch, override and
 * kill-switch routes. `restart()` reopens everything on the same data.
 */
export class SwitchWorld {
  app!: FastifyInstance;
  plane!: ActionsPlane;
  store!: MetadataStore;
  readonly kube = new Map<string, KubeApiServer>();
  readonly launches: string[] = [];
  readonly hooks: { beforeLaunch?: LaunchHook; afterLaunch?: LaunchHook } = {};
  private readonly aws: AwsCloudProvider;
  private readonly commander: AgentCommander | null;
  private constructor(
    readonly sim: SimEc2,
    private readonly o: SwitchWorldOptions,
    private readonly dir: string | null,
  ) {
    this.aws = new AwsCloudProvider(sim.awsConfig());
    this.commander = o.commander ? o.commander(sim.clock) : null;
  }

  static async start(o: SwitchWorldOptions = {}): Promise<SwitchWorld> {
    let dir: string | null = null;
    if ((o.backend ?? { kind: 'pglite' }).kind === 'pglite') {
      dir = mkdtempSync(join(tmpdir(), 'ballast-switch-'));
      rmSync(dir, { recursive: true });
      await seedMigratedPglite(dir);
    }
    const sim = await startSimEc2({
      catalog: 'built-in',
      prices: false,
      bootDelayMs: o.bootDelayMs ?? 1_000,
      ...(o.startMs ? { startMs: o.startMs } : {}),
    });
    const world = new SwitchWorld(sim, o, dir);
    for (const name of o.clusters ?? ['prod']) {
      world.kube.set(name, await startKubeApiServer({ fleet: sim.fleet, clock: sim.clock, clusterName: name, nodeDeleteDelayMs: 5_000 }));
    }
    await world.open();
    return world;
  }

  cloud(): CloudProvider {
    const inner = this.aws;
    return {
      ...Object.fromEntries(
        (
          [
            'describeInstances',
            'describeInstanceTypes',
            'describeSpotPriceHistory',
            'describeAvailabilityZones',
            'describeVolumes',
            'deleteVolume',
            'describeSnapshots',
            'createSnapshot',
            'deleteSnapshot',
            'describeImages',
            'createTags',
            'terminate',
          ] as const
        ).map((m) => [m, (...args: unknown[]) => (inner[m] as (...a: unknown[]) => unknown).apply(inner, args)]),
      ),
      launch: async (r) => {
        await this.hooks.beforeLaunch?.(r.clientToken);
        this.launches.push(r.clientToken);
        const out = await inner.launch(r);
        await this.hooks.afterLaunch?.(r.clientToken);
        return out;
      },
    } as CloudProvider;
  }

  async open(runnerId = `runner-${Math.random().toString(36).slice(2, 8)}`): Promise<void> {
    const backend = this.o.backend ?? { kind: 'pglite' };
    this.store = await openMetadataStore(
      backend.kind === 'pglite' ? { kind: 'pglite', path: this.dir } : { kind: 'postgres', url: backend.url, ssl: false, poolMax: 4 },
    );
    await this.store.migrate();
    const apis = new Map(
      [...this.kube].map(([name, k]) => [
        name,
        new ClientNodeClusterApi({ kubeConfig: { file: k.kubeconfigPath }, component: 'ballast-hub' }),
      ]),
    );
    this.plane = new ActionsPlane({
      store: this.store,
      cloud: this.cloud(),
      clock: this.sim.clock,
      log: createLogger('test', 'silent'),
      knownFleet: async () => ({ clusterIds: new Set(this.kube.keys()), instanceIds: new Set() }),
      hourlyPrice: () => 0.1,
      ...(this.o.policy ? { policy: this.o.policy } : {}),
      runner: { runnerId, leaseMs: 60_000, pollMs: 5_000, shutdownGraceMs: 300, concurrency: 4, ...this.o.runner },
      switches: {
        clusters: (_client, cluster) => apis.get(cluster) ?? null,
        commander: this.commander,
        timings: { readyTimeoutMs: 120_000, drainTimeoutMs: 600_000, pollMs: 2_000, ...this.o.timings },
        sweepEveryMs: 60_000,
      },
    });
    this.app = await buildApiServer({
      store: { ping: async () => undefined } as unknown as MetricsStore,
      registry: {} as AgentRegistry,
      readiness: [],
      consoleDir: '/nonexistent',
      auth: { trustedPrincipal: HUB_ADMIN_FOR_TESTS },
      defaultTenant: 'default',
      now: () => this.sim.clock.now(),
    });
    const tenantOf = () => 'default';
    const actorOf = headerActor;
    registerJobRoutes(this.app, { jobs: this.plane.jobs, tenantOf, actorOf });
    registerApprovalRoutes(this.app, { approvals: this.plane.approvals, tenantOf, actorOf });
    registerAuditRoutes(this.app, { audit: this.plane.audit, tenantOf });
    registerSwitchRoutes(this.app, { history: this.plane.switchHistory, tenantOf });
    registerOverrideRoutes(this.app, { overrides: this.plane.overrides, tenantOf, actorOf, defaultTenant: 'default' });
    registerKillSwitchRoutes(this.app, { killSwitch: this.plane.killSwitch, actorOf });
    const tenants = new TenantRepository(this.store);
    for (const name of this.kube.keys()) await tenants.ensureCluster('default', name, this.sim.clock.now());
    await this.plane.start();
  }

  async stop(): Promise<void> {
    await this.plane?.shutdown();
    await this.app?.close();
    await this.store?.close();
  }

  async restart(runnerId?: string): Promise<void> {
    await this.stop();
    await this.open(runnerId);
  }

  async close(): Promise<void> {
    await this.stop();
    this.commander?.close();
    this.aws.close();
    for (const k of this.kube.values()) await k.close();
    await this.sim.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A node of `cluster` straight in the sim's fleet, tagged as Ballast tags what it launches. */
  node(capacityType: 'spot' | 'on-demand' = 'spot', o: { cluster?: string; tenant?: string; instanceType?: string } = {}): SimInstance {
    return this.sim.fleet.launch({
      instanceType: o.instanceType ?? 'm5.large',
      availabilityZone: 'us-east-1a',
      capacityType,
      imageId: BUILT_IN_IMAGE_IDS.al2023X86,
      tags: { [CLUSTER_TAG]: o.cluster ?? 'prod', [TAG_KEYS.tenant]: o.tenant ?? 'default' },
    });
  }

  /** Boots what was launched and lets the cluster schedule and start its pods. */
  async boot(workloads?: WorkloadSeed, cluster = 'prod'): Promise<void> {
    await this.sim.clock.advance(this.sim.fleet.options.bootDelayMs);
    const k = this.kube.get(cluster) as KubeApiServer;
    if (workloads) seedWorkloads(k, workloads);
    await settleKube(k);
  }

  /** Advances the clock in steps (leases, polls, boots, grace periods), letting the clusters settle, until `done` answers. */
  async drive<T>(what: string, done: () => Promise<T | undefined> | T | undefined, stepMs = 1_000, timeoutMs = 60_000): Promise<T> {
    return waitFor(
      what,
      async () => {
        await this.sim.clock.advance(stepMs);
        for (const k of this.kube.values()) await settleKube(k);
        return (await done()) ?? undefined;
      },
      timeoutMs,
    );
  }

  /** Drives until the job reaches one of `statuses`. */
  async driveJob(id: string, statuses: string[], stepMs = 1_000, timeoutMs = 60_000): Promise<JobBody> {
    return this.drive(
      `job ${id} to be ${statuses.join(' or ')}`,
      async () => {
        const j = await this.job(id);
        return statuses.includes(j.status) ? j : undefined;
      },
      stepMs,
      timeoutMs,
    );
  }

  async job(id: string): Promise<JobBody> {
    return (await this.app.inject(`/api/v1/jobs/${id}`)).json() as JobBody;
  }

  async submitSwitch(params: Record<string, unknown>): Promise<string> {
    const { job } = await this.plane.switches.submit({ clientId: 'default', actor: 'tester', ...params } as Parameters<
      ActionsPlane['switches']['submit']
    >[0]);
    return job.id;
  }

  request(method: 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown, actor?: string) {
    return this.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(actor ? { 'x-ballast-actor': actor } : {}) },
    });
  }

  /** Live (not shutting down or terminated) instances of a cluster in the sim. */
  liveNodes(cluster = 'prod'): SimInstance[] {
    return this.sim.fleet.list().filter((i) => i.tags[CLUSTER_TAG] === cluster && (i.state === 'pending' || i.state === 'running'));
  }

  pods(app: string, cluster = 'prod'): KubeTypes.Pod[] {
    return (this.kube.get(cluster)?.store.list(R.pods, 'default') ?? []).filter((p) => p.metadata.labels?.app === app) as KubeTypes.Pod[];
  }

  nodeObject(name: string, cluster = 'prod'): KubeTypes.Node | undefined {
    return this.kube.get(cluster)?.store.get(R.nodes, undefined, name) as KubeTypes.Node | undefined;
  }

  async count(sql: string): Promise<number> {
    return (await this.store.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  }
}

/** A pod counts as healthy when it runs, is Ready and is not terminating (what a PDB counts). */
export function healthy(p: KubeTypes.Pod): boolean {
  return (
    p.status?.phase === 'Running' &&
    !p.metadata.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}
