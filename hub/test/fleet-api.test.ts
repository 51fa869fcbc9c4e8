import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Clock, createLogger } from '@ballast/common';
import { SHARED_DATA_DIR, type SimEc2, seedMigratedPglite, startSimEc2 } from '@ballast/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAlternativesRoutes } from '../src/api/routes/alternatives-routes.ts';
import { registerFleetMetricsRoutes } from '../src/api/routes/fleet-metrics-routes.ts';
import { registerPipelineStatusRoutes } from '../src/api/routes/pipeline-status-routes.ts';
import { registerSavingsOverviewRoutes } from '../src/api/routes/savings-overview-routes.ts';
import { GONE_AFTER_MS, registerTopologyRoutes } from '../src/api/routes/topology-routes.ts';
import { Catalog } from '../src/catalog/catalog.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import { ClickHouseFleetReader } from '../src/fleet/clickhouse-fleet-reader.ts';
import { DecisionSwitchHistory } from '../src/fleet/decision-switch-history.ts';
import { FleetMetrics } from '../src/fleet/fleet-metrics.ts';
import type { BestPlan } from '../src/fleet/fleet-sources.ts';
import { PipelineHealth } from '../src/fleet/pipeline-health.ts';
import { absentProbe, catalogProbe, storeProbe } from '../src/fleet/pipeline-probes.ts';
import { AgentRegistry } from '../src/ingest/agent-registry.ts';
import { PoolBoard } from '../src/pools/pool-board.ts';
import { RecordedPoolEvidence } from '../src/pools/pool-evidence.ts';
import { storedModels } from '../src/pools/scoring-plane.ts';
import { loadSpotAdvisorCsv } from '../src/pools/spot-advisor-file.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { DecisionRepository } from '../src/state/repositories/decision-repository.ts';
import { ScoringModelRepository } from '../src/state/repositories/scoring-model-repository.ts';
import { TenantRepository } from '../src/state/repositories/tenant-repository.ts';
import { openStoreConnection, type StoreConnection } from '../src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../src/store/clickhouse-metrics-store.ts';
import { headerTenant, testApp } from './stream-test-app.ts';

// The fleet metrics routes over a real hub's parts: chDB in a temp dir (agents, ingest
// ledger, events), a real AgentRegistry, PGlite (clients, clusters, decisions), the catalog
// and pool board on the AWS SDK against the simulator's EC2 endpoint.
const HOUR = 3_600_000;
const dataFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));

let sim: SimEc2;
let cloud: AwsCloudProvider;
let catalog: Catalog;
let connection: StoreConnection;
let store: ClickHouseMetricsStore;
let metadata: MetadataStore;
let app: FastifyInstance;
let chdbDir: string;
let pgDir: string;
let plan: BestPlan | null = null;
let spot: { type: string; zone: string; spot: number; onDemand: number };
let other: { type: string; zone: string };
// The ingest ledger stamps rows with the store's wall time, so the fleet's clock is the real one, frozen.
const NOW = Date.now();
/** The topology route's clock: a test moves it on to see a long-gone node dropped. */
let topologyNow = NOW;
const clock: Clock = { now: () => NOW, setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h) };

// Answers are read loosely: each test states the fields it checks.
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Body = Record<string, any>;
const get = async (path: string, tenant = '*') => {
  const res = await app.inject({ method: 'GET', url: path, headers: { 'x-test-tenant': tenant } });
  return { status: res.statusCode, body: res.json() as Body };
};

