import { fileURLToPath } from 'node:url';
import { createLogger } from '@ballast/common';
import { ClientNodeClusterApi } from '@ballast/kube';
import { CLUSTER_TAG, type KubeApiServer, kubeResources as R, settleKube, startKubeApiServer } from '@ballast/sim';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimEc2, startSimEc2 } from '../../testkit/src/sim-ec2.ts';
import { registerDecisionRoutes } from '../src/api/routes/decision-routes.ts';
import { Catalog } from '../src/catalog/catalog.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import { DecisionLoop, type DecisionLoopDeps } from '../src/decisions/live/decision-loop.ts';
import { DecisionLoops } from '../src/decisions/live/decision-loops.ts';
import { KubeClusterView } from '../src/decisions/live/kube-cluster-view.ts';
import { NodeSignalBook } from '../src/decisions/live/node-signal-book.ts';
import { PoolBoard } from '../src/pools/pool-board.ts';
import { RecordedPoolEvidence } from '../src/pools/pool-evidence.ts';
import { storedModels } from '../src/pools/scoring-plane.ts';
import { DEFAULT_MODEL } from '../src/scoring/index.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { DecisionRepository } from '../src/state/repositories/decision-repository.ts';
import { ScoringModelRepository } from '../src/state/repositories/scoring-model-repository.ts';
import { TenantRepository } from '../src/state/repositories/tenant-repository.ts';
import type { SwitchOrder } from '../src/switches/switch-submitter.ts';

const CATALOG_FILE = fileURLToPath(new URL('../../../shared/data/instance_types.csv', import.meta.url));
const MIN = 60_000;
const CLIENT = 'default';
const CLUSTER = 'live';

/**
 * The live loop against real parts: the sim's EC2 endpoint through the AWS SDK (catalog and
 * prices), the sim's kube-apiserver through @kubernetes/client-node (nodes, pods, budgets),
 * PGlite for the decisions, and the decisions API over HTTP (fastify inject).
 */
