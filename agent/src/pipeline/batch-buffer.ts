import type { SampleBatch } from '@ballast/proto';
import { type BatchStore, liveReplay } from './batch-store.ts';

/**
 * Heap bytes one buffered point costs: measured ~26 B (series id and time offset as small
 * integers, the value as a double, in JS arrays) for 4,000-point batches; 32 leaves room for
 * array slack and the batch object.
 */
export const HEAP_BYTES_PER_POINT = 32;

/**
 * The in-memory {@link BatchStore}: lost on restart, used when no buffer directory is set.
 * Bounded by points: when full, the oldest batch goes first and is counted, never silently.
 */
export class BatchBuffer implements BatchStore {
  readonly kind = 'memory';
  private readonly batches = new Map<bigint, SampleBatch>();
  private points = 0;
  droppedBatches = 0;
  droppedPoints = 0;
  readonly corruptRecords = 0;
  highestSequence = 0n;

  constructor(private readonly maxPoints: number) {}

  async open(): Promise<void> {}

  add(batch: SampleBatch): void {
    this.remove(batch.sequence);
    this.batches.set(batch.sequence, batch);
    this.points += batch.values.length;
    if (batch.sequence > this.highestSequence) this.highestSequence = batch.sequence;
    while (this.points > this.maxPoints && this.batches.size > 1) {
      const points = this.shedOldest();
      if (points === undefined) break;
      this.droppedBatches += 1;
      this.droppedPoints += points;
    }
  }

  remove(sequence: bigint): boolean {
    const b = this.batches.get(sequence);
    if (!b) return false;
    this.batches.delete(sequence);
    this.points -= b.values.length;
    return true;
  }

  removeUpTo(sequence: bigint): number {
    let n = 0;
    for (const seq of [...this.batches.keys()]) {
      if (seq <= sequence && this.remove(seq)) n += 1;
    }
    return n;
  }

  /**
   * Removes the oldest batch and returns its point count (undefined when empty). The caller
   * counts it: the size bound counts drops, the memory limiter counts sheds.
   */
  shedOldest(): number | undefined {
    const [oldest] = this.batches.values();
    if (!oldest) return undefined;
    this.remove(oldest.sequence);
    return oldest.values.length;
  }

  sequences(): bigint[] {
    // Map iteration is insertion order, and batches are added in sequence order.
    return [...this.batches.keys()];
  }

  /** Every held batch, in sequence order, without copying them. */
  pending(): SampleBatch[] {
    return [...this.batches.values()];
  }

  replay(): AsyncIterable<SampleBatch> {
    return liveReplay(
      () => this.sequences(),
      (seq) => this.batches.get(seq),
    );
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  get size(): number {
    return this.batches.size;
  }

  get pointCount(): number {
    return this.points;
  }

  get bytes(): number {
    return this.points * HEAP_BYTES_PER_POINT;
  }
}
