import { fileURLToPath } from 'node:url';
import { SHARED_DATA_DIR, type SimEc2, startSimEc2 } from '@ballast/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../src/api/api-server.ts';
import { HUB_ADMIN_FOR_TESTS } from '../src/auth/trusted-principal.ts';
import { Catalog } from '../src/catalog/catalog.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import type { AgentRegistry } from '../src/ingest/agent-registry.ts';
import { PoolBoard } from '../src/pools/pool-board.ts';
import { RecordedPoolEvidence } from '../src/pools/pool-evidence.ts';
import { storedModels } from '../src/pools/scoring-plane.ts';
import { loadSpotAdvisorCsv } from '../src/pools/spot-advisor-file.ts';
import { DEFAULT_MODEL } from '../src/scoring/scoring-model.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { DecisionRepository } from '../src/state/repositories/decision-repository.ts';
import { ScoringModelRepository } from '../src/state/repositories/scoring-model-repository.ts';
import { TenantRepository } from '../src/state/repositories/tenant-repository.ts';
import type { MetricsStore } from '../src/store/metrics-store.ts';

// The pool table, scoring models and decision routes over the real parts: the AWS SDK
// against the simulator's EC2 endpoint, the catalog, the scorer and PGlite.
let sim: SimEc2;
let cloud: AwsCloudProvider;
let catalog: Catalog;
let metadata: MetadataStore;
let evidence: RecordedPoolEvidence;
let app: FastifyInstance;

const dataFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));

