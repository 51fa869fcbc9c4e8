import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, systemClock } from '@ballast/common';
import { HUB_CONFIG, Hub } from '@ballast/hub';
import {
  BUILT_IN_IMAGE_IDS,
  CLUSTER_TAG,
  type Ec2Server,
  Fleet,
  ImdsFleet,
  type KubeApiServer,
  loadCatalog,
  ManualClock,
  Rng,
  SimAgentFleet,
  type SimInstance,
  SpotMarket,
  seedWorkloads,
  settleKube,
  startEc2Server,
  startKubeApiServer,
} from '@ballast/sim';
import { seedMigratedPglite, tempDir } from '@ballast/testkit';
import { builtConsole } from '../built-console.ts';

const T0 = Date.now();
/** BALLAST_SIM_HUB_TRACE=1 prints how long each part of the start took. */
const trace = (what: string) => {
  if (process.env.BALLAST_SIM_HUB_TRACE) process.stderr.write(`sim-hub: ${what} at ${Date.now() - T0} ms\n`);
};

/** One simulated cluster: whose it is and the nodes it starts with. */
export interface SimClusterSpec {
  client: string;
  cluster: string;
  spot: number;
  onDemand: number;
  instanceType?: string;
}

export interface SimHubOptions {
  clusters: SimClusterSpec[];
  /** Virtual ms from launch to a Ready node for instances launched after the start. Default 30 s. */
  bootDelayMs?: number;
}

export const SIM_HUB_ADMIN = { username: 'admin', password: 'sim-hub-admin-password' };

/**
 * A real hub (the Hub class, as `main` and `npm start` build it) serving the freshly built
 * console, on the simulator: its cloud is the sim's EC2 endpoint (real AWS SDK), each cluster
 * a sim kube-apiserver reached through a kubeconfig in --cluster-kubeconfig-dir
 * (`<client>/<cluster>.yaml`), and one real agent per running instance (identity from its own
 * IMDS, gRPC to the hub, drains through the cluster API like a DaemonSet pod would).
 *
 * Time: the hub, agents and browser run on real time; the sim's clock is manual and follows
 * real time × `speed` (1 by default), driven from here, so a test speeds it up to let a
 * replacement boot and pods go without waiting minutes.
 */
export class SimHub {
  private speed = 1;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private lastTick = Date.now();

