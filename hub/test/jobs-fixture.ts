import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ballast/common';
import { BUILT_IN_IMAGE_IDS, CLUSTER_TAG } from '@ballast/sim';
import { type SimEc2, seedMigratedPglite, startSimEc2, waitFor } from '@ballast/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../src/api/api-server.ts';
import { registerApprovalRoutes } from '../src/api/routes/approval-routes.ts';
import { registerAuditRoutes } from '../src/api/routes/audit-routes.ts';
import { registerGovernanceRoutes } from '../src/api/routes/governance-routes.ts';
import { registerJobRoutes } from '../src/api/routes/job-routes.ts';
import { registerStorageRoutes } from '../src/api/routes/storage-routes.ts';
import { HUB_ADMIN_FOR_TESTS } from '../src/auth/trusted-principal.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import type { CloudProvider } from '../src/cloud/cloud-provider.ts';
import { headerActor } from '../src/governance/actor.ts';
import type { ApprovalPolicy } from '../src/governance/approval-policy.ts';
import type { KnownFleet } from '../src/governance/unregistered-instances.ts';
import type { AgentRegistry } from '../src/ingest/agent-registry.ts';
import { ActionsPlane, type ActionsPlaneOptions } from '../src/jobs/actions-plane.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import type { MetricsStore } from '../src/store/metrics-store.ts';

/** A migrated PGlite data directory of its own (a copy of testkit's template: PGlite's initdb is slow). */
async function pgliteDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-actions-'));
  rmSync(dir, { recursive: true });
  await seedMigratedPglite(dir);
  return dir;
}

export interface WorldCalls {
  deleteVolume: string[];
  deleteSnapshot: string[];
  createSnapshot: string[];
  terminate: string[];
  createTags: string[];
}

/** Runs before (or after) a world-changing call reaches the cloud; a test blocks here to stop a hub mid-step. */
export type CallHook = (operation: keyof WorldCalls, id: string) => Promise<void> | void;

/**
 * The AWS provider on the sim, counting world-changing calls (shared across restarts, so a
 * test sees every call any hub made) and letting a test hook in before or after them.
 */
export function countingCloud(inner: CloudProvider, calls: WorldCalls, hooks: { before?: CallHook; after?: CallHook }): CloudProvider {
  const wrap =
    <A extends unknown[], R>(op: keyof WorldCalls, fn: (...args: A) => Promise<R>, idOf: (...args: A) => string) =>
    async (...args: A): Promise<R> => {
      const id = idOf(...args);
      await hooks.before?.(op, id);
      calls[op].push(id);
      const out = await fn(...args);
      await hooks.after?.(op, id);
      return out;
    };
  return {
    launch: (r) => inner.launch(r),
    describeInstances: (q) => inner.describeInstances(q),
    describeInstanceTypes: (n) => inner.describeInstanceTypes(n),
    describeSpotPriceHistory: (q) => inner.describeSpotPriceHistory(q),
    describeAvailabilityZones: () => inner.describeAvailabilityZones(),
    describeVolumes: (q) => inner.describeVolumes(q),
    describeSnapshots: (q) => inner.describeSnapshots(q),
    describeImages: (q) => inner.describeImages(q),
    deleteVolume: wrap(
      'deleteVolume',
      (id: string) => inner.deleteVolume(id),
      (id) => id,
    ),
    deleteSnapshot: wrap(
      'deleteSnapshot',
      (id: string) => inner.deleteSnapshot(id),
      (id) => id,
    ),
    createSnapshot: wrap(
      'createSnapshot',
      (r: Parameters<CloudProvider['createSnapshot']>[0]) => inner.createSnapshot(r),
      (r) => r.volumeId,
    ),
    terminate: wrap(
      'terminate',
      (ids: readonly string[]) => inner.terminate(ids),
      (ids) => ids.join(','),
    ),
    createTags: wrap(
      'createTags',
      (ids: readonly string[], t: Record<string, string>) => inner.createTags(ids, t),
      (ids) => ids.join(','),
    ),
  };
}

export type Backend = { kind: 'pglite' } | { kind: 'postgres'; url: string };

export interface HubOptions {
  backend?: Backend;
  policy?: ApprovalPolicy;
  known?: KnownFleet;
  runner?: ActionsPlaneOptions['runner'];
}

/**
 * The hub's action parts on real pieces: the AWS provider against the sim's EC2 endpoint,
 * PGlite in a data directory (or a PostgreSQL database), the job runner on the sim's manual
 * clock, and the API server with the action routes registered. `restart()` stops the
 * runner and the API, closes the store and opens everything again on the same data.
 */
export class ActionsHub {
  app!: FastifyInstance;
  plane!: ActionsPlane;
  store!: MetadataStore;
  readonly calls: WorldCalls = { deleteVolume: [], deleteSnapshot: [], createSnapshot: [], terminate: [], createTags: [] };
  readonly hooks: { before?: CallHook; after?: CallHook } = {};
  known: KnownFleet;
  private readonly aws: AwsCloudProvider;
  private constructor(
    readonly sim: SimEc2,
    private readonly o: HubOptions,
    private readonly dir: string | null,
  ) {
    this.aws = new AwsCloudProvider(sim.awsConfig());
    this.known = o.known ?? { clusterIds: new Set(['prod']), instanceIds: new Set() };
  }

  static async start(o: HubOptions = {}): Promise<ActionsHub> {
    const dir = (o.backend ?? { kind: 'pglite' }).kind === 'pglite' ? await pgliteDir() : null;
    const hub = new ActionsHub(await startSimEc2({ catalog: 'built-in', prices: false, bootDelayMs: 1_000 }), o, dir);
    await hub.open();
    return hub;
  }

