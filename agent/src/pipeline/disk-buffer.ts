import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SampleBatch } from '@ballast/proto';
import { type BatchStore, liveReplay } from './batch-store.ts';
import { encodeBatchRecord, newSegment, recordHeader, SEGMENT_FILE, type Segment, SegmentReader } from './disk-segment.ts';
import { type FsyncPolicy, fsyncDir, scanFrames, syncIf, writeFully } from './record-file.ts';

/**
 * Default size bound, from the node this agent is built for:
 * - a 110-pod node at a 10 s interval: 110 pods × ~3 containers × ~12 series + ~100 node
 *   series ≈ 4,000 points per cycle;
 * - measured protobuf size: ~11 B/point (8 B double, 2 B series-id varint, 1 B offset);
 *   allow 14 B for series ids past 16,383 (3 B) and non-zero offsets (≤ 3 B)
 *   → 4,000 × 14 B + 28 B record header ≈ 56 KB per cycle;
 * - 30 minutes = 180 cycles → ~10 MB ≈ 9.6 MiB;
 * - plus one 4 MiB segment, since the bound drops whole segments: 13.6 MiB;
 * - ×2 headroom for denser nodes (more containers, more series per pod) → 27 MiB,
 *   rounded up to 32 MiB. Cheap on any node's disk.
 */
export const DEFAULT_BUFFER_MAX_MIB = 32;
export const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;

export interface DiskBatchStoreOptions {
  /** Segments go in `<dir>/batches`. */
  dir: string;
  /** Written into each record; records of another epoch found on open cannot be replayed and are dropped (counted). */
  epoch: bigint;
  maxBytes: number;
  /** Default: 4 MiB, or maxBytes / 4 when that is smaller, so one drop loses at most a quarter. */
  segmentBytes?: number;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
}

interface Entry {
  segment: Segment;
  offset: number;
  length: number;
  points: number;
}

const fdatasyncAsync = promisify(fdatasync);

/**
 * The on-disk {@link BatchStore}: append-only segment files of CRC-checked records, an ack
 * log per segment (so acked batches are not replayed after a restart), a segment deleted
 * once every batch in it is acked, and the oldest segment dropped (counted) when the size
 * bound is passed. Only an index (sequence → file offset) lives in memory.
 */
export class DiskBatchStore implements BatchStore {
  readonly kind = 'disk';
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly policy: FsyncPolicy;
  private segments: Segment[] = [];
  private active: Segment | null = null;
  private nextId = 1;
  private readonly index = new Map<bigint, Entry>();
  private points = 0;
  private totalBytes = 0;
  private state: 'new' | 'open' | 'closed' = 'new';
  private dirty = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  highestSequence = 0n;
  droppedBatches = 0;
  droppedPoints = 0;
  corruptRecords = 0;
  /** Bytes cut off torn or corrupt tails on open. */
  truncatedBytes = 0;
  flushErrors = 0;