  private constructor(
    readonly hub: Hub,
    readonly sim: SimEc2World,
    readonly kube: Map<string, KubeApiServer>,
    readonly imds: ImdsFleet,
    private readonly agents: SimAgentFleet,
    private readonly dir: { path: string; remove: () => void },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.hub.httpPort}`;
  }

  static async start(o: SimHubOptions): Promise<SimHub> {
    const dir = tempDir('console-sim-hub');
    const cleanups: Array<() => Promise<void> | void> = [() => dir.remove()];
    try {
      const dist = await builtConsole();
      trace('console built');
      await seedMigratedPglite(join(dir.path, 'metadata'));
      trace('metadata seeded');
      const sim = await startSimEc2();
      cleanups.push(() => sim.close());
      const kube = new Map<string, KubeApiServer>();
      const tenantOf = new Map<string, string>();
      const kubeconfigOf = new Map<string, string>();
      const kubeconfigs = join(dir.path, 'kubeconfigs');
      for (const c of o.clusters) {
        const server = await startKubeApiServer({ fleet: sim.fleet, clock: sim.clock, clusterName: c.cluster, nodeDeleteDelayMs: 0 });
        cleanups.push(() => server.close());
        kube.set(c.cluster, server);
        tenantOf.set(c.cluster, c.client);
        kubeconfigOf.set(c.cluster, server.kubeconfigPath);
        mkdirSync(join(kubeconfigs, c.client), { recursive: true });
        copyFileSync(server.kubeconfigPath, join(kubeconfigs, c.client, `${c.cluster}.yaml`));
        const zone = 'us-east-1a';
        for (let i = 0; i < c.spot + c.onDemand; i++) {
          sim.fleet.launch({
            instanceType: c.instanceType ?? 'm5.large',
            availabilityZone: zone,
            capacityType: i < c.spot ? 'spot' : 'on-demand',
            imageId: BUILT_IN_IMAGE_IDS.al2023X86,
            tags: { [CLUSTER_TAG]: c.cluster, [`kubernetes.io/cluster/${c.cluster}`]: 'owned', Name: `${c.cluster}-node-${i + 1}` },
          });
        }
      }
      const imds = new ImdsFleet(sim.fleet, { requireV2: true, host: '127.0.0.1' });
      cleanups.push(() => imds.close());
      // Boot the seeded nodes, then give them pods (a PDB'd web service) to drain later.
      await settleAll(sim, kube, 2_000);
      for (const k of kube.values()) {
        seedWorkloads(k, {
          deployments: [
            { name: 'web', replicas: 2, cpu: '250m', memory: '256Mi', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 },
          ],
        });
      }
      await settleAll(sim, kube, 2_000);
      sim.fleet.options.bootDelayMs = o.bootDelayMs ?? 30_000;
      trace('sim ready');

      const config = {
        ...loadConfig(HUB_CONFIG, [], {}),
        httpHost: '127.0.0.1',
        httpPort: 0,
        grpcHost: '127.0.0.1',
        grpcPort: 0,
        chdbPath: join(dir.path, 'chdb'),
        metadataPath: join(dir.path, 'metadata'),
        consoleDir: dist,
        cloud: 'aws',
        awsEndpoint: sim.url,
        // The simulated agents carry no enrolment tokens, as in the demo.
        agentEnrolment: 'open',
        clusterKubeconfigDir: kubeconfigs,
        adminUser: SIM_HUB_ADMIN.username,
        adminPassword: SIM_HUB_ADMIN.password,
        logLevel: 'silent',
        apiRatePerMinute: 0,
      };
      const hub = new Hub(config, createLogger('hub', 'silent'), systemClock, {
        onDemandPrices: Object.fromEntries(sim.market.catalog.priced().map((t) => [t.instanceType, t.onDemandUsdPerHour as number])),
        awsCredentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
      });
      cleanups.push(() => hub.shutdown());
      await hub.start();
      trace('hub started');
      // One real agent per running instance (identity from its own IMDS, gRPC to the hub), draining
      // its node through the cluster's API when the hub says so, as a DaemonSet's pod would.
      const agents = new SimAgentFleet({
        fleet: sim.fleet,
        imds,
        hubAddress: `127.0.0.1:${hub.gateway.boundPort}`,
        clock: sim.clock,
        rng: new Rng(7),
        log: createLogger('agent', 'silent'),
        collectIntervalMs: 1_000,
        shapeOf: () => ({ cpu: 2, memoryMiB: 8192 }),
        tenantOf: (i: SimInstance) => tenantOf.get(i.tags[CLUSTER_TAG] ?? '') ?? '',
        kubeconfigOf: (c: string) => kubeconfigOf.get(c) ?? '',
      });
      agents.start();
      const world = new SimHub(hub, sim, kube, imds, agents, dir);
      world.ticker = setInterval(() => world.tick(), 100);
      return world;
    } catch (err) {
      for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
      throw err;
    }
  }

  /** Virtual seconds per real second from now on (1: the sim follows real time). */
  setSpeed(speed: number): void {
    this.speed = speed;
  }

  /** Instances of a cluster that are not gone. */
  live(cluster: string): SimInstance[] {
    return this.sim.fleet.live().filter((i) => i.tags[CLUSTER_TAG] === cluster);
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.ticking;
    await this.agents.shutdown();
    await this.hub.shutdown();
    await this.imds.close();
    await Promise.all([...this.kube.values()].map((k) => k.close()));
    await this.sim.close();
    // chDB may still be closing files for a moment after shutdown.
    rmSync(this.dir.path, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }

  private tick(): void {
    this.ticking = this.ticking.then(async () => {
      const now = Date.now();
      const ms = (now - this.lastTick) * this.speed;
      this.lastTick = now;
      await this.sim.clock.advance(ms);
      for (const k of this.kube.values()) await settleKube(k, 200);
    });
  }
}

/** The sim's EC2 side, on a manual clock started at real time. */
export interface SimEc2World {
  url: string;
  clock: ManualClock;
  fleet: Fleet;
  market: SpotMarket;
  close(): Promise<void>;
}

/**
 * Like testkit's startSimEc2, but at real time (prices, launches and the agents' samples are
 * "now" for a hub on the system clock) and with six hours of price history instead of thirty
 * days: the hub's catalog reads the whole window at start, and the sim pages it in O(n²).
 */
async function startSimEc2(): Promise<SimEc2World> {
  const startMs = Date.now();
  const clock = new ManualClock(startMs);
  const rng = new Rng(7);
  const market = new SpotMarket({ rng: rng.fork('market'), startMs: startMs - 6 * 3_600_000, catalog: loadCatalog() });
  const fleet = new Fleet(clock, { bootDelayMs: 1_000, shutdownDelayMs: 20_000 });
  const server: Ec2Server = await startEc2Server({ fleet, market, clock, rng: rng.fork('ec2'), host: '127.0.0.1', port: 0 });
  return { url: server.url, clock, fleet, market, close: () => server.close() };
}

/** Moves the sim's clock in steps so boots finish and the kube-apiservers schedule what follows. */
async function settleAll(sim: SimEc2World, kube: Map<string, KubeApiServer>, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    await sim.clock.advance(500);
    for (const k of kube.values()) await settleKube(k);
  }
}

/** Signs in over the API as a script would; answers the cookie header and CSRF token. */
export async function apiSession(base: string, who: { username: string; password: string }): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${who.username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** A JSON request with a session (CSRF header on writes); throws with the body unless 2xx. */
export async function apiCall<T>(
  base: string,
  session: { cookie: string; csrf: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrf }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