beforeAll(async () => {
  sim = await startSimEc2({ catalog: 'built-in' });
  cloud = new AwsCloudProvider(sim.awsConfig());
  catalog = new Catalog({ cloud, clock: sim.clock, onDemand: { file: dataFile('instance_types.csv') } });
  await catalog.start();
  const priced = catalog
    .spotPools()
    .map(([type, zone]) => ({
      type,
      zone,
      spot: catalog.spotPrice(type, zone)?.pricePerHour,
      onDemand: catalog.onDemandPrice(type)?.pricePerHour,
    }))
    .filter((p) => p.spot !== undefined && p.onDemand !== undefined && (p.spot as number) < (p.onDemand as number));
  spot = priced[0] as typeof spot;
  other = priced.find((p) => p.type !== spot.type) as typeof other;

  chdbDir = mkdtempSync(join(tmpdir(), 'ballast-fleet-chdb-'));
  connection = openStoreConnection({ kind: 'chdb', path: chdbDir });
  store = new ClickHouseMetricsStore(connection);
  await store.start();
  const registry = new AgentRegistry(store, clock, createLogger('test', 'silent'));
  const agent = (tenant: string, cluster: string, node: string, type: string, zone: string, lifecycle: string) =>
    registry.connected({
      tenant,
      cluster,
      node,
      instanceId: `i-${node}`,
      instanceType: type,
      availabilityZone: zone,
      lifecycle,
      agentVersion: '0.1.0',
    });
  await agent('acme', 'prod', 'a1', spot.type, spot.zone, 'spot');
  await agent('acme', 'prod', 'a2', spot.type, spot.zone, 'spot');
  await agent('acme', 'prod', 'a3', spot.type, spot.zone, 'on-demand');
  await agent('acme', 'prod', 'a4', spot.type, spot.zone, 'spot');
  await registry.disconnected('acme', 'prod', 'a4');
  await agent('globex', 'web', 'g1', other.type, other.zone, 'spot');
  const batch = (tenant: string, cluster: string, node: string) => ({
    tenant,
    cluster,
    node,
    epoch: 1n,
    sequence: 1n,
    points: 10,
    status: 'stored' as const,
  });
  await store.recordBatches([
    batch('acme', 'prod', 'a1'),
    batch('acme', 'prod', 'a2'),
    batch('acme', 'prod', 'a3'),
    batch('globex', 'web', 'g1'),
  ]);
  const event = (tenant: string, cluster: string, id: string, kind: string, timeMs: number) => ({
    tenant,
    cluster,
    node: 'a1',
    id,
    kind,
    timeMs,
    deadlineMs: 0,
    message: '',
    attributes: {},
  });
  await store.insertEvents([
    event('acme', 'prod', 'e1', 'spot_interruption', NOW - HOUR),
    // The agent sent it twice (at-least-once delivery): it counts once.
    event('acme', 'prod', 'e1', 'spot_interruption', NOW - HOUR),
    event('acme', 'prod', 'e2', 'rebalance_recommendation', NOW - 2 * HOUR),
    event('acme', 'prod', 'e3', 'spot_interruption', NOW - 25 * HOUR),
    event('acme', 'prod', 'e4', 'drain_progress', NOW - HOUR),
    event('globex', 'web', 'e5', 'spot_interruption', NOW - HOUR),
  ]);

  pgDir = mkdtempSync(join(tmpdir(), 'ballast-fleet-pg-'));
  rmSync(pgDir, { recursive: true });
  await seedMigratedPglite(pgDir);
  metadata = await openMetadataStore({ kind: 'pglite', path: pgDir });
  await metadata.migrate();
  const tenants = new TenantRepository(metadata);
  await tenants.createClient({ id: 'acme', name: 'Acme Corp' }, NOW);
  await tenants.createCluster({ clientId: 'acme', id: 'prod', name: 'Production' }, NOW);
  await tenants.createCluster({ clientId: 'acme', id: 'staging', name: 'Staging' }, NOW);
  await tenants.createClient({ id: 'globex', name: 'Globex' }, NOW);
  await tenants.createCluster({ clientId: 'globex', id: 'web', name: 'web' }, NOW);
  const decisions = new DecisionRepository(metadata);
  const executed = await decisions.insert(
    {
      clientId: 'acme',
      clusterId: 'prod',
      kind: 'replace',
      stage: 'executed',
      nodeName: 'a1',
      instanceId: 'i-a1',
      fromPool: { instanceType: spot.type, availabilityZone: spot.zone, capacityType: 'on-demand' },
      toPool: { instanceType: spot.type, availabilityZone: spot.zone, capacityType: 'spot' },
      expectedSavingsPerHour: 0.05,
    },
    NOW - HOUR,
  );
  await decisions.finish('acme', executed.id, { outcome: 'executed' }, NOW - HOUR);
  const dropped = await decisions.insert({ clientId: 'acme', clusterId: 'prod', kind: 'consolidate' }, NOW - HOUR);
  await decisions.finish('acme', dropped.id, { outcome: 'dropped', reason: 'pdb budget' }, NOW - HOUR);

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
    bestPlan: { bestPlan: async () => plan },
    clock,
    cacheMs: 0,
  });
  app = testApp();
  registerFleetMetricsRoutes(app, { metrics, tenantOf: headerTenant });
  registerTopologyRoutes(app, {
    metrics,
    clients: tenants,
    tenantOf: headerTenant,
    now: () => topologyNow,
    // As the decision loop reads it from Kubernetes: known for a1 only.
    nodeCreatedAtMs: (client, cluster, node) => (client === 'acme' && cluster === 'prod' && node === 'a1' ? NOW - 3 * HOUR : null),
  });
  registerSavingsOverviewRoutes(app, { metrics, clients: tenants, tenantOf: headerTenant });
  registerAlternativesRoutes(app, { metrics, board, prices: catalog, tenantOf: headerTenant });
  const health = new PipelineHealth(
    [storeProbe(() => store.ping()), catalogProbe(() => catalog.status()), absentProbe('solver', 'no cloud configured')],
    clock,
  );
  registerPipelineStatusRoutes(app, { health });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.shutdown();
  await catalog?.shutdown();
  cloud?.close();
  await metadata?.close();
  await sim?.close();
  rmSync(chdbDir, { recursive: true, force: true });
  rmSync(pgDir, { recursive: true, force: true });
});