  constructor(private readonly options: DiskBatchStoreOptions) {
    this.dir = join(options.dir, 'batches');
    this.segmentBytes = options.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.floor(options.maxBytes / 4));
    this.policy = options.fsync ?? 'interval';
  }

  /** Loads existing segments oldest first: truncates torn tails, applies ack logs, deletes fully acked segments. */
  async open(): Promise<void> {
    if (this.state !== 'new') return;
    mkdirSync(this.dir, { recursive: true });
    const ids = readdirSync(this.dir)
      .map((f) => SEGMENT_FILE.exec(f)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) this.load(id);
    this.nextId = (ids.at(-1) ?? 0) + 1;
    this.state = 'open';
    this.enforceBound();
  }

  add(batch: SampleBatch): void {
    if (this.state !== 'open') throw new Error(`disk buffer is ${this.state}; add needs open()`);
    const frame = encodeBatchRecord(this.options.epoch, batch);
    this.remove(batch.sequence);
    if (!this.active || (this.active.recordBytes > 0 && this.active.recordBytes + frame.length > this.segmentBytes)) this.roll();
    const seg = this.active as Segment;
    try {
      writeFully(seg.fd as number, frame);
    } catch (err) {
      // Cut a partial write off so the segment stays a run of whole records.
      try {
        ftruncateSync(seg.fd as number, seg.recordBytes);
      } catch {
        // the open-time scan truncates it instead
      }
      throw new Error(`disk buffer: writing batch ${batch.sequence} to ${seg.path} failed`, { cause: err });
    }
    this.index.set(batch.sequence, { segment: seg, offset: seg.recordBytes, length: frame.length, points: batch.values.length });
    seg.live.add(batch.sequence);
    seg.recordBytes += frame.length;
    this.totalBytes += frame.length;
    this.points += batch.values.length;
    if (batch.sequence > this.highestSequence) this.highestSequence = batch.sequence;
    if (this.policy === 'always') syncIf(this.policy, seg.fd as number);
    else if (this.policy === 'interval') this.scheduleFlush();
    this.enforceBound();
  }

  remove(sequence: bigint): boolean {
    const entry = this.index.get(sequence);
    if (!entry) return false;
    this.forget(sequence, entry);
    this.settle(entry.segment, [sequence]);
    return true;
  }

  removeUpTo(sequence: bigint): number {
    const bySegment = new Map<Segment, bigint[]>();
    for (const [seq, entry] of this.index) {
      if (seq > sequence) continue;
      this.forget(seq, entry);
      const list = bySegment.get(entry.segment) ?? [];
      list.push(seq);
      bySegment.set(entry.segment, list);
    }
    let n = 0;
    for (const [seg, seqs] of bySegment) {
      this.settle(seg, seqs);
      n += seqs.length;
    }
    return n;
  }

  sequences(): bigint[] {
    return [...this.index.keys()];
  }

  replay(): AsyncIterable<SampleBatch> {
    return this.replayFromDisk();
  }

  async flush(): Promise<void> {
    const seg = this.active;
    if (!seg || seg.fd === null || !this.dirty || this.policy === 'never') return;
    this.dirty = false;
    seg.syncing += 1;
    const done = fdatasyncAsync(seg.fd).finally(() => {
      seg.syncing -= 1;
      if (seg.sealed) this.closeFd(seg);
    });
    this.flushing = done;
    await done;
  }

  /** Fsyncs and closes the active segment, and closes the ack logs; safe before open and twice. */
  async close(): Promise<void> {
    if (this.state !== 'open') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flushing?.catch(() => undefined);
    const seg = this.active;
    this.active = null;
    if (seg) this.seal(seg, true);
    for (const s of this.segments) s.acks.close();
  }

  get size(): number {
    return this.index.size;
  }

  get pointCount(): number {
    return this.points;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private load(id: number): void {
    const seg = newSegment(this.dir, id);
    const buf = readFileSync(seg.path);
    const scan = scanFrames(buf);
    if (scan.torn) {
      this.corruptRecords += 1;
      this.truncatedBytes += buf.length - scan.validEnd;
      truncateSync(seg.path, scan.validEnd);
    }
    seg.recordBytes = scan.validEnd;
    for (const f of scan.frames) {
      const header = recordHeader(f.body);
      if (!header) {
        this.corruptRecords += 1;
        continue;
      }
      const { sequence: seq, points } = header;
      if (header.epoch !== this.options.epoch) {
        // Written under another epoch (the state file was lost): its sequences mean nothing to the hub now.
        this.droppedBatches += 1;
        this.droppedPoints += points;
        continue;
      }
      const old = this.index.get(seq);
      if (old) this.forget(seq, old);
      this.index.set(seq, { segment: seg, offset: f.offset, length: f.length, points });
      seg.live.add(seq);
      this.points += points;
      if (seq > this.highestSequence) this.highestSequence = seq;
    }
    const acks = seg.acks.load();
    this.corruptRecords += acks.corrupt;
    for (const seq of acks.sequences) {
      const entry = this.index.get(seq);
      if (entry?.segment === seg) this.forget(seq, entry);
    }
    this.totalBytes += seg.recordBytes + seg.acks.bytes;
    this.segments.push(seg);
    // Sealed on open: a restarted store appends to a new segment.
    seg.sealed = true;
    if (seg.live.size === 0) this.deleteSegment(seg, false);
  }

  private roll(): void {
    const old = this.active;
    if (old) {
      this.seal(old, true);
      if (old.live.size === 0) this.deleteSegment(old, false);
    }
    const seg = newSegment(this.dir, this.nextId++);
    seg.fd = openSync(seg.path, 'wx');
    if (this.policy !== 'never') fsyncDir(this.dir);
    this.segments.push(seg);
    this.active = seg;
  }

  private seal(seg: Segment, sync: boolean): void {
    seg.sealed = true;
    if (sync && seg.fd !== null) syncIf(this.policy, seg.fd);
    this.closeFd(seg);
  }

  private closeFd(seg: Segment): void {
    // An fdatasync still running on it closes it when done; closing now could hand its fd number to another file.
    if (seg.fd === null || seg.syncing > 0) return;
    closeSync(seg.fd);
    seg.fd = null;
  }

  private forget(seq: bigint, entry: Entry): void {
    this.index.delete(seq);
    entry.segment.live.delete(seq);
    this.points -= entry.points;
  }

  /** After `seqs` left the index: delete their segment when nothing in it is live, else log the acks. */
  private settle(seg: Segment, seqs: bigint[]): void {
    if (seg.live.size === 0 && seg !== this.active) {
      this.deleteSegment(seg, false);
      return;
    }
    const before = seg.acks.bytes;
    seg.acks.append(seqs);
    this.totalBytes += seg.acks.bytes - before;
  }

  private enforceBound(): void {
    while (this.totalBytes > this.options.maxBytes && this.segments.length > 1) {
      this.deleteSegment(this.segments[0] as Segment, true);
    }
  }

  /** Unlinks a segment and its ack log; `counted` when un-acked batches are lost (the size bound). */
  private deleteSegment(seg: Segment, counted: boolean): void {
    for (const seq of [...seg.live]) {
      const entry = this.index.get(seq);
      if (!entry) continue;
      this.forget(seq, entry);
      if (counted) {
        this.droppedBatches += 1;
        this.droppedPoints += entry.points;
      }
    }
    if (seg === this.active) this.active = null;
    this.seal(seg, false);
    this.totalBytes -= seg.recordBytes + seg.acks.bytes;
    unlinkSync(seg.path);
    seg.acks.remove();
    this.segments = this.segments.filter((s) => s !== seg);
  }

  private scheduleFlush(): void {
    this.dirty = true;
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush().catch(() => {
        this.flushErrors += 1;
      });
    }, this.options.fsyncIntervalMs ?? 1_000);
    this.flushTimer.unref();
  }

  /** Reads one record at a time, so replaying a long outage's backlog never loads it all. */
  private async *replayFromDisk(): AsyncGenerator<SampleBatch> {
    const reader = new SegmentReader();
    const read = async (seq: bigint): Promise<SampleBatch | undefined> => {
      const entry = this.index.get(seq);
      if (!entry) return undefined;
      let batch: SampleBatch | null;
      try {
        batch = await reader.read(entry.segment, entry.offset, entry.length, seq);
      } catch (err) {
        // Deleted (acked or dropped) while the read waited.
        if (!this.index.has(seq)) return undefined;
        throw err;
      }
      if (batch) return batch;
      // Damaged since it was written (the disk, not a crash): it can never be sent, so count it as lost.
      if (this.index.has(seq)) {
        this.corruptRecords += 1;
        this.droppedBatches += 1;
        this.droppedPoints += entry.points;
        this.remove(seq);
      }
      return undefined;
    };
    try {
      yield* liveReplay(() => this.sequences(), read);
    } finally {
      await reader.close();
    }
  }
}
