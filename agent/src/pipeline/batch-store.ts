import type { SampleBatch } from '@ballast/proto';

/**
 * Batches the hub has not acked yet, in sequence order. Two implementations pass one
 * contract suite (agent/test/pipeline/batch-store.contract.ts): {@link BatchBuffer} in
 * memory (lost on restart) and {@link DiskBatchStore} (survives a crash). Both are bounded
 * and drop the OLDEST data when full, counting it in `droppedBatches`/`droppedPoints`.
 *
 * Lifecycle: `open()` before `add`; `close()` flushes to disk and is safe before `open()`
 * and twice. Calls other than `open`/`close` are synchronous so a batch is in the store
 * before the agent hands it to the transport.
 */
export interface BatchStore {
  readonly kind: 'memory' | 'disk';
  open(): Promise<void>;
  /**
   * Keeps `batch` until removed. When this returns, the batch survives a crash of this
   * process (disk store). Re-adding a sequence replaces the old batch. Throws when the
   * store cannot write (disk full, I/O error); the store is unchanged then.
   */
  add(batch: SampleBatch): void;
  /** Forgets the batch with this sequence (acked or rejected); false when it is not held. */
  remove(sequence: bigint): boolean;
  /** Forgets every batch with sequence <= `sequence`; returns how many. */
  removeUpTo(sequence: bigint): number;
  /** Held sequences, oldest first. Cheap: no batch is read. */
  sequences(): bigint[];
  /**
   * Held batches in sequence order, read one at a time (the disk store never loads them
   * all). Live: batches added while iterating are yielded too, batches removed before
   * their turn are skipped, so a reconnecting transport can replay and then go live
   * without a gap.
   */
  replay(): AsyncIterable<SampleBatch>;
  /** Forces written batches to the device (see FsyncPolicy); a no-op in memory. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Highest sequence ever added or found on open (0 when none). */
  readonly highestSequence: bigint;
  readonly size: number;
  readonly pointCount: number;
  /** Bytes held (on disk for the disk store, an estimate of the heap for the memory one). */
  readonly bytes: number;
  /** Batches and points dropped, oldest first, because the store was full. */
  readonly droppedBatches: number;
  readonly droppedPoints: number;
  /** Torn or corrupt records found (and truncated) on open or when read back. */
  readonly corruptRecords: number;
}

/** Yields `get(seq)` for every held sequence in order, re-snapshotting `sequences()` so late adds are included. */
export async function* liveReplay(
  sequences: () => bigint[],
  get: (seq: bigint) => Promise<SampleBatch | undefined> | SampleBatch | undefined,
): AsyncGenerator<SampleBatch> {
  let last = -1n;
  for (;;) {
    const next = sequences().filter((s) => s > last);
    if (next.length === 0) return;
    for (const seq of next) {
      const batch = await get(seq);
      last = seq;
      if (batch) yield batch;
    }
  }
}
