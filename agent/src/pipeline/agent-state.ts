import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SeriesDefinition } from '@ballast/proto';
import { type FsyncPolicy, fsyncDir, syncIf, writeFully } from './record-file.ts';
import { SeriesLog } from './series-log.ts';

/**
 * What identifies this agent's sequence space and gives its series ids their meaning. With
 * a disk buffer it must outlive the process: replayed batches keep their (epoch, sequence),
 * which the hub dedupes on, and their series ids, which the dictionary resolves.
 */
export interface AgentState {
  readonly kind: 'memory' | 'file';
  readonly epoch: bigint;
  /** Highest sequence handed out so far; the next batch gets lastSequence + 1. */
  readonly lastSequence: bigint;
  /** Series defined by earlier runs, ids 1..n in order. */
  readonly series: readonly SeriesDefinition[];
  /** Call once the batch carrying `sequence` is in the store and before it is sent, so no sequence is handed out twice. */
  recordSequence(sequence: bigint): void;
  /** Call when a series is defined, before any batch carrying its id is stored. */
  recordSeries(def: SeriesDefinition): void;
  /** Makes the series recorded so far durable (per the fsync policy); call before storing a batch that may use them. */
  syncSeries(): void;
  /** Torn records found on load. */
  readonly corruptRecords: number;
  close(): Promise<void>;
}

/** A fresh epoch per call: wall-clock milliseconds with three random digits, so two agents starting together differ. */
export function newEpoch(nowMs: number): bigint {
  return BigInt(nowMs) * 1000n + BigInt(Math.floor(Math.random() * 1000));
}

/** Lives as long as the process: every restart is a new epoch whose sequences start at 1. */
export class MemoryAgentState implements AgentState {
  readonly kind = 'memory';
  readonly series: readonly SeriesDefinition[] = [];
  readonly corruptRecords = 0;
  lastSequence = 0n;

  constructor(readonly epoch: bigint) {}

  recordSequence(sequence: bigint): void {
    if (sequence > this.lastSequence) this.lastSequence = sequence;
  }

  recordSeries(): void {}

  syncSeries(): void {}

  async close(): Promise<void> {}
}

/**
 * `state.bin`: the epoch and last sequence in two checksummed slots, 4 KiB apart (each in a
 * page and disk sectors of its own), written alternately. A record overwrites the older slot
 * in place with one pwrite and, under `interval` and `always`, one fdatasync on a descriptor
 * kept open; the newer slot is not touched, so whatever a power cut does to the slot being
 * written, the newest valid slot on load is either the new record or the one before it, and
 * the new one only if its write completed. The file's size and blocks are fixed when it is
 * created (tmp file, sync, rename, directory sync), so fdatasync has no metadata to write.
 *
 *   slot: [u32 magic][u32 version][u64 generation][u64 epoch][u64 lastSequence][u32 crc32 of the 32 bytes before]
 *
 * The slot of generation g is g % 2; the valid slot with the higher generation wins.
 */
export const STATE_FILE = 'state.bin';
/** The earlier format (JSON, replaced by rename on every record): read once on upgrade, then removed. */
export const LEGACY_STATE_FILE = 'state.json';
export const STATE_SLOT_STRIDE = 4096;
export const STATE_SLOT_BYTES = 36;
const STATE_FILE_BYTES = 2 * STATE_SLOT_STRIDE;
const SLOT_MAGIC = 0x42_53_54_41; // the bytes "ATSB" as written (little-endian)
const SLOT_VERSION = 1;
const SLOT_CHECKED_BYTES = 32;

export interface StateSlot {
  generation: bigint;
  epoch: bigint;
  lastSequence: bigint;
}

/** One slot's bytes (STATE_SLOT_BYTES), written into `out` when given. */
export function encodeStateSlot(slot: StateSlot, out: Buffer = Buffer.alloc(STATE_SLOT_BYTES)): Buffer {
  out.writeUInt32LE(SLOT_MAGIC, 0);
  out.writeUInt32LE(SLOT_VERSION, 4);
  out.writeBigUInt64LE(slot.generation, 8);
  out.writeBigUInt64LE(slot.epoch, 16);
  out.writeBigUInt64LE(slot.lastSequence, 24);
  out.writeUInt32LE(crc32(out.subarray(0, SLOT_CHECKED_BYTES)), SLOT_CHECKED_BYTES);
  return out;
}

/** The slot at `index` (0 or 1) of a state file's bytes, or null when it is torn, zeroed or not a slot. */
export function decodeStateSlot(file: Buffer, index: 0 | 1): StateSlot | null {
  const at = index * STATE_SLOT_STRIDE;
  if (file.length < at + STATE_SLOT_BYTES) return null;
  const b = file.subarray(at, at + STATE_SLOT_BYTES);
  if (b.readUInt32LE(0) !== SLOT_MAGIC || b.readUInt32LE(4) !== SLOT_VERSION) return null;
  if (crc32(b.subarray(0, SLOT_CHECKED_BYTES)) !== b.readUInt32LE(SLOT_CHECKED_BYTES)) return null;
  const slot = { generation: b.readBigUInt64LE(8), epoch: b.readBigUInt64LE(16), lastSequence: b.readBigUInt64LE(24) };
  // A slot holds only the generations of its parity; epoch 0 is never made.
  if (slot.generation === 0n || Number(slot.generation % 2n) !== index || slot.epoch === 0n) return null;
  return slot;
}

