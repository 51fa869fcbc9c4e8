import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Logger } from '@ballast/common';
import { CLUSTER_TAG, Fleet } from './core/fleet.ts';
import { Rng } from './core/rng.ts';
import { ScaledClock, type SimClock } from './core/sim-clock.ts';
import { type Ec2Server, startEc2Server } from './ec2/ec2-server.ts';
import { BUILT_IN_IMAGE_IDS } from './ec2/seed.ts';
import { ImdsFleet } from './imds/imds-fleet.ts';
import type { NodeShape } from './kube/controllers/node-sync.ts';
import { defaultShape } from './kube/controllers/node-sync.ts';
import { type KubeApiServer, startKubeApiServer } from './kube/kube-api-server.ts';
import { seedWorkloads } from './kube/seed-workloads.ts';
import { loadSpotAdvisor } from './market/advisor.ts';
import { loadCatalog } from './market/catalog.ts';
import { InterruptionEngine } from './market/interruption-engine.ts';
import { PriceHistory } from './market/price-history.ts';
import { SpotMarket } from './market/spot-market.ts';

export interface SimulationOptions {
  nodes: number;
  clusters: number;
  /** Virtual seconds per real second. */
  speed: number;
  seed: number;
  pricesPath?: string;
  advisorPath?: string;
  catalogPath?: string;
  host: string;
  /** Virtual start; default: one day into the price history, or now without one. */
  startMs?: number;
  /** Virtual ms from launch to a running instance (and a Ready node). */
  bootDelayMs: number;
  /** Average pods per node created by the seeded workloads. */
  podsPerNode: number;
  /** Share of the seeded nodes that are spot. */
  spotShare: number;
  log: Logger;
}

export interface Simulation {
  clock: SimClock;
  rng: Rng;
  fleet: Fleet;
  market: SpotMarket;
  ec2: Ec2Server;
  imds: ImdsFleet;
  interruptions: InterruptionEngine;
  clusters: KubeApiServer[];
  shapeOf(instanceType: string): NodeShape;
  close(): Promise<void>;
}

/** Node types of the seeded fleet: common general-purpose and compute types across families. */
const SEED_TYPES = ['m5.large', 'm5.xlarge', 'c5.xlarge', 'r5.large', 'm5a.large', 'c5.large'];

/**
 * The whole simulated world: spot market, EC2 endpoint, interruption engine, one IMDS per
 * instance and one kube-apiserver per cluster, with a seeded fleet and workloads. The
 * first nodes are launched through the EC2 endpoint with the real SDK, as a user would.
 */
