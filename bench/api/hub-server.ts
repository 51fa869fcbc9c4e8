/**
 * The hub under test for bench/api.ts, in a process of its own so the load generators do not
 * share its event loop: the real Hub class, configured from HUB_CONFIG's defaults as `main`
 * configures it (sign-in, rate limit, helmet, request logs at the default level, every plane),
 * with the cloud on the simulator's EC2 endpoint. Before it reports ready it seeds the world
 * an operator and a fleet would have made: a client with clusters, every node's agent in the
 * registry (as a Hello registers it) and a day and more of decisions. Driven over IPC (messages.ts).
 *
 *   forked by bench/api.ts with one argument: the JSON of HubServerArgs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger, type LogLevel, loadConfig, systemClock } from '@ballast/common';
import { HUB_CONFIG, type HubConfig } from '../../hub/src/config/hub-config.ts';
import { Hub } from '../../hub/src/hub.ts';
import { DecisionRepository } from '../../hub/src/state/repositories/decision-repository.ts';
import { TenantRepository } from '../../hub/src/state/repositories/tenant-repository.ts';
import { agentEventToStream } from '../../hub/src/stream/stream-bridges.ts';
import type { FromHub, SeedNode, SeedSpec, ServerStats, ToHub } from './messages.ts';
import { wallNow } from './messages.ts';

export interface HubServerArgs {
  dataDir: string;
  simUrl: string;
  onDemandPricesFile: string;
  adminUser: string;
  adminPassword: string;
  /** Requests a minute per signed-in user; the limiter runs either way (see bench/api.ts). */
  apiRatePerMinute: number;
  nodesFile: string;
  seed: SeedSpec;
}

const HOUR = 3_600_000;
const args = JSON.parse(process.argv[2] ?? '{}') as HubServerArgs;
const send = (m: FromHub) => process.send?.(m);

const config: HubConfig = {
  ...loadConfig(HUB_CONFIG, [], {}),
  httpHost: '127.0.0.1',
  httpPort: 0,
  grpcHost: '127.0.0.1',
  grpcPort: 0,
  chdbPath: join(args.dataDir, 'chdb'),
  metadataPath: join(args.dataDir, 'metadata'),
  consoleDir: join(args.dataDir, 'console'),
  cloud: 'aws',
  awsEndpoint: args.simUrl,
  onDemandPricesFile: args.onDemandPricesFile,
  adminUser: args.adminUser,
  adminPassword: args.adminPassword,
  apiRatePerMinute: args.apiRatePerMinute,
};
// Logs go where main's go (stdout, JSON); the driver discards them, but the hub pays for writing them.
const hub = new Hub(config, createLogger('hub', config.logLevel as LogLevel), systemClock, {
  // What AWS_ACCESS_KEY_ID would give the SDK; the simulator accepts any signature.
  awsCredentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
});

async function seed(nodes: SeedNode[], spec: SeedSpec): Promise<void> {
  const metadata = hub.metadata;
  if (!metadata) throw new Error('the hub has no metadata store after start');
  const now = systemClock.now();
  const tenants = new TenantRepository(metadata);
  await tenants.createClient({ id: spec.tenant, name: spec.tenant }, now);
  for (let c = 0; c < spec.clusters; c++)
    await tenants.createCluster({ clientId: spec.tenant, id: `cluster-${c}`, name: `cluster ${c}` }, now);
  await Promise.all(nodes.map((n) => hub.registry.connected(n)));
  const decisions = new DecisionRepository(metadata);
  for (let i = 0; i < spec.decisions; i++) {
    const n = nodes[i % nodes.length] as SeedNode;
    const at = now - i * HOUR;
    const d = await decisions.insert(
      {
        clientId: n.tenant,
        clusterId: n.cluster,
        kind: 'replace',
        stage: 'executed',
        nodeName: n.node,
        instanceId: n.instanceId,
        expectedSavingsPerHour: 0.02,
      },
      at,
    );
    await decisions.finish(n.tenant, d.id, { outcome: 'executed' }, at);
  }
}

/**
 * Publishes `events` interruption notices on the hub's bus at `ratePerSecond`, each shaped as
 * the bus carries an agent's notice, stamped with the wall time just before publish.
 */
async function publish(m: Extract<ToHub, { type: 'publish' }>, nodes: SeedNode[]): Promise<void> {
  const intervalMs = 1000 / m.ratePerSecond;
  const started = performance.now();
  const startedWall = wallNow();
  let lateMsMax = 0;
  for (let i = 0; i < m.events; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lateMsMax = Math.max(lateMsMax, performance.now() - due);
    const n = nodes[i % nodes.length] as SeedNode;
    const sentAt = wallNow();
    const input = agentEventToStream({
      tenant: m.tenant,
      cluster: m.cluster,
      node: n.node,
      id: `bench-${i}`,
      kind: 'spot_interruption',
      timeMs: Math.floor(sentAt),
      deadlineMs: Math.floor(sentAt) + 120_000,
      message: 'Spot instance interruption notice',
      // dueAt: when the event was meant to happen; a stalled hub publishes it late, as it would read an agent's late.
      attributes: { sentAt: String(sentAt), dueAt: String(startedWall + i * intervalMs), seq: String(i) },
    });
    if (input) hub.bus.publish(input);
  }
  send({ type: 'published', events: m.events, lateMsMax });
}

const loop = monitorEventLoopDelay({ resolution: 10 });
let cpuFrom = process.cpuUsage();
function stats(): ServerStats {
  const cpu = process.cpuUsage(cpuFrom);
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
    eventLoopDelayMaxMs: loop.max / 1e6,
  };
}

/** A CPU profile of one phase only (a whole-process --cpu-prof is mostly start-up). */
const profiler = {
  session: null as Session | null,
  async startProfile() {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  },
  async stopProfile(file: string) {
    if (!this.session) return;
    const { profile } = await this.session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    this.session.disconnect();
    this.session = null;
  },
};

try {
  const nodes = JSON.parse(readFileSync(args.nodesFile, 'utf8')) as SeedNode[];
  await hub.start();
  await seed(nodes, args.seed);
  loop.enable();
  process.on('message', (m: ToHub) => {
    if (m.type === 'clock') send({ type: 'clock', sentAt: m.sentAt, hubAt: wallNow() });
    else if (m.type === 'publish') void publish(m, nodes).catch((err) => send({ type: 'failed', message: String(err) }));
    else if (m.type === 'stats-reset') {
      loop.reset();
      cpuFrom = process.cpuUsage();
    } else if (m.type === 'stats') send({ type: 'stats', stats: stats(), streamSubscribers: hub.bus.subscriberCount });
    else if (m.type === 'profile-start') void profiler.startProfile();
    else if (m.type === 'profile-stop') void profiler.stopProfile(m.file).then(() => send({ type: 'profiled', file: m.file }));
    else if (m.type === 'stop') {
      loop.disable();
      void hub.shutdown().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', port: hub.httpPort, nodes, streamSubscribers: hub.bus.subscriberCount });
} catch (err) {
  send({ type: 'failed', message: (err as Error).stack ?? String(err) });
  await hub.shutdown().catch(() => undefined);
  process.exit(1);
}
