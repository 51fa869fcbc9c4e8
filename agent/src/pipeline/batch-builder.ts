import { type SampleBatch, SampleBatchSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { Sample } from '../collectors/collector.ts';
import type { SeriesRegistry } from './series-registry.ts';

/** Turns one collection cycle into a columnar SampleBatch with the next sequence number. */
export class BatchBuilder {
  private sequence: bigint;
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

  /** Moves past sequences the hub already has (it knows more than a state file that lost its tail). */
  skipTo(sequence: bigint): void {
    if (sequence > this.sequence) this.sequence = sequence;
  }

  build(samples: Sample[], timeMs: number): SampleBatch | null {
    const seriesIds: number[] = [];
    const values: number[] = [];
    for (const s of samples) {
      if (!Number.isFinite(s.value)) continue;
      const id = this.registry.idOf(s);
      if (id === undefined) {
        this.droppedSeries += 1;
        continue;
      }
      seriesIds.push(id);
      values.push(s.value);
    }
    if (seriesIds.length === 0) return null;
    this.sequence += 1n;
    return create(SampleBatchSchema, {
      sequence: this.sequence,
      baseTimeMs: BigInt(timeMs),
      seriesIds,
      timeOffsetsMs: new Array<number>(seriesIds.length).fill(0),
      values,
    });
  }
}
