import { createLogger, loadConfig } from '@ballast/common';
import { type Event, Lifecycle, RejectReason, type SampleBatch, type SeriesDefinition } from '@ballast/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import type { Collector, Sample } from './collectors/collector.ts';
import { AGENT_CONFIG, type AgentConfig } from './config/agent-config.ts';
import type { Transport, TransportSession } from './transport/transport.ts';

class FakeTransport implements Transport {
  readonly name = 'fake';
  connected = true;
  session: TransportSession | null = null;
  readonly dictionaries: SeriesDefinition[][] = [];
  readonly batches: SampleBatch[] = [];
  readonly events: Event[] = [];
  shutdowns = 0;
  start(session: TransportSession): void {
    this.session = session;
  }
  sendDictionary(series: SeriesDefinition[]): void {
    this.dictionaries.push(series);
  }
  sendBatch(batch: SampleBatch): void {
    this.batches.push(batch);
  }
  sendEvent(event: Event): void {
    this.events.push(event);
  }
  sendCommandResult(): void {}
  async shutdown(): Promise<void> {
    this.shutdowns += 1;
  }
  get s(): TransportSession {
    if (!this.session) throw new Error('transport not started');
    return this.session;
  }
}

/** Returns `samples` for the first `cycles` collections, then nothing (so no more batches are built). */
class FakeCollector implements Collector {
  readonly name: string;
  calls = 0;
  started = 0;
  stopped = 0;
  constructor(
    private readonly cycles: number,
    private readonly samples: (cycle: number) => Sample[],
    name = 'fake',
  ) {
    this.name = name;
  }
  async start(): Promise<void> {
    this.started += 1;
  }
  async collect(): Promise<Sample[]> {
    this.calls += 1;
    return this.calls <= this.cycles ? this.samples(this.calls) : [];
  }
  async shutdown(): Promise<void> {
    this.stopped += 1;
  }
}

class ThrowingCollector implements Collector {
  readonly name = 'broken';
  async start(): Promise<void> {}
  async collect(): Promise<Sample[]> {
    throw new Error('boom');
  }
  async shutdown(): Promise<void> {}
}

const gauge = (metric: string, value: number, labels: Record<string, string> = {}): Sample => ({
  metric,
  labels,
  value,
  kind: 'gauge',
  unit: '',
});

function config(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { ...loadConfig(AGENT_CONFIG, [], {}), collectIntervalMs: 50, shutdownFlushMs: 2_000, ...overrides };
}

async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const log = createLogger('agent-test', 'silent');
const seqs = (batches: SampleBatch[]) => batches.map((b) => Number(b.sequence));

/** What the transport would replay on a new stream. */
async function pending(s: TransportSession): Promise<SampleBatch[]> {
  const out: SampleBatch[] = [];
  for await (const b of s.replay()) out.push(b);
  return out;
}
const running: Array<{ agent: Agent; transport: FakeTransport }> = [];

function makeAgent(cycles: number, overrides: Partial<AgentConfig> = {}, extra: Collector[] = []) {
  const transport = new FakeTransport();
  const collector = new FakeCollector(cycles, (n) => [gauge('cpu', n), gauge('mem', n * 10, { kind: 'used' })]);
  const agent = new Agent(config(overrides), [collector, ...extra], transport, log, { epoch: 42n });
  running.push({ agent, transport });
  return { agent, transport, collector };
}

/** Starts the agent and waits until it has built and sent `cycles` batches and collected once more (so it is idle). */
async function startAndFill(cycles: number, overrides: Partial<AgentConfig> = {}) {
  const made = makeAgent(cycles, overrides);
  await made.agent.start();
  await until(() => made.transport.batches.length === cycles && made.collector.calls > cycles, `${cycles} batches`);
  return made;
}

afterEach(async () => {
  for (const { agent, transport } of running.splice(0)) {
    // Ack what is left so cleanup does not wait for shutdownFlushMs.
    if (transport.session) for (const b of await pending(transport.s)) transport.s.onAck(b.sequence);
    await agent.shutdown();
  }
});