export async function startSimulation(o: SimulationOptions): Promise<Simulation> {
  const catalog = loadCatalog(o.catalogPath);
  const history = o.pricesPath ? PriceHistory.load(o.pricesPath) : undefined;
  const advisor = o.advisorPath ? loadSpotAdvisor(o.advisorPath) : undefined;
  const startMs = o.startMs ?? (history ? (history.span()?.firstMs ?? Date.now()) + 86_400_000 : Date.now());
  const clock = new ScaledClock(startMs, o.speed);
  const rng = new Rng(o.seed);
  const market = new SpotMarket({ rng: rng.fork('market'), startMs, catalog, advisor, history });
  const fleet = new Fleet(clock, { bootDelayMs: o.bootDelayMs, shutdownDelayMs: 20_000 });
  const shapeOf = (type: string): NodeShape => {
    const t = catalog.get(type);
    return t ? { cpu: t.vcpu, memoryMiB: Math.round(t.memoryGib * 1024), pods: Math.min(110, 8 + t.vcpu * 14) } : defaultShape(type);
  };
  const ec2 = await startEc2Server({ fleet, market, clock, rng: rng.fork('ec2'), host: o.host });
  const imds = new ImdsFleet(fleet, { requireV2: true, host: o.host });
  const interruptions = new InterruptionEngine({ fleet, market, clock, rng: rng.fork('interruptions') });
  const clusters: KubeApiServer[] = [];
  for (let c = 0; c < o.clusters; c++) {
    clusters.push(
      await startKubeApiServer({ fleet, clock, clusterName: clusterName(c), host: o.host, resolveShape: shapeOf, seed: o.seed }),
    );
  }
  // Seeded nodes exist before the story starts: they boot at once; later launches take the full delay.
  fleet.options.bootDelayMs = 1_000;
  await seedFleet(o, ec2, market, rng.fork('seed-fleet'));
  fleet.options.bootDelayMs = o.bootDelayMs;
  interruptions.start();
  for (const [c, cluster] of clusters.entries()) {
    const nodesHere = Math.ceil(o.nodes / o.clusters) - (c < o.nodes % o.clusters || o.nodes % o.clusters === 0 ? 0 : 1);
    seedWorkloads(cluster, workloadsFor(nodesHere * o.podsPerNode));
  }
  o.log.info('simulation started', {
    nodes: o.nodes,
    clusters: o.clusters,
    speed: o.speed,
    seed: o.seed,
    start: new Date(startMs).toISOString(),
    prices: history ? `${history.rowCount} rows` : 'stochastic model',
  });
  return {
    clock,
    rng,
    fleet,
    market,
    ec2,
    imds,
    interruptions,
    clusters,
    shapeOf,
    close: async () => {
      interruptions.stop();
      await Promise.all(clusters.map((c) => c.close()));
      await imds.close();
      await ec2.close();
    },
  };
}

export function clusterName(index: number): string {
  return `sim-${index + 1}`;
}

/** Launches the first nodes spread over clusters, types and zones, through RunInstances. */
async function seedFleet(o: SimulationOptions, ec2: Ec2Server, market: SpotMarket, rng: Rng): Promise<void> {
  const client = new EC2Client({
    endpoint: ec2.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    maxAttempts: 1,
  });
  try {
    for (let i = 0; i < o.nodes; i++) {
      const cluster = clusterName(i % o.clusters);
      const spot = rng.next() < o.spotShare;
      const instanceType = rng.pick(SEED_TYPES.filter((t) => market.catalog.has(t)));
      const zones = market.zones.filter((z) => market.offers(instanceType, z));
      const az = rng.pick(zones.length > 0 ? zones : market.zones);
      await client.send(
        new RunInstancesCommand({
          MinCount: 1,
          MaxCount: 1,
          ImageId: BUILT_IN_IMAGE_IDS.al2023X86,
          InstanceType: instanceType as never,
          Placement: { AvailabilityZone: az },
          ...(spot ? { InstanceMarketOptions: { MarketType: 'spot' } } : {}),
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: CLUSTER_TAG, Value: cluster },
                { Key: `kubernetes.io/cluster/${cluster}`, Value: 'owned' },
                { Key: 'Name', Value: `${cluster}-node-${i + 1}` },
              ],
            },
          ],
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** A web service with a PDB, an API, a batch pool and a strict stateful-like service, plus a node DaemonSet. */
function workloadsFor(pods: number): Parameters<typeof seedWorkloads>[1] {
  const share = (f: number) => Math.max(1, Math.round(pods * f));
  return {
    namespace: 'default',
    daemonSet: { name: 'node-exporter', cpu: '50m', memory: '64Mi' },
    deployments: [
      { name: 'web', replicas: share(0.45), cpu: '100m', memory: '128Mi', pdb: { maxUnavailable: '10%' } },
      { name: 'api', replicas: share(0.25), cpu: '200m', memory: '256Mi', pdb: { maxUnavailable: 1 } },
      { name: 'batch', replicas: share(0.2), cpu: '250m', memory: '384Mi', emptyDir: true },
      { name: 'ledger', replicas: share(0.1), cpu: '100m', memory: '256Mi', pdb: { minAvailable: '100%' } },
    ],
  };
}
