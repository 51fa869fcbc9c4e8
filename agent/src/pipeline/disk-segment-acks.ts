import { closeSync, openSync, readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { encodeFrame, scanFrames, writeFully } from './record-file.ts';

/**
 * The acks of one segment: an append-only file next to it, one CRC-checked frame per
 * `append` holding that call's sequences (u64 LE each), so `removeUpTo` over hundreds of
 * batches costs one write. It is deleted with its segment, so it never needs compacting.
 *
 * It is never fsynced on purpose: losing an ack (power cut) only means the batch is
 * replayed after the restart, and the hub drops it as a duplicate.
 *
 * Opened for appends at the first one and kept open until remove() or close(): an ack arrives
 * every collection, and appendFileSync (open, write, close by path) cost ~8x one write.
 */
export class AckLog {
  /** Bytes on disk. */
  bytes = 0;
  private fd: number | null = null;

  constructor(readonly path: string) {}

  /** Reads the file if there is one; a torn last frame is truncated and counted in `corrupt`. */
  load(): { sequences: bigint[]; corrupt: number } {
    let buf: Buffer;
    try {
      buf = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sequences: [], corrupt: 0 };
      throw err;
    }
    const scan = scanFrames(buf);
    if (scan.torn) truncateSync(this.path, scan.validEnd);
    this.bytes = scan.validEnd;
    const sequences: bigint[] = [];
    for (const f of scan.frames) {
      for (let at = 0; at + 8 <= f.body.length; at += 8) sequences.push(f.body.readBigUInt64LE(at));
    }
    return { sequences, corrupt: scan.torn ? 1 : 0 };
  }

  append(sequences: bigint[]): void {
    if (sequences.length === 0) return;
    const body = Buffer.allocUnsafe(sequences.length * 8);
    for (let i = 0; i < sequences.length; i++) body.writeBigUInt64LE(sequences[i] as bigint, i * 8);
    const frame = encodeFrame(body);
    this.fd ??= openSync(this.path, 'a');
    writeFully(this.fd, frame);
    this.bytes += frame.length;
  }

  /** Closes the file if it is open (it is opened again by the next append). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  remove(): void {
    this.close();
    try {
      unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.bytes = 0;
  }
}