describe('Agent', () => {
  it('collects on an interval and sends numbered batches, dictionary deltas first', async () => {
    const { agent, transport, collector } = await startAndFill(3);
    expect(collector.started).toBe(1);
    expect(seqs(transport.batches)).toEqual([1, 2, 3]);
    expect(transport.batches[1]?.values).toEqual([2, 20]);
    expect(transport.dictionaries[0]?.map((d) => d.metric)).toEqual(['cpu', 'mem']);
    expect(transport.dictionaries.slice(1).every((d) => d.length === 0)).toBe(true);
    expect(transport.s.dictionary().map((d) => d.id)).toEqual([1, 2]);
    expect(agent.stats()).toMatchObject({
      lastSequence: '3',
      bufferedBatches: 3,
      bufferedPoints: 6,
      series: 2,
      batchesAcked: 0,
      connected: true,
    });
  });

  it('replay() yields un-acked batches in sequence order', async () => {
    const { transport } = await startAndFill(4);
    expect(seqs(await pending(transport.s))).toEqual([1, 2, 3, 4]);
    transport.s.onAck(2n);
    expect(seqs(await pending(transport.s))).toEqual([1, 3, 4]);
  });

  it('on Welcome drops buffered batches <= storedSequence and keeps the rest', async () => {
    const { agent, transport } = await startAndFill(5);
    transport.s.onWelcome({ storedSequence: 3n } as Parameters<TransportSession['onWelcome']>[0]);
    expect(seqs(await pending(transport.s))).toEqual([4, 5]);
    expect(agent.stats().bufferedBatches).toBe(2);
    expect(agent.stats().bufferedPoints).toBe(4);
    // Welcomes do not count as acks.
    expect(agent.stats().batchesAcked).toBe(0);
  });

  it('Ack removes exactly that batch and counts it once', async () => {
    const { agent, transport } = await startAndFill(3);
    transport.s.onAck(2n);
    expect(seqs(await pending(transport.s))).toEqual([1, 3]);
    expect(agent.stats().batchesAcked).toBe(1);
    transport.s.onAck(2n);
    transport.s.onAck(99n);
    expect(agent.stats().batchesAcked).toBe(1);
    expect(seqs(await pending(transport.s))).toEqual([1, 3]);
  });

  it('Reject removes the batch and counts it as rejected, not acked', async () => {
    const { agent, transport } = await startAndFill(3);
    transport.s.onReject(1n, RejectReason.INVALID_BATCH, 'bad batch');
    expect(seqs(await pending(transport.s))).toEqual([2, 3]);
    expect(agent.stats()).toMatchObject({ batchesRejected: 1, batchesAcked: 0 });
    transport.s.onReject(1n, RejectReason.INVALID_BATCH, 'again');
    expect(agent.stats().batchesRejected).toBe(1);
  });

  it('hello() describes the node from config', async () => {
    const { agent, transport } = makeAgent(0, { tenant: 't1', cluster: 'c1', node: 'n1', lifecycle: 'spot', instanceType: 'm5.large' });
    await agent.start();
    const hello = transport.s.hello();
    expect(hello).toMatchObject({
      tenant: 't1',
      cluster: 'c1',
      node: 'n1',
      instanceType: 'm5.large',
      lifecycle: Lifecycle.SPOT,
      epoch: 42n,
    });
  });

  it('counts a failing collector and still sends the others', async () => {
    const { agent, transport } = makeAgent(2, {}, [new ThrowingCollector()]);
    await agent.start();
    await until(() => transport.batches.length === 2, '2 batches');
    expect(agent.stats().collectErrors).toBeGreaterThanOrEqual(2);
    expect(transport.batches[0]?.values).toEqual([1, 10]);
  });

  it('shutdown waits for the hub to ack what is buffered, then closes the transport', async () => {
    const { agent, transport, collector } = await startAndFill(2);
    let done = false;
    const stopping = agent.shutdown().then((s) => {
      done = true;
      return s;
    });
    // Give shutdown several of its 50 ms polls: it must still be waiting for acks.
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    expect(transport.shutdowns).toBe(0);
    transport.s.onAck(1n);
    transport.s.onAck(2n);
    const stats = await stopping;
    expect(transport.shutdowns).toBe(1);
    expect(collector.stopped).toBe(1);
    expect(stats).toMatchObject({ bufferedBatches: 0, batchesAcked: 2, lastSequence: '2' });
    // No collection after shutdown.
    const calls = collector.calls;
    await new Promise((r) => setTimeout(r, 150));
    expect(collector.calls).toBe(calls);
  });

  it('shutdown gives up after shutdownFlushMs and reports what is still buffered', async () => {
    const { agent, transport } = await startAndFill(2, { shutdownFlushMs: 100 });
    const stats = await agent.shutdown();
    expect(transport.shutdowns).toBe(1);
    expect(stats).toMatchObject({ bufferedBatches: 2, bufferedPoints: 4, batchesAcked: 0 });
  });

  it('shutdown is safe before start', async () => {
    const transport = new FakeTransport();
    const collector = new FakeCollector(1, () => [gauge('x', 1)]);
    const agent = new Agent(config(), [collector], transport, log, { epoch: 7n });
    const stats = await agent.shutdown();
    expect(stats).toMatchObject({ epoch: '7', lastSequence: '0', bufferedBatches: 0 });
    expect(transport.shutdowns).toBe(1);
    expect(collector.calls).toBe(0);
  });
});