const round = (n: number) => Math.round(n * 10_000) / 10_000;

describe('fleet metrics', () => {
  it('counts connected instances by lifecycle and cluster, per tenant', async () => {
    const acme = await get('/api/v1/metrics/active-instances', 'acme');
    expect(acme.status).toBe(200);
    expect(acme.body).toMatchObject({ total: 3, spot: 2, onDemand: 1, other: 0 });
    expect(acme.body.clusters).toEqual([{ tenant: 'acme', cluster: 'prod', total: 3, spot: 2, onDemand: 1 }]);
    const all = await get('/api/v1/metrics/active-instances');
    expect(all.body.total).toBe(4);
  });

  it('counts interruption notices and rebalances of the last 24 h from the events table, each event once', async () => {
    const acme = await get('/api/v1/metrics/risk-detected', 'acme');
    expect(acme.body).toMatchObject({ total: 2, interruptions: 1, rebalances: 1 });
    expect(acme.body.clusters).toEqual([{ tenant: 'acme', cluster: 'prod', interruptions: 1, rebalances: 1 }]);
    const wider = await get('/api/v1/metrics/risk-detected?hours=48', 'acme');
    expect(wider.body.interruptions).toBe(2);
    expect((await get('/api/v1/metrics/risk-detected')).body.interruptions).toBe(2);
  });

  it('prices realized and projected savings against on-demand', async () => {
    const res = await get('/api/v1/metrics/cost-savings', 'acme');
    expect(res.status).toBe(200);
    const perSpotNode = spot.onDemand - spot.spot;
    // Three nodes ran this hour (the disconnected a4 stored nothing); the on-demand one saves nothing.
    expect(res.body.realized).toMatchObject({
      nodeHours: 3,
      unpricedNodeHours: 0,
      onDemandUsd: round(3 * spot.onDemand),
      actualUsd: round(2 * spot.spot + spot.onDemand),
      savingsUsd: round(2 * perSpotNode),
    });
    expect(res.body.projectedMonthly).toMatchObject({ instances: 3, savingsUsd: round(2 * perSpotNode * 730) });
    expect(res.body.projectedMonthly.savingsPercent).toBeCloseTo((100 * 2 * perSpotNode) / (3 * spot.onDemand), 1);
  });

  it('lists executed switches only, of the tenant', async () => {
    const acme = await get('/api/v1/metrics/optimizations', 'acme');
    expect(acme.body).toMatchObject({ total: 1, byReason: { replace: 1 }, expectedSavingsPerHour: 0.05 });
    expect(acme.body.latest[0]).toMatchObject({ cluster: 'prod', instanceId: 'i-a1', reason: 'replace', to: { capacityType: 'spot' } });
    expect((await get('/api/v1/metrics/optimizations', 'globex')).body.total).toBe(0);
  });

  it('divides realized savings by the best plan, and says why when there is none', async () => {
    plan = null;
    const none = await get('/api/v1/metrics/optimization-rate', 'acme');
    expect(none.body).toMatchObject({ rate: null, reason: 'no best plan has been computed yet' });
    const realized = 2 * (spot.onDemand - spot.spot);
    plan = { savingsPerHour: realized * 2, computedAtMs: NOW };
    const half = await get('/api/v1/metrics/optimization-rate', 'acme');
    expect(half.body.rate).toBeCloseTo(0.5, 4);
    expect(half.body.realizedSavingsPerHour).toBeCloseTo(realized, 4);
  });

  it('refuses unknown and out-of-range parameters with a 400 naming them', async () => {
    for (const [path, parameter] of [
      ['/api/v1/metrics/active-instances?x=1', 'x'],
      ['/api/v1/metrics/risk-detected?hours=0', 'hours'],
      ['/api/v1/metrics/cost-savings?days=abc', 'days'],
      ['/api/v1/metrics/optimizations?limit=9999', 'limit'],
      ['/api/v1/clients/acme/savings-overview?mode=bogus', 'mode'],
      ['/api/v1/instances/bad%20id/alternatives', 'id'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.parameter, path).toBe(parameter);
    }
  });
});

describe('client topology and savings overview', () => {
  it('shows clusters → node pools → nodes, registered clusters without agents included', async () => {
    const res = await get('/api/v1/clients/acme/topology', 'acme');
    expect(res.status).toBe(200);
    expect(res.body.client).toEqual({ id: 'acme', name: 'Acme Corp' });
    const [prod, staging] = res.body.clusters;
    expect(prod).toMatchObject({ id: 'prod', name: 'Production', nodes: 4 });
    const spotPool = prod.nodePools.find((p: { capacityType: string }) => p.capacityType === 'spot');
    expect(spotPool.nodes.map((n: { node: string }) => n.node)).toEqual(['a1', 'a2', 'a4']);
    expect(spotPool.nodes[2].connected).toBe(false);
    // When each node joined its cluster (the console's Age column), null where the hub cannot tell.
    expect(spotPool.nodes.map((n: { launchedAt: string | null }) => n.launchedAt)).toEqual([
      new Date(NOW - 3 * HOUR).toISOString(),
      null,
      null,
    ]);
    expect(staging).toMatchObject({ id: 'staging', nodes: 0, nodePools: [] });
  });

  it('stops showing a node whose agent has been gone for GONE_AFTER_MS (its instance is most likely terminated)', async () => {
    topologyNow = NOW + GONE_AFTER_MS + 1;
    try {
      const res = await get('/api/v1/clients/acme/topology', 'acme');
      const prod = res.body.clusters.find((c: { id: string }) => c.id === 'prod');
      const spotPool = prod.nodePools.find((p: { capacityType: string }) => p.capacityType === 'spot');
      expect(spotPool.nodes.map((n: { node: string }) => n.node)).toEqual(['a1', 'a2']);
      expect(prod.nodes).toBe(3);
    } finally {
      topologyNow = NOW;
    }
  });

  it('answers another tenant exactly as an unknown client', async () => {
    const foreign = await get('/api/v1/clients/acme/topology', 'globex');
    const unknown = await get('/api/v1/clients/nobody/topology', 'globex');
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message.replace('acme', 'X')).toBe(unknown.body.error.message.replace('nobody', 'X'));
    expect((await get('/api/v1/clients/acme/savings-overview', 'globex')).status).toBe(404);
    expect((await get('/api/v1/clients/acme/topology')).status).toBe(200);
  });

  it('gives on-demand vs actual cost per hour, in total or per cluster', async () => {
    const total = await get('/api/v1/clients/acme/savings-overview?mode=total&bucket=hour', 'acme');
    expect(total.body.series).toHaveLength(1);
    const [point] = total.body.series[0].points;
    expect(point).toMatchObject({ nodeHours: 3, savingsUsd: round(2 * (spot.onDemand - spot.spot)) });
    expect(Date.parse(point.t) % HOUR).toBe(0);
    const byCluster = await get('/api/v1/clients/acme/savings-overview?mode=cluster&bucket=day');
    expect(byCluster.body.series.map((s: { cluster: string }) => s.cluster)).toEqual(['prod']);
    expect(Date.parse(byCluster.body.series[0].points[0].t) % (24 * HOUR)).toBe(0);
  });
});

