import { systemClock } from '@ballast/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchRecord, MetricsStore, SamplePart } from '../store/metrics-store.ts';
import { IngestPipeline, type IngestPipelineOptions } from './ingest-pipeline.ts';

class FakeStore {
  readonly inserts: Array<{ parts: SamplePart[]; batches: BatchRecord[] }> = [];
  calls = 0;
  /** Insert number n (1-based) fails when failOn(n) is true. */
  failOn: (n: number) => boolean = () => false;
  /** When set, inserts wait for it. */
  gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  closeGate(): void {
    this.gate = new Promise<void>((r) => {
      this.open = r;
    });
  }
  openGate(): void {
    this.open?.();
    this.gate = null;
  }

  async insertSamples(parts: SamplePart[], batches: BatchRecord[]): Promise<void> {
    this.calls += 1;
    const n = this.calls;
    if (this.gate) await this.gate;
    if (this.failOn(n)) throw new Error(`insert ${n} failed`);
    this.inserts.push({ parts, batches });
  }

  asStore(): MetricsStore {
    const unused = () => {
      throw new Error('not used by the pipeline');
    };
    return {
      insertSamples: (p: SamplePart[], b: BatchRecord[]) => this.insertSamples(p, b),
      start: unused,
      shutdown: unused,
      insertSeries: unused,
      recordBatches: unused,
      sequenceProgress: unused,
      sequenceProgressMany: unused,
      upsertAgents: unused,
      listAgents: unused,
      insertEvents: unused,
      findSeries: unused,
      queryRange: unused,
      queryGroupedRange: unused,
      resolutions: unused,
      metricNames: unused,
      labelNames: unused,
      labelValues: unused,
      ping: unused,
      storageUsage: unused,
      optimize: unused,
    };
  }
}

let nextSeq = 1n;
function item(points: number): { part: SamplePart; batch: BatchRecord } {
  const block = {
    length: points,
    seriesLo: new Uint32Array(points).fill(1),
    seriesHi: new Uint32Array(points),
    timestampsMs: Float64Array.from({ length: points }, (_, i) => 1_700_000_000_000 + i),
    values: new Float64Array(points).fill(1),
  };
  const sequence = nextSeq++;
  return {
    part: { tenant: 't', cluster: 'c', block },
    batch: { tenant: 't', cluster: 'c', node: 'n', epoch: 1n, sequence, points, status: 'stored' },
  };
}

const OPTIONS: IngestPipelineOptions = { flushPoints: 10, flushIntervalMs: 60_000, maxQueuedPoints: 1_000, retryMinMs: 1, retryMaxMs: 5 };

async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending promise callbacks and immediate timers run. */
const settle = () => new Promise((r) => setTimeout(r, 20));

function track<T>(p: Promise<T>) {
  const state = { settled: false, ok: false, error: undefined as unknown };
  p.then(
    () => Object.assign(state, { settled: true, ok: true }),
    (error: unknown) => Object.assign(state, { settled: true, ok: false, error }),
  );
  return state;
}

const pipelines: IngestPipeline[] = [];
function make(store: FakeStore, options: Partial<IngestPipelineOptions> = {}): IngestPipeline {
  const p = new IngestPipeline(store.asStore(), systemClock, { ...OPTIONS, ...options });
  pipelines.push(p);
  return p;
}

afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.shutdown().catch(() => undefined);
});

