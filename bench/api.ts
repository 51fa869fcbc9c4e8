/**
 * API benchmark (issue 8): the console's fleet metrics endpoints with 500 registered nodes and
 * 50 concurrent console users (autocannon, loopback, bounded duration), and the live stream's
 * publish-to-delivery time at 50 WebSocket subscribers. The server is built as the hub builds
 * its API (Fastify, schema-validated routes) over the hub's real parts: chDB metrics store,
 * AgentRegistry, PGlite metadata, the catalog and pool board on the simulator's EC2 endpoint.
 * Writes bench/results/api.json.
 *
 *   npm run bench:api -- [--nodes 500] [--users 50] [--seconds 15] [--subscribers 50] [--events 2000] [--rate 200]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, systemClock } from '@ballast/common';
import { SHARED_DATA_DIR, seedMigratedPglite, startSimEc2, tempDir } from '@ballast/testkit';
import Fastify from 'fastify';
import WebSocket from 'ws';
import { registerAlternativesRoutes } from '../hub/src/api/routes/alternatives-routes.ts';
import { registerFleetMetricsRoutes } from '../hub/src/api/routes/fleet-metrics-routes.ts';
import { registerPipelineStatusRoutes } from '../hub/src/api/routes/pipeline-status-routes.ts';
import { registerSavingsOverviewRoutes } from '../hub/src/api/routes/savings-overview-routes.ts';
import { registerStreamRoutes } from '../hub/src/api/routes/stream-routes.ts';
import { registerTopologyRoutes } from '../hub/src/api/routes/topology-routes.ts';
import { validationToApiError } from '../hub/src/api/validation-error.ts';
import { Catalog } from '../hub/src/catalog/catalog.ts';
import { AwsCloudProvider } from '../hub/src/cloud/aws-cloud-provider.ts';
import { ApiError } from '../hub/src/errors/api-error.ts';
import { componentToApiError } from '../hub/src/errors/component-errors.ts';
import { ClickHouseFleetReader } from '../hub/src/fleet/clickhouse-fleet-reader.ts';
import { DecisionSwitchHistory } from '../hub/src/fleet/decision-switch-history.ts';
import { FleetMetrics } from '../hub/src/fleet/fleet-metrics.ts';
import { PipelineHealth } from '../hub/src/fleet/pipeline-health.ts';
import { catalogProbe, storeProbe } from '../hub/src/fleet/pipeline-probes.ts';
import { PoolBoard } from '../hub/src/pools/pool-board.ts';
import { RecordedPoolEvidence } from '../hub/src/pools/pool-evidence.ts';
import { storedModels } from '../hub/src/pools/scoring-plane.ts';
import { loadSpotAdvisorCsv } from '../hub/src/pools/spot-advisor-file.ts';
import { openMetadataStore } from '../hub/src/state/metadata-store-factory.ts';
import { DecisionRepository } from '../hub/src/state/repositories/decision-repository.ts';
import { ScoringModelRepository } from '../hub/src/state/repositories/scoring-model-repository.ts';
import { TenantRepository } from '../hub/src/state/repositories/tenant-repository.ts';
import { openStoreConnection } from '../hub/src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../hub/src/store/clickhouse-metrics-store.ts';
import { EventBus } from '../hub/src/stream/event-bus.ts';
import { StreamingAgentRegistry } from '../hub/src/stream/streaming-agent-registry.ts';
import { percentile } from './agent-load.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number; average: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '500' },
    users: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    subscribers: { type: 'string', default: '50' },
    events: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    'per-endpoint': { type: 'string', default: '0' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/api.json', import.meta.url)) },
  },
});
const NODES = Number(args.nodes);
const USERS = Number(args.users);
const SUBSCRIBERS = Number(args.subscribers);
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const HOUR = 3_600_000;
const TENANT = 'acme';
const CLUSTERS = 10;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (msg: string) => process.stdout.write(`[bench:api ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const dataFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));

const chdb = tempDir('ballast-bench-api-chdb-');
const pg = tempDir('ballast-bench-api-pg-');
rmSync(pg.path, { recursive: true, force: true });

log('starting the simulator, catalog, stores');
const sim = await startSimEc2({ catalog: 'built-in' });
const cloud = new AwsCloudProvider(sim.awsConfig());
const catalog = new Catalog({ cloud, clock: sim.clock, onDemand: { file: dataFile('instance_types.csv') } });
await catalog.start();
const connection = openStoreConnection({ kind: 'chdb', path: chdb.path });
const store = new ClickHouseMetricsStore(connection);
await store.start();
await seedMigratedPglite(pg.path);
const metadata = await openMetadataStore({ kind: 'pglite', path: pg.path });
await metadata.migrate();
const bus = new EventBus();
const registry = new StreamingAgentRegistry(store, systemClock, createLogger('bench', 'silent'), bus);

// 500 nodes in 10 clusters over the catalog's priced pools, a fifth on demand, as agents' Hellos register them.
const pools = catalog.spotPools().filter(([t, z]) => catalog.spotPrice(t, z) && catalog.onDemandPrice(t));
const tenants = new TenantRepository(metadata);
const now = systemClock.now();
await tenants.createClient({ id: TENANT, name: 'Acme' }, now);
for (let c = 0; c < CLUSTERS; c++) await tenants.createCluster({ clientId: TENANT, id: `cluster-${c}`, name: `cluster ${c}` }, now);
log(`registering ${NODES} agents over ${pools.length} pools`);
const nodes = Array.from({ length: NODES }, (_, i) => {
  const [instanceType, zone] = pools[i % pools.length] as [string, string];
  return {
    tenant: TENANT,
    cluster: `cluster-${i % CLUSTERS}`,
    node: `ip-10-0-${Math.floor(i / 250)}-${i % 250}`,
    instanceId: `i-${(0x10000000 + i).toString(16)}`,
    instanceType,
    availabilityZone: zone,
    lifecycle: i % 5 === 0 ? 'on-demand' : 'spot',
    agentVersion: '0.1.0',
  };
});
await Promise.all(nodes.map((n) => registry.connected(n)));
// A day of the ingest ledger (a batch per node every 10 minutes) and some interruption notices.
const ledger = [];
for (let h = 0; h < 24; h++)
  for (let k = 0; k < 6; k++)
    for (const n of nodes)
      ledger.push({
        tenant: n.tenant,
        cluster: n.cluster,
        node: n.node,
        epoch: '1',
        seq: String(h * 6 + k + 1),
        points: 200,
        status: 'stored',
        stored_at: now - h * HOUR - k * 600_000,
      });
await connection.client.insert({ table: 'ingest_batches', values: ledger, format: 'JSONEachRow' });
await store.insertEvents(
  nodes.slice(0, 40).map((n, i) => ({
    tenant: n.tenant,
    cluster: n.cluster,
    node: n.node,
    id: `ev-${i}`,
    kind: i % 2 === 0 ? 'spot_interruption' : 'rebalance_recommendation',
    timeMs: now - (i % 20) * HOUR,
    deadlineMs: 0,
    message: '',
    attributes: {},
  })),
);
const decisions = new DecisionRepository(metadata);
for (let i = 0; i < 30; i++) {
  const n = nodes[i] as (typeof nodes)[number];
  const d = await decisions.insert(
    {
      clientId: TENANT,
      clusterId: n.cluster,
      kind: 'replace',
      stage: 'executed',
      nodeName: n.node,
      instanceId: n.instanceId,
      expectedSavingsPerHour: 0.02,
    },
    now - i * HOUR,
  );
  await decisions.finish(TENANT, d.id, { outcome: 'executed' }, now - i * HOUR);
}

const board = new PoolBoard({
  catalog,
  evidence: new RecordedPoolEvidence(),
  advisor: loadSpotAdvisorCsv(dataFile('spot_advisor.csv'), 'us-east-1'),
  models: storedModels(new ScoringModelRepository(metadata)),
});
const reader = new ClickHouseFleetReader(connection.client);
const metrics = new FleetMetrics({
  agents: registry,
  prices: catalog,
  risk: reader,
  nodeHours: reader,
  switches: new DecisionSwitchHistory(decisions),
  clock: systemClock,
});

// As buildApiServer configures the hub's API. Sign-in is not wired into it yet: every request is the tenant's console user.
const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
app.setErrorHandler((err, request, reply) => {
  const known = componentToApiError(err);
  if (known) return reply.code(known.status).send(known.toBody());
  if (Array.isArray((err as { validation?: unknown }).validation)) {
    const e = validationToApiError(err as Parameters<typeof validationToApiError>[0], request);
    return reply.code(e.status).send(e.toBody());
  }
  return reply.code(500).send(new ApiError('INTERNAL', (err as Error).message).toBody());
});
const tenantOf = () => TENANT;
registerFleetMetricsRoutes(app, { metrics, tenantOf });
registerTopologyRoutes(app, { metrics, clients: tenants, tenantOf });
registerSavingsOverviewRoutes(app, { metrics, clients: tenants, tenantOf });
registerAlternativesRoutes(app, { metrics, board, prices: catalog, tenantOf });
registerPipelineStatusRoutes(app, {
  health: new PipelineHealth([storeProbe(() => store.ping()), catalogProbe(() => catalog.status())], systemClock),
});
await registerStreamRoutes(app, { bus, tenantOf, clock: systemClock });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

const paths = [
  '/api/v1/metrics/active-instances',
  '/api/v1/metrics/risk-detected',
  '/api/v1/metrics/cost-savings',
  '/api/v1/metrics/optimizations',
  '/api/v1/metrics/optimization-rate',
  '/api/v1/pipeline/status',
  `/api/v1/clients/${TENANT}/topology`,
  `/api/v1/clients/${TENANT}/savings-overview?mode=cluster&bucket=hour&days=1`,
  `/api/v1/instances/${nodes[7]?.instanceId}/alternatives`,
];
for (const p of paths) {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${await res.text()}`);
}

const perEndpoint: Record<string, { rps: number; p99_ms: number }> = {};
if (Number(args['per-endpoint']) > 0) {
  for (const path of paths) {
    const r = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: USERS, duration: Number(args['per-endpoint']) });
    perEndpoint[path] = { rps: round(r.requests.average), p99_ms: r.latency.p99 };
    log(`  ${path}: ${round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`);
  }
}

log(`fleet metrics: ${USERS} users for ${args.seconds} s over ${paths.length} endpoints`);
const cannon = await autocannon({
  url: `http://127.0.0.1:${port}`,
  connections: USERS,
  duration: Number(args.seconds),
  requests: paths.map((path) => ({ method: 'GET', path })),
});
if (cannon.errors > 0 || cannon.non2xx > 0) throw new Error(`${cannon.errors} errors, ${cannon.non2xx} non-2xx answers`);
log(`  ${round(cannon.requests.average)} req/s, p50 ${cannon.latency.p50} ms, p99 ${cannon.latency.p99} ms`);

log(`stream: ${SUBSCRIBERS} WebSocket subscribers, ${EVENTS} events at ${RATE}/s`);
const delays: number[] = [];
const sockets = await Promise.all(
  Array.from({ length: SUBSCRIBERS }, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream?kinds=decision`);
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; data?: { sentAt: number } };
      if (m.type === 'event' && m.data) delays.push(performance.now() - m.data.sentAt);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return ws;
  }),
);
// Delivery runs on the event loop: a stall (GC, a chDB call on the main thread) delays every subscriber at once.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const intervalMs = 1000 / RATE;
const started = performance.now();
for (let i = 0; i < EVENTS; i++) {
  const due = started + i * intervalMs;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  bus.publish({ kind: 'decision', tenant: TENANT, cluster: 'cluster-0', at: systemClock.now(), data: { sentAt: performance.now(), i } });
}
const deadline = performance.now() + 30_000;
while (delays.length < EVENTS * SUBSCRIBERS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
loopDelay.disable();
const sorted = [...delays].sort((a, b) => a - b);
const streamP99 = percentile(sorted, 99);
log(
  `  ${delays.length}/${EVENTS * SUBSCRIBERS} deliveries, p50 ${round(percentile(sorted, 50), 2)} ms, p99 ${round(streamP99, 2)} ms; ` +
    `event loop delay max ${round(loopDelay.max / 1e6, 1)} ms`,
);
for (const ws of sockets) ws.close();

const result = {
  metrics_rps: round(cannon.requests.average),
  metrics_p99_ms: cannon.latency.p99,
  stream_p99_ms: round(streamP99, 2),
  nodes: NODES,
  users: USERS,
  details: {
    metrics: {
      endpoints: paths,
      seconds: Number(args.seconds),
      requests: cannon.requests.total,
      p50_ms: cannon.latency.p50,
      max_ms: cannon.latency.max,
      timeouts: cannon.timeouts,
      ...(Object.keys(perEndpoint).length > 0 ? { per_endpoint: perEndpoint } : {}),
    },
    stream: {
      subscribers: SUBSCRIBERS,
      events: EVENTS,
      rate_per_s: RATE,
      deliveries: delays.length,
      expected_deliveries: EVENTS * SUBSCRIBERS,
      p50_ms: round(percentile(sorted, 50), 2),
      max_ms: round(sorted.at(-1) ?? Number.NaN, 2),
      event_loop_delay_max_ms: round(loopDelay.max / 1e6, 1),
      event_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
    },
    targets: { metrics_p99_ms: 100, stream_p99_ms: 250 },
    notes:
      'server and load generators share one process and loopback; store reads are cached 15 s and derived answers 5 s per tenant, as FleetMetrics does in the hub; no sign-in (not wired into the API yet)',
  },
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${args.out}`);

await app.close();
await registry.shutdown();
await store.shutdown();
await catalog.shutdown();
cloud.close();
await metadata.close();
await sim.close();
chdb.remove();
pg.remove();