describe('instance alternatives', () => {
  it('gives the 5 best other pools from the board, with price and score breakdown', async () => {
    const res = await get('/api/v1/instances/i-a1/alternatives', 'acme');
    expect(res.status).toBe(200);
    expect(res.body.instance).toMatchObject({ instanceId: 'i-a1', instanceType: spot.type, pricePerHour: spot.spot });
    const alts = res.body.alternatives as Body[];
    expect(alts).toHaveLength(5);
    expect(alts.map((a) => a.poolId)).not.toContain(`${spot.type}|${spot.zone}|spot`);
    const ranks = alts.map((a) => a.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(Object.keys(alts[0]?.score.factors).sort()).toEqual(['capacity', 'cost', 'performance', 'stability']);
    expect(alts[0]?.savingsPerHour).toBeCloseTo(spot.spot - alts[0]?.pricePerHour, 4);
  });

  it('answers 404 for another tenant instance and for an unknown one', async () => {
    expect((await get('/api/v1/instances/i-g1/alternatives', 'acme')).status).toBe(404);
    expect((await get('/api/v1/instances/i-nope/alternatives', 'acme')).status).toBe(404);
    expect((await get('/api/v1/instances/i-g1/alternatives', 'globex')).status).toBe(200);
  });
});

describe('GET /api/v1/pipeline/status', () => {
  it('reports each component with its latency and last error', async () => {
    const res = await get('/api/v1/pipeline/status');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('down');
    const byName = Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
    expect(byName.store).toMatchObject({ status: 'ok', lastError: null });
    expect(byName.store.latencyMs).toBeGreaterThan(0);
    expect(byName.catalog.detail.spotPools).toBeGreaterThan(0);
    expect(byName.solver).toMatchObject({ status: 'down', lastError: { message: 'no cloud configured' } });
  });
});