describe('IngestPipeline', () => {
  it('flushes by size: one insert as soon as flushPoints are queued', async () => {
    const store = new FakeStore();
    const p = make(store);
    const a = item(6);
    const b = item(6);
    const first = track(p.submit(a.part, a.batch));
    await settle();
    expect(store.calls).toBe(0);
    expect(p.stats.queuedPoints).toBe(6);
    expect(first.settled).toBe(false);
    const second = p.submit(b.part, b.batch);
    await second;
    expect(first).toMatchObject({ settled: true, ok: true });
    expect(store.inserts).toHaveLength(1);
    expect(store.inserts[0]?.parts).toEqual([a.part, b.part]);
    expect(store.inserts[0]?.batches).toEqual([a.batch, b.batch]);
    expect(p.stats).toMatchObject({ queuedPoints: 0, storedPoints: 12, storedBatches: 2, failedInserts: 0, lastError: null });
  });

  it('flushes by interval when flushPoints is never reached', async () => {
    const store = new FakeStore();
    const p = make(store, { flushPoints: 1_000, flushIntervalMs: 10 });
    const a = item(3);
    const b = item(4);
    await Promise.all([p.submit(a.part, a.batch), p.submit(b.part, b.batch)]);
    expect(store.inserts).toHaveLength(1);
    expect(store.inserts[0]?.batches.map((x) => x.sequence)).toEqual([a.batch.sequence, b.batch.sequence]);
    expect(p.stats.storedPoints).toBe(7);
  });

  it('resolves a submission only after its insert completes', async () => {
    const store = new FakeStore();
    store.closeGate();
    const p = make(store);
    const a = item(10);
    const s = track(p.submit(a.part, a.batch));
    await until(() => store.calls === 1, 'insert started');
    await settle();
    expect(s.settled).toBe(false);
    expect(p.stats.storedPoints).toBe(0);
    store.openGate();
    await until(() => s.settled, 'submission settled');
    expect(s.ok).toBe(true);
    expect(p.stats.storedBatches).toBe(1);
  });

  it('retries a failing insert until it succeeds, then resolves', async () => {
    const store = new FakeStore();
    store.failOn = (n) => n <= 2;
    const p = make(store);
    const a = item(10);
    await p.submit(a.part, a.batch);
    expect(store.calls).toBe(3);
    expect(store.inserts).toHaveLength(1);
    expect(p.stats).toMatchObject({ failedInserts: 2, storedPoints: 10, storedBatches: 1, queuedPoints: 0, lastError: 'insert 2 failed' });
  });

  it('does not resolve while the store keeps failing', async () => {
    const store = new FakeStore();
    store.failOn = () => true;
    const p = make(store);
    const a = item(10);
    const s = track(p.submit(a.part, a.batch));
    await until(() => store.calls >= 3, 'three attempts');
    expect(s.settled).toBe(false);
    expect(p.stats.storedPoints).toBe(0);
    expect(p.stats.queuedPoints).toBe(10);
    store.failOn = () => false;
    await until(() => s.settled, 'submission settled');
    expect(s.ok).toBe(true);
  });

  it('backpressure: waitForSpace blocks while queued >= maxQueuedPoints and is released by a flush', async () => {
    const store = new FakeStore();
    store.closeGate();
    const p = make(store, { flushPoints: 5, maxQueuedPoints: 8 });
    await p.waitForSpace(); // empty queue: immediate
    const a = item(8);
    const s = track(p.submit(a.part, a.batch));
    await until(() => store.calls === 1, 'insert started');
    expect(p.stats.queuedPoints).toBe(8);
    const space = track(p.waitForSpace());
    await settle();
    expect(space.settled).toBe(false);
    store.openGate();
    await until(() => space.settled, 'space');
    expect(space.ok).toBe(true);
    expect(s.ok).toBe(true);
    expect(p.stats.queuedPoints).toBe(0);
  });

  it('shutdown waits for the insert in flight, settles everything queued and refuses new work', async () => {
    const store = new FakeStore();
    store.closeGate();
    const p = make(store);
    const a = item(10);
    const b = item(10);
    const inFlight = track(p.submit(a.part, a.batch));
    await until(() => store.calls === 1, 'insert started');
    const queued = track(p.submit(b.part, b.batch));
    const stopping = p.shutdown();
    store.openGate();
    await stopping;
    await settle();
    expect(inFlight).toMatchObject({ settled: true, ok: true });
    expect(store.inserts[0]?.batches).toEqual([a.batch]);
    // Nothing is left hanging: the queued submission is settled (stored or rejected), and
    // if it was not stored it was rejected, never resolved.
    expect(queued.settled).toBe(true);
    const storedB = store.inserts.some((i) => i.batches.includes(b.batch));
    expect(queued.ok).toBe(storedB);
    const c = item(1);
    await expect(p.submit(c.part, c.batch)).rejects.toThrow(/shut down/);
  });

  it('shutdown rejects an in-flight insert that keeps failing with the store error', async () => {
    const store = new FakeStore();
    store.failOn = () => true;
    const p = make(store, { retryMinMs: 20, retryMaxMs: 20 });
    const a = item(10);
    const s = track(p.submit(a.part, a.batch));
    await until(() => store.calls >= 1, 'first attempt');
    await p.shutdown();
    await settle();
    expect(s.settled).toBe(true);
    expect(s.ok).toBe(false);
    expect(String(s.error)).toMatch(/insert \d+ failed/);
    expect(p.stats.queuedPoints).toBe(0);
  });

  it('shutdown releases waiters blocked on backpressure', async () => {
    const store = new FakeStore();
    store.closeGate();
    const p = make(store, { flushPoints: 5, maxQueuedPoints: 5 });
    const a = item(5);
    const s = track(p.submit(a.part, a.batch));
    await until(() => store.calls === 1, 'insert started');
    const space = track(p.waitForSpace());
    const stopping = p.shutdown();
    await until(() => space.settled, 'waiter released');
    store.openGate();
    await stopping;
    await until(() => s.settled, 'submission settled');
  });

  // The class comment promises "Stores what is queued, then refuses new work". Points that
  // wait for the flush timer when shutdown starts are rejected without an insert attempt.
  it('shutdown stores what is queued but not yet flushing (documented contract)', async () => {
    const store = new FakeStore();
    const p = make(store, { flushPoints: 1_000, flushIntervalMs: 60_000 });
    const a = item(3);
    const s = track(p.submit(a.part, a.batch));
    await p.shutdown();
    await settle();
    expect(store.calls).toBe(1);
    expect(s).toMatchObject({ settled: true, ok: true });
  });
});
