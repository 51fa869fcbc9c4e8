import type { SequenceProgress } from '../store/metrics-store.ts';

/**
 * What the hub knows of one agent epoch's sequence space: which batches are durably
 * handled (stored or rejected) and which are being stored right now. Shared by every
 * stream of that agent, so a batch re-sent on a new stream while the old insert is still
 * running is not stored twice.
 */
export class SequenceLedger {
  private contiguous: bigint;
  private readonly above = new Set<bigint>();
  private readonly pending = new Map<bigint, Promise<void>>();

  constructor(progress: SequenceProgress) {
    this.contiguous = progress.contiguous;
    for (const s of progress.above) this.above.add(s);
    this.compact();
  }

  /** Highest sequence below which everything is done. */
  get watermark(): bigint {
    return this.contiguous;
  }

  isDone(seq: bigint): boolean {
    return seq <= this.contiguous || this.above.has(seq);
  }

  pendingFor(seq: bigint): Promise<void> | undefined {
    return this.pending.get(seq);
  }

  track(seq: bigint, work: Promise<void>): Promise<void> {
    const tracked = work.then(
      () => {
        this.pending.delete(seq);
        this.markDone(seq);
      },
      (err: unknown) => {
        this.pending.delete(seq);
        throw err;
      },
    );
    this.pending.set(seq, tracked);
    return tracked;
  }

  markDone(seq: bigint): void {
    if (seq <= this.contiguous) return;
    this.above.add(seq);
    this.compact();
  }

  private compact(): void {
    while (this.above.has(this.contiguous + 1n)) {
      this.contiguous += 1n;
      this.above.delete(this.contiguous);
    }
  }
}