  async open(runnerId = `runner-${Math.random().toString(36).slice(2, 8)}`): Promise<void> {
    const backend = this.o.backend ?? { kind: 'pglite' };
    this.store = await openMetadataStore(
      backend.kind === 'pglite' ? { kind: 'pglite', path: this.dir } : { kind: 'postgres', url: backend.url, ssl: false, poolMax: 4 },
    );
    await this.store.migrate();
    this.plane = new ActionsPlane({
      store: this.store,
      cloud: countingCloud(this.aws, this.calls, this.hooks),
      clock: this.sim.clock,
      log: createLogger('test', 'silent'),
      knownFleet: async () => this.known,
      hourlyPrice: (i) => (i.capacityType === 'spot' ? 0.035 : 0.096),
      ...(this.o.policy ? { policy: this.o.policy } : {}),
      runner: { runnerId, leaseMs: 60_000, shutdownGraceMs: 300, ...this.o.runner },
    });
    this.app = await buildApiServer({
      store: { ping: async () => undefined } as unknown as MetricsStore,
      registry: {} as AgentRegistry,
      readiness: [],
      consoleDir: '/nonexistent',
      defaultTenant: 'default',
      auth: { trustedPrincipal: HUB_ADMIN_FOR_TESTS },
      now: () => this.sim.clock.now(),
    });
    const tenantOf = () => 'default';
    const actorOf = headerActor;
    registerJobRoutes(this.app, { jobs: this.plane.jobs, tenantOf, actorOf });
    registerStorageRoutes(this.app, { inventory: this.plane.inventory, jobs: this.plane.jobs, tenantOf, actorOf });
    registerGovernanceRoutes(this.app, { unregistered: this.plane.unregistered, jobs: this.plane.jobs, tenantOf, actorOf });
    registerApprovalRoutes(this.app, { approvals: this.plane.approvals, tenantOf, actorOf });
    registerAuditRoutes(this.app, { audit: this.plane.audit, tenantOf });
    await this.plane.start();
  }

  /** Stops the runner (steps blocked past the grace keep their claim, as a crashed hub's would) and closes the store. */
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
    this.aws.close();
    await this.sim.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** POST a JSON body (any JSON value, to test refusals) as `actor`. */
  post(url: string, payload?: unknown, actor?: string) {
    return this.app.inject({
      method: 'POST',
      url,
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(actor ? { 'x-ballast-actor': actor } : {}) },
    });
  }

  async job(id: string): Promise<JobBody> {
    return (await this.app.inject(`/api/v1/jobs/${id}`)).json() as JobBody;
  }

  /** Waits (real time) until the job reaches one of `statuses`. */
  async until(id: string, ...statuses: string[]): Promise<JobBody> {
    return waitFor(
      `job ${id} to be ${statuses.join(' or ')}`,
      async () => {
        const j = await this.job(id);
        return statuses.includes(j.status) ? j : undefined;
      },
      20_000,
    );
  }

  async count(table: string): Promise<number> {
    return (await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;
  }

  /** Rows of every action table plus the sim's resources: equal before and after means nothing changed. */
  async snapshotOfWorld(): Promise<Record<string, number>> {
    return {
      jobs: await this.count('jobs'),
      job_steps: await this.count('job_steps'),
      approvals: await this.count('approvals'),
      audit_log: await this.count('audit_log'),
      volumes: this.sim.state.volumes.size,
      snapshots: this.sim.state.snapshots.size,
      liveInstances: this.sim.fleet.list().filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down').length,
      calls: Object.values(this.calls).reduce((n, c) => n + c.length, 0),
    };
  }

  /** An instance straight in the sim's fleet (a root volume attaches, as on EC2). */
  launch(tags: Record<string, string>, capacityType: 'spot' | 'on-demand' = 'on-demand'): string {
    return this.sim.fleet.launch({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      capacityType,
      imageId: BUILT_IN_IMAGE_IDS.al2023X86,
      tags,
    }).id;
  }

  /** The seeded leftovers: unattached volumes, and snapshots no image uses (sorted by id). */
  leftovers(): { volumes: string[]; snapshots: string[]; imageSnapshots: string[] } {
    const imageSnapshots = [...this.sim.state.images.values()].flatMap((i) => i.blockDevices.map((b) => b.snapshotId));
    return {
      volumes: [...this.sim.state.volumes.values()]
        .filter((v) => !v.attachment)
        .map((v) => v.id)
        .sort(),
      snapshots: [...this.sim.state.snapshots.keys()].filter((id) => !imageSnapshots.includes(id)).sort(),
      imageSnapshots: imageSnapshots.sort(),
    };
  }
}

export { CLUSTER_TAG };

export interface JobBody {
  id: string;
  kind: string;
  status: string;
  dryRun: boolean;
  requestedBy: string;
  note: string;
  attempt: number;
  error: string | null;
  cancelRequested: boolean;
  progress: { done: number; total: number; percent: number };
  steps: Array<{
    seq: number;
    name: string;
    target: string;
    status: string;
    attempts: number;
    message: string | null;
    effect: Record<string, unknown>;
  }>;
  logs: Array<{ level: string; message: string; step: number | null }>;
  approvals: Array<{ id: string; status: string; decidedBy: string | null; reason: string | null }>;
}

/** A promise a test resolves (or never does) to hold a step in flight. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}