describe('DecisionLoop against the simulator and PGlite', () => {
  let sim: SimEc2;
  let kube: KubeApiServer;
  let cloud: AwsCloudProvider;
  let catalog: Catalog;
  let store: MetadataStore;
  let decisions: DecisionRepository;
  let models: ScoringModelRepository;
  let board: PoolBoard;
  let app: FastifyInstance;

  const advance = async (ms: number) => {
    await sim.clock.advance(ms);
    await settleKube(kube);
  };
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** A loop on the sim's cluster; `more` adds or replaces deps (an executor, the overrides hook, a failing view). */
  const newLoop = (more: Partial<DecisionLoopDeps> = {}) =>
    new DecisionLoop(
      {
        clock: sim.clock,
        log: createLogger('test', 'error'),
        cluster: new KubeClusterView(new ClientNodeClusterApi({ kubeConfig: { file: kube.kubeconfigPath }, clock: sim.clock })),
        board,
        catalog,
        decisions,
        clientId: CLIENT,
        clusterId: CLUSTER,
        ...more,
      },
      { intervalMs: 5 * MIN },
    );

  beforeAll(async () => {
    sim = await startSimEc2({ bootDelayMs: 0 });
    kube = await startKubeApiServer({ fleet: sim.fleet, clock: sim.clock, clusterName: CLUSTER, nodeDeleteDelayMs: 0 });
    cloud = new AwsCloudProvider(sim.awsConfig());
    catalog = new Catalog({ cloud, clock: sim.clock, onDemand: { file: CATALOG_FILE }, instanceTypes: ['c5.xlarge', 'm5.xlarge'] });
    await catalog.start();
    store = await openMetadataStore({ kind: 'pglite', path: null });
    await store.migrate();
    const tenants = new TenantRepository(store);
    await tenants.ensureCluster(CLIENT, CLUSTER, sim.clock.now());
    decisions = new DecisionRepository(store);
    models = new ScoringModelRepository(store);
    board = new PoolBoard({ catalog, evidence: new RecordedPoolEvidence(), advisor: null, models: storedModels(models) });
    app = Fastify();
    registerDecisionRoutes(app, { decisions, tenantOf: () => CLIENT, now: () => sim.clock.now() });
    await app.ready();
    for (let i = 0; i < 3; i++) {
      sim.fleet.launch({
        instanceType: 'c5.xlarge',
        availabilityZone: 'us-east-1a',
        capacityType: 'spot',
        imageId: 'ami-1',
        tags: { [CLUSTER_TAG]: CLUSTER },
      });
    }
    await advance(MIN);
    // 6 web pods of 500m / 1 GiB spread over three 4-vCPU nodes (a third used each); the budget lets 3 go at once,
    // so the PDB-safe size lets a spot node hold 3 of them.
    const { seedWorkloads } = await import('@ballast/sim');
    seedWorkloads(kube, { deployments: [{ name: 'web', replicas: 6, cpu: '500m', memory: '1Gi', pdb: { maxUnavailable: 3 } }] });
    await advance(MIN);
    await advance(MIN);
    expect(kube.store.list(R.pods).filter((p) => (p.status as { phase?: string }).phase === 'Running')).toHaveLength(6);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await catalog?.shutdown();
    cloud?.close();
    await kube?.close();
    await sim?.close();
    await store?.close();
  });

  it('records an under-used node’s consolidation through the funnel and, with no executor, ends it as a dry run', async () => {
    const loop = newLoop();
    await loop.runOnce();
    expect(loop.status.lastError).toBeNull();
    expect(loop.status.skippedNodes).toEqual([]);
    // Nodes younger than consolidateAfterMs (10 min) are left alone.
    expect((await get('/api/v1/decisions')).decisions).toEqual([]);

    await advance(11 * MIN);
    await loop.runOnce();
    const proposed = (await get('/api/v1/decisions?kind=consolidate')).decisions;
    expect(proposed).toHaveLength(1);
    expect(proposed[0]).toMatchObject({ stage: 'solved', outcome: 'pending', fromShadow: false, dryRun: true, status: 'pending' });
    expect(proposed[0].instanceId).toMatch(/^i-/);
    expect(proposed[0].fromPool).toEqual({ instanceType: 'c5.xlarge', availabilityZone: 'us-east-1a', capacityType: 'spot' });
    expect(proposed[0].inputs).toMatchObject({ reason: 'underutilized', nodeIds: [proposed[0].nodeName] });
    expect(proposed[0].expectedSavingsPerHour).toBeGreaterThan(0);

    // The validation delay (2 min) passes; nothing changed, so it is validated, approved and dry-run executed.
    await advance(3 * MIN);
    await loop.runOnce();
    const [done] = (await get('/api/v1/decisions?kind=consolidate')).decisions;
    expect(done).toMatchObject({ id: proposed[0].id, stage: 'executed', outcome: 'executed', dryRun: true, status: 'dry-run' });
    // Dry run: the node is still there with its pods.
    expect(kube.store.get(R.nodes, undefined, done.nodeName)).toBeDefined();
    const funnel = await get('/api/v1/pipeline/funnel');
    expect(funnel.dryRun).toBe(1);
    expect(funnel.stages.find((s: { stage: string }) => s.stage === 'executed').reached).toBe(1);

    // Held while "executing": the next run does not propose the same node again.
    await advance(5 * MIN);
    await loop.runOnce();
    const again = (await get('/api/v1/decisions?kind=consolidate')).decisions;
    expect(again.filter((d: { nodeName: string }) => d.nodeName === done.nodeName)).toHaveLength(1);
    await loop.shutdown();
  }, 120_000);

  it('drops a decision whose node went away between decide and validate, and counts it', async () => {
    await store.query('DELETE FROM decisions');
    const loop = newLoop();
    // The nodes joined over 10 minutes ago (their Node objects say so): the first run proposes.
    await loop.runOnce();
    const [proposed] = (await get('/api/v1/decisions?kind=consolidate')).decisions;
    expect(proposed).toMatchObject({ outcome: 'pending', stage: 'solved' });
    // The premise changes: the node's instance is terminated and its node object deleted.
    sim.fleet.terminate(proposed.instanceId, 'test');
    await advance(MIN);
    await advance(MIN);
    expect(kube.store.get(R.nodes, undefined, proposed.nodeName)).toBeUndefined();
    await advance(MIN);
    await loop.runOnce();
    const [dropped] = (await get(`/api/v1/decisions?kind=consolidate&outcome=dropped`)).decisions;
    expect(dropped).toMatchObject({ id: proposed.id, outcome: 'dropped', dropReason: 'node-gone', stage: 'solved' });
    const funnel = await get('/api/v1/pipeline/funnel');
    expect(funnel.dropReasons).toEqual({ solved: { 'node-gone': 1 } });
    expect(funnel.outcomes.dropped).toBe(1);
    await loop.shutdown();
  }, 120_000);

  it('runs the shadow model beside the active one: its decisions are marked shadow, never executed, and compared', async () => {
    await store.query('DELETE FROM decisions');
    // A shadow model that refuses every spot pool's stability: its fallback threshold is 0.
    const shadowModel = structuredClone(DEFAULT_MODEL);
    shadowModel.name = 'strict';
    shadowModel.parameters.thresholds.fallbackMonthlyInterruptionProbability = 0.0001;
    shadowModel.parameters.thresholds.calmMonthlyInterruptionProbability = 0.0001;
    const stored = await models.upload({ model: shadowModel, createdBy: 'test' }, sim.clock.now());
    await models.setShadow(stored.id);
    await board.recompute();
    const loop = newLoop();
    await loop.runOnce();
    await advance(2 * MIN);
    await loop.runOnce();

    const shadow = (await get('/api/v1/decisions?model=shadow')).decisions;
    expect(shadow.length).toBeGreaterThan(0);
    for (const d of shadow) {
      expect(d).toMatchObject({ fromShadow: true, modelId: stored.id, dryRun: false });
      expect(['candidate', 'feasible', 'scored', 'solved', 'validated']).toContain(d.stage);
    }
    expect(shadow.some((d: { kind: string }) => d.kind === 'fallback-on-demand')).toBe(true);
    // The active list leaves them out; `all` has both.
    const active = (await get('/api/v1/decisions')).decisions;
    expect(active.every((d: { fromShadow: boolean }) => !d.fromShadow)).toBe(true);
    expect((await get('/api/v1/decisions?model=all')).decisions).toHaveLength(active.length + shadow.length);

    const c = await get('/api/v1/scoring/shadow/comparison?hours=1');
    expect(c.shadow.decisions).toBe(shadow.length);
    expect(c.active.decisions).toBe(active.length);
    expect(c.shadow.byKind['fallback-on-demand']).toBeGreaterThan(0);
    expect(c.shadow.modelIds).toEqual([stored.id]);
    // Falling back to on-demand costs money and removes interruption risk.
    const validatedFallbacks = shadow.filter(
      (d: { kind: string; stage: string }) => d.kind === 'fallback-on-demand' && d.stage === 'validated',
    );
    expect(validatedFallbacks.length).toBeGreaterThan(0);
    expect(c.shadow.validated).toBeGreaterThanOrEqual(validatedFallbacks.length);
    expect(c.shadow.riskReductionPerHourUsd).toBeGreaterThan(0);
    expect(c.difference.validated).toBe(c.shadow.validated - c.active.validated);
    await models.clearShadow();
    await board.recompute();
    await loop.shutdown();
  }, 120_000);

  it('hands approved decisions to the executor sink and records them executed, not dry-run', async () => {
    await store.query('DELETE FROM decisions');
    const executed: Array<{ kind: string; storedId: string }> = [];
    const loop = newLoop({
      execute: async (d, storedId) => {
        executed.push({ kind: d.kind, storedId });
        return { ok: true };
      },
    });
    // An empty node joins: removing it disrupts nothing, so it is always worth consolidating.
    const extra = sim.fleet.launch({
      instanceType: 'c5.xlarge',
      availabilityZone: 'us-east-1b',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: CLUSTER },
    });
    await advance(MIN);
    await loop.runOnce();
    // A minute old: younger than consolidateAfterMs, so not proposed yet.
    const named = async () =>
      (await get('/api/v1/decisions?kind=consolidate')).decisions.filter((d: { instanceId: string }) => d.instanceId === extra.id);
    expect(await named()).toEqual([]);
    await advance(11 * MIN);
    await loop.runOnce();
    expect(await named()).toHaveLength(1);
    expect(executed.map((e) => e.storedId)).not.toContain((await named())[0].id);
    await advance(3 * MIN);
    await loop.runOnce();
    expect(executed.length).toBeGreaterThanOrEqual(1);
    const all = (await get('/api/v1/decisions?kind=consolidate')).decisions;
    const empty = all.find((d: { instanceId: string }) => d.instanceId === extra.id);
    expect(empty).toMatchObject({
      stage: 'executed',
      outcome: 'pending',
      dryRun: false,
      status: 'pending',
      inputs: { reason: 'empty-node' },
    });
    expect(executed.map((e) => e.storedId)).toContain(empty.id);
    await loop.shutdown();
  }, 60_000);

  it('turns a forced node (the overrides hook) into a fallback-on-demand decision', async () => {
    await store.query('DELETE FROM decisions');
    const forced = new Set<string>();
    const loop = newLoop({
      overridesFor: async (nodes) =>
        nodes.map((n) => {
          forced.add(n.name);
          return n.instanceType && n.zone ? { instanceTypes: [n.instanceType], zones: [n.zone], reason: 'ops' } : null;
        }),
    });
    await loop.runOnce();
    expect(forced.size).toBeGreaterThan(0);
    const fallbacks = (await get('/api/v1/decisions?kind=fallback-on-demand')).decisions;
    expect(fallbacks.length).toBeGreaterThan(0);
    // Other fallbacks (pool or type risk) may come first, depending on how far the sim's clock ran;
    // an empty node left by the test before is forced too, and its fallback launches nothing.
    const override = fallbacks.find(
      (d: { inputs?: { reason?: string }; toPool?: unknown }) => d.inputs?.reason === 'override' && d.toPool !== null,
    );
    expect(override, JSON.stringify(fallbacks.map((d: Record<string, unknown>) => [d.inputs, d.toPool, d.stage, d.status]))).toMatchObject({
      inputs: { reason: 'override' },
      toPool: { capacityType: 'on-demand' },
    });
    await loop.shutdown();
  }, 60_000);

  it('runs a cluster loop on an agent interruption notice and hands the urgent move to switch jobs with the notice deadline', async () => {
    await store.query('DELETE FROM decisions');
    const signals = new NodeSignalBook();
    const orders: SwitchOrder[] = [];
    const loops = new DecisionLoops({
      clusters: [{ clientId: CLIENT, clusterId: CLUSTER, kubeconfig: kube.kubeconfigPath }],
      access: () => new ClientNodeClusterApi({ kubeConfig: { file: kube.kubeconfigPath }, clock: sim.clock }),
      clock: sim.clock,
      log: createLogger('test', 'error'),
      board,
      catalog,
      decisions,
      signals,
      submit: async (o) => void orders.push(o),
      intervalMs: 60 * MIN,
    });
    const busy = (kube.store.list(R.pods) as Array<{ spec?: { nodeName?: string }; metadata: { namespace?: string } }>).find(
      (p) => p.metadata.namespace === 'default' && p.spec?.nodeName,
    );
    const node = busy?.spec?.nodeName as string;
    const instanceId = sim.fleet.list().find((i) => i.privateDnsName === node)?.id;
    const now = sim.clock.now();
    expect(
      signals.record({
        tenant: CLIENT,
        cluster: CLUSTER,
        node,
        id: 'n1',
        kind: 'spot_interruption',
        timeMs: now,
        deadlineMs: now + 120_000,
        message: '',
        attributes: {},
      }),
    ).toBe(true);
    await loops.runNow(CLIENT, CLUSTER);
    expect(loops.status()[0]).toMatchObject({ runs: 1, dryRun: false, lastError: null });
    const order = orders.find((o) => o.instanceId === instanceId);
    expect(order, JSON.stringify(orders)).toMatchObject({ clientId: CLIENT, clusterId: CLUSTER, noticeDeadlineMs: now + 120_000 });
    expect(order?.reason).toMatch(/interruption-notice/);
    const stored = (await get('/api/v1/decisions')).decisions.find((d: { instanceId: string }) => d.instanceId === instanceId);
    expect(stored).toMatchObject({ dryRun: false, inputs: { reason: 'interruption-notice', urgent: true } });
    await loops.shutdown();
  }, 60_000);

  it('keeps running after a failed run and reports the error until a run succeeds', async () => {
    let fail = true;
    const real = new KubeClusterView(new ClientNodeClusterApi({ kubeConfig: { file: kube.kubeconfigPath }, clock: sim.clock }));
    const loop = newLoop({ cluster: { snapshot: () => (fail ? Promise.reject(new Error('apiserver unreachable')) : real.snapshot()) } });
    loop.start();
    await advance(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(loop.status.lastError?.message).toBe('apiserver unreachable');
    fail = false;
    await advance(5 * MIN);
    await loop.runOnce();
    expect(loop.status.lastError).toBeNull();
    expect(loop.status.runs).toBeGreaterThanOrEqual(2);
    await loop.shutdown();
  }, 60_000);
});
