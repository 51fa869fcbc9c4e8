import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, systemClock } from '@ballast/common';
import { seedMigratedPglite } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY } from '../src/governance/approval-policy.ts';
import type { JobKind } from '../src/jobs/job-kind.ts';
import { JobKindRegistry } from '../src/jobs/job-kind-registry.ts';
import { JobRunner } from '../src/jobs/job-runner.ts';
import { JobService } from '../src/jobs/job-service.ts';
import type { MetadataStore } from '../src/state/metadata-store.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { TenantRepository } from '../src/state/repositories/tenant-repository.ts';
import { openStoreConnection } from '../src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../src/store/clickhouse-metrics-store.ts';
import { EventBus } from '../src/stream/event-bus.ts';
import { agentEventToStream, jobToStream } from '../src/stream/stream-bridges.ts';
import type { StreamEvent } from '../src/stream/stream-event.ts';
import { StreamingAgentRegistry } from '../src/stream/streaming-agent-registry.ts';

// What feeds the stream, over real parts: the job runner and service on PGlite, and the
// agent registry on chDB.
const log = createLogger('test', 'silent');
let metadata: MetadataStore;
let pgDir: string;
let chdbDir: string;
let store: ClickHouseMetricsStore;

beforeAll(async () => {
  pgDir = mkdtempSync(join(tmpdir(), 'ballast-stream-pg-'));
  rmSync(pgDir, { recursive: true });
  await seedMigratedPglite(pgDir);
  metadata = await openMetadataStore({ kind: 'pglite', path: pgDir });
  await metadata.migrate();
  await new TenantRepository(metadata).createClient({ id: 'acme', name: 'Acme' }, systemClock.now());
  chdbDir = mkdtempSync(join(tmpdir(), 'ballast-stream-chdb-'));
  store = new ClickHouseMetricsStore(openStoreConnection({ kind: 'chdb', path: chdbDir }));
  await store.start();
}, 120_000);

afterAll(async () => {
  await metadata?.close();
  await store?.shutdown();
  rmSync(pgDir, { recursive: true, force: true });
  rmSync(chdbDir, { recursive: true, force: true });
});

function collect(bus: EventBus): StreamEvent[] {
  const seen: StreamEvent[] = [];
  bus.subscribe({ tenant: null }, undefined, { event: (e) => seen.push(e), reset: () => {} });
  return seen;
}

const threeSteps: JobKind<Record<string, never>> = {
  name: 'three-steps',
  parseParams: () => ({}),
  plan: () => [
    { name: 'one', target: 'x' },
    { name: 'two', target: 'x' },
    { name: 'three', target: 'x' },
  ],
  approvalAction: () => null,
  summary: () => 'three steps',
  runStep: async () => ({ status: 'succeeded' }),
};

describe('job progress', () => {
  it('streams a job from creation through each step to its end, in order', async () => {
    const bus = new EventBus();
    const seen = collect(bus);
    const kinds = new JobKindRegistry().register(threeSteps);
    const runner = new JobRunner({ store: metadata, kinds, clock: systemClock, log, pollMs: 60_000 });
    const jobs = new JobService({ store: metadata, kinds, policy: DEFAULT_APPROVAL_POLICY, clock: systemClock, wake: () => runner.wake() });
    const publish = (job: Parameters<typeof jobToStream>[0]) => void bus.publish(jobToStream(job));
    runner.onChange(publish);
    jobs.onChange(publish);
    await runner.start();
    const { job } = await jobs.submit({
      clientId: 'acme',
      kind: 'three-steps',
      params: {},
      dryRun: false,
      note: '',
      actor: 'tester',
      sourceIp: null,
    });
    const deadline = Date.now() + 20_000;
    while (!seen.some((e) => (e.data as { status: string }).status === 'succeeded') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await runner.shutdown();
    const views = seen.map((e) => e.data as { id: string; status: string; progress: { done: number; total: number } });
    expect(seen.every((e) => e.kind === 'job-progress' && e.tenant === 'acme')).toBe(true);
    expect(views.every((v) => v.id === job.id)).toBe(true);
    expect(views[0]?.status).toBe('pending');
    expect(views.at(-1)).toMatchObject({ status: 'succeeded', progress: { done: 3, total: 3 } });
    // Progress never goes backwards and passes through every step.
    const done = views.map((v) => v.progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done)).toEqual(new Set([0, 1, 2, 3]));
    expect(views.some((v) => v.status === 'running')).toBe(true);
  });

  it('streams a cancel', async () => {
    const bus = new EventBus();
    const seen = collect(bus);
    const kinds = new JobKindRegistry().register(threeSteps);
    const jobs = new JobService({ store: metadata, kinds, policy: DEFAULT_APPROVAL_POLICY, clock: systemClock, wake: () => {} });
    jobs.onChange((j) => bus.publish(jobToStream(j)));
    const { job } = await jobs.submit({
      clientId: 'acme',
      kind: 'three-steps',
      params: {},
      dryRun: true,
      note: '',
      actor: 'a',
      sourceIp: null,
    });
    await jobs.cancel('acme', job.id, { actor: 'b', sourceIp: null }, 'not needed');
    expect(seen.map((e) => (e.data as { status: string }).status)).toEqual(['pending', 'cancelled']);
  });
});

describe('agent connect and disconnect', () => {
  it('publishes the first connect and the last disconnect of an agent, not the ones between', async () => {
    const bus = new EventBus();
    const seen = collect(bus);
    const registry = new StreamingAgentRegistry(store, systemClock, log, bus);
    const hello = {
      tenant: 'acme',
      cluster: 'prod',
      node: 'n1',
      instanceId: 'i-1',
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      lifecycle: 'spot',
      agentVersion: '0.1.0',
    };
    await registry.connected(hello);
    // A second stream of the same agent (a reconnect racing the old stream's close).
    await registry.connected(hello);
    await registry.disconnected('acme', 'prod', 'n1');
    await registry.disconnected('acme', 'prod', 'n1');
    expect(seen.map((e) => [e.kind, e.tenant, e.cluster, e.node])).toEqual([
      ['agent-connected', 'acme', 'prod', 'n1'],
      ['agent-disconnected', 'acme', 'prod', 'n1'],
    ]);
    expect(seen[0]?.data).toMatchObject({ instanceId: 'i-1', lifecycle: 'spot' });
    // The registry still stores what it did before.
    expect((await registry.list('acme')).map((a) => [a.node, a.connected])).toEqual([['n1', false]]);
    await registry.shutdown();
  });
});

describe('agent events', () => {
  const record = (kind: string) => ({
    tenant: 'acme',
    cluster: 'prod',
    node: 'n1',
    id: 'e1',
    kind,
    timeMs: 1_000,
    deadlineMs: 121_000,
    message: 'notice',
    attributes: { action: 'terminate' },
  });

  it('maps notices, rebalances and drain or switch progress, and leaves the rest out', () => {
    expect(agentEventToStream(record('spot_interruption'))).toMatchObject({
      kind: 'interruption',
      tenant: 'acme',
      cluster: 'prod',
      node: 'n1',
      at: 1_000,
      data: { deadline: new Date(121_000).toISOString(), attributes: { action: 'terminate' } },
    });
    expect(agentEventToStream(record('rebalance_recommendation'))?.kind).toBe('rebalance');
    expect(agentEventToStream(record('drain_progress'))?.kind).toBe('switch-progress');
    expect(agentEventToStream(record('switch_progress'))?.kind).toBe('switch-progress');
    expect(agentEventToStream(record('log'))).toBeNull();
  });
});
