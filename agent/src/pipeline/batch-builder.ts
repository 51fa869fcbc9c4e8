import type { SampleBatch } from '@ballast/proto';
import type { Sample, SampleKind, SampleSink } from '../collectors/collector.ts';
import type { SeriesRegistry } from './series-registry.ts';

/**
 * Turns one collection cycle into a columnar SampleBatch with the next sequence number.
 * Collectors write into it as a {@link SampleSink} between begin() and finish(): series ids
 * and values go into two reused typed columns, so a cycle allocates one batch, not a Sample
 * object and a series key per point.
 */
export class BatchBuilder implements SampleSink {
  private sequence: bigint;
  private ids = new Uint32Array(4_096);
  private values = new Float64Array(4_096);
  private n = 0;
  droppedSeries = 0;

  /** `lastSequence`: where an earlier run of the same epoch stopped; the next batch gets lastSequence + 1. */
  constructor(
    private readonly registry: SeriesRegistry,
    lastSequence = 0n,
  ) {
    this.sequence = lastSequence;
  }

  get lastSequence(): bigint {
    return this.sequence;
  }

  /** Handles are registry ids: they stay valid as long as this registry is the one in use. */
  get scope(): object {
    return this.registry;
  }

  /** Moves past sequences the hub already has (it knows more than a state file that lost its tail). */
  skipTo(sequence: bigint): void {
    if (sequence > this.sequence) this.sequence = sequence;
  }

  /** Starts a cycle: drops whatever an unfinished one left. */
  begin(): this {
    this.n = 0;
    return this;
  }

  handle(metric: string, labels: Record<string, string>, kind: SampleKind, unit: string): number {
    return this.registry.handle(metric, labels, kind, unit) ?? 0;
  }

  push(handle: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (handle <= 0) {
      this.droppedSeries += 1;
      return;
    }
    if (this.n === this.ids.length) this.grow();
    this.ids[this.n] = handle;
    this.values[this.n] = value;
    this.n += 1;
  }

  add(s: Sample): void {
    // Checked before the lookup so a non-finite reading never defines a series.
    if (!Number.isFinite(s.value)) return;
    this.push(this.handle(s.metric, s.labels, s.kind, s.unit), s.value);
  }

  /** The cycle's batch with the next sequence, or null (no sequence used) when it has no points. */
  finish(timeMs: number): SampleBatch | null {
    const n = this.n;
    this.n = 0;
    if (n === 0) return null;
    this.sequence += 1n;
    const seriesIds = new Array<number>(n);
    const values = new Array<number>(n);
    const ids = this.ids;
    const vals = this.values;
    for (let i = 0; i < n; i++) {
      seriesIds[i] = ids[i] as number;
      values[i] = vals[i] as number;
    }
    // The message as create(SampleBatchSchema, …) makes it (a proto3 message is a plain object;
    // batch-builder.test.ts checks they are equal). Written out because create() is generic: the
    // JIT inlined it here and spent ~18 ms compiling this once-per-cycle function on every agent.
    return {
      $typeName: 'ballast.v1.SampleBatch',
      sequence: this.sequence,
      baseTimeMs: BigInt(timeMs),
      seriesIds,
      timeOffsetsMs: new Array<number>(n).fill(0),
      values,
    };
  }

  /** One cycle from Sample objects (collectors without a fast path, tests). */
  build(samples: Sample[], timeMs: number): SampleBatch | null {
    this.begin();
    for (const s of samples) this.add(s);
    return this.finish(timeMs);
  }

  private grow(): void {
    const ids = new Uint32Array(this.ids.length * 2);
    ids.set(this.ids);
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.ids = ids;
    this.values = values;
  }
}
