import type { CommandResult, Event, SampleBatch, SeriesDefinition } from '@ballast/proto';
import type { Collector, Sample } from '../../src/collectors/collector.ts';
import type { Transport, TransportSession } from '../../src/transport/transport.ts';
import { collect } from './batches.ts';

/** Records what the agent sends; the test plays the hub through `session`. */
export class FakeTransport implements Transport {
  readonly name = 'fake';
  connected = true;
  session: TransportSession | null = null;
  readonly batches: SampleBatch[] = [];
  start(session: TransportSession): void {
    this.session = session;
  }
  sendDictionary(_series: SeriesDefinition[]): void {}
  sendBatch(batch: SampleBatch): void {
    this.batches.push(batch);
  }
  sendEvent(_event: Event): void {}
  sendCommandResult(_result: CommandResult): void {}
  async shutdown(): Promise<void> {}
  get s(): TransportSession {
    if (!this.session) throw new Error('transport not started');
    return this.session;
  }
  /** What a new stream would replay. */
  replayed(): Promise<SampleBatch[]> {
    return collect(this.s.replay());
  }
}

/** Returns `samples(cycle)` for the first `cycles` collections, then nothing. */
export class ScriptedCollector implements Collector {
  readonly name = 'scripted';
  calls = 0;
  constructor(
    private readonly cycles: number,
    private readonly samples: (cycle: number) => Sample[],
  ) {}
  async start(): Promise<void> {}
  async collect(): Promise<Sample[]> {
    this.calls += 1;
    return this.calls <= this.cycles ? this.samples(this.calls) : [];
  }
  async shutdown(): Promise<void> {}
}

export const gauge = (metric: string, value: number, labels: Record<string, string> = {}): Sample => ({
  metric,
  labels,
  value,
  kind: 'gauge',
  unit: '',
});

export async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