beforeAll(async () => {
  sim = await startSimEc2({ catalog: 'built-in' });
  cloud = new AwsCloudProvider(sim.awsConfig());
  catalog = new Catalog({ cloud, clock: sim.clock, onDemand: { file: dataFile('instance_types.csv') } });
  await catalog.start();
  metadata = await openMetadataStore({ kind: 'pglite', path: null });
  await metadata.migrate();
  const models = new ScoringModelRepository(metadata);
  evidence = new RecordedPoolEvidence();
  const board = new PoolBoard({
    catalog,
    evidence,
    advisor: loadSpotAdvisorCsv(dataFile('spot_advisor.csv'), 'us-east-1'),
    models: storedModels(models),
  });
  // Only the routes under test are reachable: any metrics-store call fails loudly.
  const store = { ping: async () => undefined } as unknown as MetricsStore;
  app = await buildApiServer({
    store,
    registry: {} as AgentRegistry,
    readiness: [],
    consoleDir: '/nonexistent',
    defaultTenant: 'default',
    // A caller of the default tenant: the decisions test checks that other tenants' stay hidden.
    auth: { trustedPrincipal: { ...HUB_ADMIN_FOR_TESTS, clientId: 'default' } },
    now: () => sim.clock.now(),
    decisions: new DecisionRepository(metadata),
    scoring: { models, board, catalog },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await catalog?.shutdown();
  cloud?.close();
  await metadata?.close();
  await sim?.close();
});

type PoolRow = {
  poolId: string;
  total: number;
  rank: number;
  price: { perHour: number; ageSeconds: number };
  factors: { stability: { inputs: { advisorBucket: string | null; interruptions: number } } };
  shadowScore?: { total: number };
};

describe('GET /api/v1/pools', () => {
  it('lists every priced pool with its factor breakdown, rank and price age', async () => {
    const res = await app.inject('/api/v1/pools?capacityType=spot');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { pools: PoolRow[]; total: number; model: { name: string; id: string | null }; advisorSnapshot: string };
    expect(body.model).toEqual({ id: null, name: DEFAULT_MODEL.name, version: DEFAULT_MODEL.version });
    expect(body.advisorSnapshot).toBe('2025-06-28');
    expect(body.total).toBeGreaterThan(10);
    const first = body.pools[0] as PoolRow;
    const [type, zone] = first.poolId.split('|') as [string, string];
    expect(first.price.perHour).toBe(catalog.spotPrice(type, zone)?.pricePerHour);
    expect(first.price.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(first.factors.stability.inputs.advisorBucket).not.toBeNull();
    // Ranked best first.
    expect(body.pools.map((p) => p.rank)).toEqual([...body.pools.map((p) => p.rank)].sort((a, b) => a - b));
  });

  it('refuses unknown and malformed query parameters with a 400 naming them', async () => {
    const bad = await app.inject('/api/v1/pools?capacityType=reserved');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.parameter).toBe('capacityType');
    const unknown = await app.inject('/api/v1/pools?colour=red');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('colour');
  });

  it('recompute-risk rescoring now takes in newly observed interruptions', async () => {
    const before = (await app.inject('/api/v1/pools?capacityType=spot')).json() as { pools: PoolRow[] };
    const target = before.pools[0] as PoolRow;
    for (let i = 0; i < 5; i++) evidence.record(target.poolId, 'interruption', sim.clock.now() - 3_600_000);
    evidence.ran(target.poolId, sim.clock.now() - 48 * 3_600_000, sim.clock.now());
    // Unchanged until recomputed: the table shows what was computed, and when.
    const stale = (await app.inject('/api/v1/pools?capacityType=spot')).json() as { pools: PoolRow[] };
    expect(stale.pools.find((p) => p.poolId === target.poolId)?.total).toBe(target.total);
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/recompute-risk' });
    expect(res.statusCode).toBe(200);
    const after = (await app.inject('/api/v1/pools?capacityType=spot')).json() as { pools: PoolRow[] };
    const row = after.pools.find((p) => p.poolId === target.poolId) as PoolRow;
    expect(row.factors.stability.inputs.interruptions).toBe(5);
    expect(row.total).toBeLessThan(target.total);
  });
});

describe('scoring models', () => {
  it('refuses a malformed model with a 400 naming the field, and stores nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/scoring/models',
      payload: { ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, cost: -1 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.parameter).toBe('weights.cost');
    const unknownKey = await app.inject({ method: 'POST', url: '/api/v1/scoring/models', payload: { ...DEFAULT_MODEL, extra: 1 } });
    expect(unknownKey.statusCode).toBe(400);
    expect((await app.inject('/api/v1/scoring/models')).json().models).toEqual([]);
  });

  it('uploads, promotes and shadows models; the pool table follows', async () => {
    const costly = {
      ...DEFAULT_MODEL,
      name: 'cost-first',
      version: 2,
      weights: { cost: 0.9, stability: 0.05, performance: 0.025, capacity: 0.025 },
    };
    const up = await app.inject({ method: 'POST', url: '/api/v1/scoring/models', payload: costly });
    expect(up.statusCode).toBe(201);
    const id = up.json().id as string;
    expect(up.json().status).toBe('inactive');

    const promoted = await app.inject({ method: 'POST', url: `/api/v1/scoring/models/${id}/promote` });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().status).toBe('active');
    const pools = (await app.inject('/api/v1/pools')).json() as { model: { id: string; name: string } };
    expect(pools.model).toMatchObject({ id, name: 'cost-first' });

    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/scoring/models',
      payload: { ...DEFAULT_MODEL, name: 'steady', version: 1 },
    });
    const shadowId = second.json().id as string;
    const shadowed = await app.inject({ method: 'PUT', url: '/api/v1/scoring/shadow', payload: { id: shadowId } });
    expect(shadowed.statusCode).toBe(200);
    const withShadow = (await app.inject('/api/v1/pools')).json() as { shadow: { id: string }; pools: PoolRow[] };
    expect(withShadow.shadow.id).toBe(shadowId);
    expect(withShadow.pools.every((p) => p.shadowScore !== undefined)).toBe(true);
    // The shadow model weighs stability more, so some pool scores differently under it.
    expect(withShadow.pools.some((p) => Math.abs((p.shadowScore?.total ?? 0) - p.total) > 1e-6)).toBe(true);

    const cleared = await app.inject({ method: 'DELETE', url: '/api/v1/scoring/shadow' });
    expect(cleared.json().cleared.id).toBe(shadowId);
    expect(((await app.inject('/api/v1/pools')).json() as { shadow: unknown }).shadow).toBeNull();
  });

  it('answers 404 for an unknown model and 400 for a malformed id', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/scoring/models/00000000-0000-4000-8000-000000000000/promote' })).statusCode,
    ).toBe(404);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/scoring/models/not-a-uuid/promote' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.parameter).toBe('id');
  });
});

