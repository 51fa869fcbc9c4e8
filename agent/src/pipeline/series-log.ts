import { closeSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { type SeriesDefinition, SeriesDefinitionSchema } from '@ballast/proto';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { encodeFrame, type FsyncPolicy, scanFrames, syncIf, writeFully } from './record-file.ts';

/**
 * The series dictionary on disk: one framed SeriesDefinition per record, appended as series
 * appear. Buffered batches carry agent-local series ids, so after a restart the registry
 * must give every id the meaning it had when those batches were written.
 */
export class SeriesLog {
  private fd: number | null = null;
  /** Appended since the last sync. */
  private unsynced = false;
  /** Torn or out-of-order records found on load (the file is cut back to the last good one). */
  corruptRecords = 0;

  constructor(
    private readonly path: string,
    private readonly policy: FsyncPolicy,
  ) {}

  /** Reads every definition (ids 1..n in order) and opens the file for appends; `reset` starts it empty. */
  open(reset: boolean): SeriesDefinition[] {
    const defs: SeriesDefinition[] = [];
    let buf: Buffer = Buffer.alloc(0);
    try {
      if (!reset) buf = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const scan = scanFrames(buf);
    let keep = 0;
    for (const f of scan.frames) {
      let def: SeriesDefinition;
      try {
        def = fromBinary(SeriesDefinitionSchema, f.body);
      } catch {
        break;
      }
      // Ids are positions: a gap would shift every later id's meaning, so stop at one.
      if (def.id !== defs.length + 1) break;
      defs.push(def);
      keep = f.offset + f.length;
    }
    if (keep < buf.length) this.corruptRecords += 1;
    this.fd = openSync(this.path, reset ? 'w' : 'a');
    if (keep < buf.length) truncateSync(this.path, keep);
    // An emptied or cut file is synced by the next sync(), like an append.
    if (reset || keep < buf.length) this.unsynced = true;
    return defs;
  }

  /**
   * Appends before any batch can refer to the new id: written at once (a process crash loses
   * nothing), synced by sync() — which the agent calls before it stores a batch, so under
   * `interval` and `always` every definition a stored batch uses is on the device first. A
   * lost definition would make the hub reject every replayed batch that uses it. One sync
   * per cycle rather than per definition: the first cycle of a 110-pod node defines ~3,000.
   */
  append(def: SeriesDefinition): void {
    if (this.fd === null) throw new Error('series log is not open');
    writeFully(this.fd, encodeFrame(toBinary(SeriesDefinitionSchema, def)));
    this.unsynced = true;
  }

  /** Forces appended definitions to the device (per the policy); a no-op when none are pending. */
  sync(): void {
    if (this.fd === null || !this.unsynced) return;
    syncIf(this.policy, this.fd);
    this.unsynced = false;
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }
}