/** The newest valid slot of a state file's bytes; null when neither slot is valid. */
export function newestStateSlot(file: Buffer): StateSlot | null {
  const a = decodeStateSlot(file, 0);
  const b = decodeStateSlot(file, 1);
  if (!a || !b) return a ?? b;
  return a.generation > b.generation ? a : b;
}

/**
 * `state.bin` (see {@link STATE_FILE}) plus `series.log`. Each sequence is recorded when handed
 * out; under `interval` and `always` it is synced then too, because after a power cut a
 * sequence handed out again would be dropped by the hub as a duplicate of data it already
 * stored. One 36-byte pwrite and one fdatasync per collection interval.
 */
export class FileAgentState implements AgentState {
  readonly kind = 'file';
  private closed = false;
  private readonly slot = Buffer.alloc(STATE_SLOT_BYTES);

  private constructor(
    private readonly policy: FsyncPolicy,
    readonly epoch: bigint,
    public lastSequence: bigint,
    private generation: bigint,
    private readonly fd: number,
    readonly series: readonly SeriesDefinition[],
    private readonly log: SeriesLog,
    /** True when no readable state was found and a new epoch began. */
    readonly fresh: boolean,
  ) {}

  /**
   * Loads or creates the state in `dir`. Without a readable state the series log is started
   * empty too: its ids belonged to the lost epoch. A directory of an earlier version (state.json)
   * is carried over: same epoch, sequence and series.
   */
  static open(dir: string, policy: FsyncPolicy, nowMs: number): FileAgentState {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, STATE_FILE);
    const file = readIfExists(path);
    // state.json counts only while state.bin does not exist: once it does, it is newer (an
    // unreadable state.bin is a lost state, as an unreadable state.json was).
    const saved: StateSlot | null = file ? newestStateSlot(file) : legacyState(join(dir, LEGACY_STATE_FILE));
    const log = new SeriesLog(join(dir, 'series.log'), policy);
    const series = log.open(saved === null);
    // The emptied series log is on the device before a new epoch is.
    log.sync();
    const epoch = saved ? saved.epoch : newEpoch(nowMs);
    const lastSequence = saved ? saved.lastSequence : 0n;
    let generation = saved ? saved.generation : 0n;
    if (!saved || !file) {
      // A new file, complete before it takes the name: a crash leaves the old state or the new one.
      generation += 1n;
      const buf = Buffer.alloc(STATE_FILE_BYTES);
      encodeStateSlot({ generation, epoch, lastSequence }, buf.subarray(Number(generation % 2n) * STATE_SLOT_STRIDE));
      const tmp = `${path}.tmp`;
      const tfd = openSync(tmp, 'w');
      try {
        writeFully(tfd, buf);
        syncIf(policy, tfd);
      } finally {
        closeSync(tfd);
      }
      renameSync(tmp, path);
      if (policy !== 'never') fsyncDir(dir);
    }
    // Removed only once state.bin is durable; left over (a crash in between), it is ignored.
    for (const old of [LEGACY_STATE_FILE, `${LEGACY_STATE_FILE}.tmp`]) rmSync(join(dir, old), { force: true });
    const fd = openSync(path, 'r+');
    return new FileAgentState(policy, epoch, lastSequence, generation, fd, series, log, saved === null);
  }

  get corruptRecords(): number {
    return this.log.corruptRecords;
  }

  recordSequence(sequence: bigint): void {
    if (sequence <= this.lastSequence) return;
    if (this.closed) throw new Error('agent state is closed');
    this.lastSequence = sequence;
    this.generation += 1n;
    const slot = encodeStateSlot({ generation: this.generation, epoch: this.epoch, lastSequence: sequence }, this.slot);
    const at = Number(this.generation % 2n) * STATE_SLOT_STRIDE;
    let done = 0;
    while (done < slot.length) done += writeSync(this.fd, slot, done, slot.length - done, at + done);
    syncIf(this.policy, this.fd);
  }

  recordSeries(def: SeriesDefinition): void {
    this.log.append(def);
  }

  syncSeries(): void {
    this.log.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.close();
    closeSync(this.fd);
  }
}

function readIfExists(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

interface LegacyStateFile {
  version: 1;
  epoch: string;
  lastSequence: string;
}

/** An earlier version's state.json as a slot of generation 0 (the next record is 1), or null when absent or unreadable. */
function legacyState(path: string): StateSlot | null {
  const text = readIfExists(path)?.toString('utf8');
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as Partial<LegacyStateFile>;
    if (parsed.version !== 1 || !/^\d+$/.test(String(parsed.epoch)) || !/^\d+$/.test(String(parsed.lastSequence))) return null;
    const epoch = BigInt(parsed.epoch as string);
    const lastSequence = BigInt(parsed.lastSequence as string);
    if (epoch === 0n || epoch >= 2n ** 64n || lastSequence >= 2n ** 64n) return null;
    return { generation: 0n, epoch, lastSequence };
  } catch {
    return null;
  }
}