describe('decisions and the funnel', () => {
  it("lists only this tenant's decisions, newest first and filtered, and counts each funnel stage", async () => {
    const now = sim.clock.now();
    const tenants = new TenantRepository(metadata);
    const decisions = new DecisionRepository(metadata);
    for (const client of ['default', 'other']) {
      await tenants.createClient({ id: client, name: client }, now);
      await tenants.ensureCluster(client, 'prod', now);
    }
    const pool = { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' as const };
    const a = await decisions.insert(
      { clientId: 'default', clusterId: 'prod', kind: 'replace', fromPool: pool, inputs: { why: 'cheaper' } },
      now - 3_000,
    );
    await decisions.advance('default', a.id, { stage: 'feasible' }, now - 2_900);
    await decisions.advance('default', a.id, { stage: 'scored' }, now - 2_800);
    await decisions.finish('default', a.id, { outcome: 'dropped', reason: 'price changed before validation' }, now - 2_700);
    const b = await decisions.insert({ clientId: 'default', clusterId: 'prod', kind: 'fallback-on-demand', fromPool: pool }, now - 2_000);
    await decisions.insert({ clientId: 'other', clusterId: 'prod', kind: 'replace' }, now - 1_000);

    const all = (await app.inject('/api/v1/decisions')).json() as { decisions: Array<{ id: string; clientId: string }> };
    expect(all.decisions.map((d) => d.id)).toEqual([b.id, a.id]);
    const replaced = (await app.inject('/api/v1/decisions?kind=replace&outcome=dropped')).json() as {
      decisions: Array<{ id: string; outcomeReason: string }>;
    };
    expect(replaced.decisions.map((d) => d.id)).toEqual([a.id]);
    expect(replaced.decisions[0]?.outcomeReason).toBe('price changed before validation');
    const paged = (await app.inject('/api/v1/decisions?limit=1')).json() as { decisions: Array<{ id: string }>; nextCursor: string };
    expect(paged.decisions.map((d) => d.id)).toEqual([b.id]);
    const next = (await app.inject(`/api/v1/decisions?limit=1&cursor=${paged.nextCursor}`)).json() as { decisions: Array<{ id: string }> };
    expect(next.decisions.map((d) => d.id)).toEqual([a.id]);

    const funnel = (await app.inject('/api/v1/pipeline/funnel?hours=1')).json() as {
      stages: Array<{ stage: string; reached: number; dropped: number }>;
      total: number;
    };
    expect(funnel.total).toBe(2);
    expect(funnel.stages.map((s) => s.stage)).toEqual([
      'candidate',
      'feasible',
      'scored',
      'solved',
      'validated',
      'approved',
      'executed',
      'verified',
    ]);
    expect(funnel.stages.find((s) => s.stage === 'scored')).toEqual({ stage: 'scored', reached: 1, dropped: 1 });
    expect(funnel.stages.find((s) => s.stage === 'candidate')?.reached).toBe(2);
  });

  it('refuses bad filters with a 400 naming them', async () => {
    const kind = await app.inject('/api/v1/decisions?kind=teleport');
    expect(kind.statusCode).toBe(400);
    expect(kind.json().error.parameter).toBe('kind');
    expect((await app.inject('/api/v1/decisions?from=2021-04-15T00:00:00Z&to=2021-04-14T00:00:00Z')).json().error.parameter).toBe('from');
    expect((await app.inject('/api/v1/decisions?cursor=garbage')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/pipeline/funnel?hours=0')).json().error.parameter).toBe('hours');
  });
});
