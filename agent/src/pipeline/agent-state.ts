import { closeSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
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

interface StateFile {
  version: 1;
  epoch: string;
  lastSequence: string;
}

/**
 * `state.json` (epoch and last sequence, replaced atomically by rename) plus `series.log`.
 * Each sequence is recorded when handed out; under `interval` and `always` the file and its
 * directory entry are synced then too, because after a power cut a sequence handed out
 * again would be dropped by the hub as a duplicate of data it already stored. One small
 * write and sync per collection interval.
 */
export class FileAgentState implements AgentState {
  readonly kind = 'file';
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly policy: FsyncPolicy,
    readonly epoch: bigint,
    public lastSequence: bigint,
    readonly series: readonly SeriesDefinition[],
    private readonly log: SeriesLog,
    /** True when no readable state.json was found and a new epoch began. */
    readonly fresh: boolean,
  ) {}

  /**
   * Loads or creates the state in `dir`. Without a readable state.json the series log is
   * started empty too: its ids belonged to the lost epoch.
   */
  static open(dir: string, policy: FsyncPolicy, nowMs: number): FileAgentState {
    mkdirSync(dir, { recursive: true });
    const saved = readState(join(dir, 'state.json'));
    const log = new SeriesLog(join(dir, 'series.log'), policy);
    const series = log.open(saved === null);
    const state = new FileAgentState(
      dir,
      policy,
      saved ? BigInt(saved.epoch) : newEpoch(nowMs),
      saved ? BigInt(saved.lastSequence) : 0n,
      series,
      log,
      saved === null,
    );
    if (!saved) state.write();
    return state;
  }

  get corruptRecords(): number {
    return this.log.corruptRecords;
  }

  recordSequence(sequence: bigint): void {
    if (sequence <= this.lastSequence) return;
    this.lastSequence = sequence;
    this.write();
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
  }

  private write(): void {
    const file: StateFile = { version: 1, epoch: this.epoch.toString(), lastSequence: this.lastSequence.toString() };
    const tmp = join(this.dir, 'state.json.tmp');
    const fd = openSync(tmp, 'w');
    try {
      writeFully(fd, Buffer.from(`${JSON.stringify(file)}\n`));
      syncIf(this.policy, fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, 'state.json'));
    if (this.policy !== 'never') fsyncDir(this.dir);
  }
}

function readState(path: string): StateFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StateFile>;
    if (parsed.version !== 1 || !/^\d+$/.test(String(parsed.epoch)) || !/^\d+$/.test(String(parsed.lastSequence))) return null;
    if (BigInt(parsed.epoch as string) === 0n) return null;
    return parsed as StateFile;
  } catch {
    return null;
  }
}
