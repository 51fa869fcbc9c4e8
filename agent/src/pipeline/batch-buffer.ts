import type { SampleBatch } from '@ballast/proto';

/**
 * Batches the hub has not acked yet, oldest first. Bounded by points: when full, the oldest
 * batch goes first and is counted, never silently. (A disk-backed buffer replaces this in
 * the agent issue; the contract stays.)
 */
export class BatchBuffer {
  private readonly batches = new Map<bigint, SampleBatch>();
  private points = 0;
  droppedBatches = 0;
  droppedPoints = 0;

  constructor(private readonly maxPoints: number) {}

  add(batch: SampleBatch): void {
    this.remove(batch.sequence);
    this.batches.set(batch.sequence, batch);
    this.points += batch.values.length;
    while (this.points > this.maxPoints && this.batches.size > 1) {
      const [oldest] = this.batches.keys();
      const dropped = this.remove(oldest as bigint);
      if (dropped) {
        this.droppedBatches += 1;
        this.droppedPoints += dropped.values.length;
      }
    }
  }

  remove(sequence: bigint): SampleBatch | undefined {
    const b = this.batches.get(sequence);
    if (!b) return undefined;
    this.batches.delete(sequence);
    this.points -= b.values.length;
    return b;
  }

  /** Removes every batch with sequence <= `sequence`; returns how many. */
  removeUpTo(sequence: bigint): number {
    let n = 0;
    for (const seq of [...this.batches.keys()]) {
      if (seq <= sequence && this.remove(seq)) n += 1;
    }
    return n;
  }

  /** In sequence order (insertion order is sequence order). */
  pending(): SampleBatch[] {
    return [...this.batches.values()];
  }

  get size(): number {
    return this.batches.size;
  }

  get pointCount(): number {
    return this.points;
  }
}
