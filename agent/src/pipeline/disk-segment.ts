import { type FileHandle, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type SampleBatch, SampleBatchSchema } from '@ballast/proto';
import { fromBinary } from '@bufbuild/protobuf';
import { AckLog } from './disk-segment-acks.ts';
import { FRAME_HEADER_BYTES, frameBodyAt } from './record-file.ts';
import { encodeSampleBatch } from './sample-batch-codec.ts';

/** One segment file of the disk buffer and what the store tracks about it. */
export interface Segment {
  id: number;
  path: string;
  /** Bytes of whole records in the segment file (its ack log counts separately). */
  recordBytes: number;
  acks: AckLog;
  /** Sequences in this segment not acked yet. */
  live: Set<bigint>;
  /** Open for appends while active; closed once sealed and no fdatasync is running on it. */
  fd: number | null;
  sealed: boolean;
  syncing: number;
}

/** `seg-<12-digit id>.log` with `.ack` beside it: names sort in id order. */
export function newSegment(dir: string, id: number): Segment {
  const base = join(dir, `seg-${String(id).padStart(12, '0')}`);
  return { id, path: `${base}.log`, recordBytes: 0, acks: new AckLog(`${base}.ack`), live: new Set(), fd: null, sealed: false, syncing: 0 };
}

export const SEGMENT_FILE = /^seg-(\d+)\.log$/;

/**
 * Record body: [u64 epoch][u64 sequence][u32 points][SampleBatch protobuf]. The header lets
 * open() index a segment without decoding a single batch.
 */
export const BODY_HEADER_BYTES = 20;

export function encodeBatchRecord(epoch: bigint, batch: SampleBatch): Buffer {
  // [frame header][body header][SampleBatch], encoded in place: the batch is not copied again.
  const frame = encodeSampleBatch(batch, FRAME_HEADER_BYTES + BODY_HEADER_BYTES);
  frame.writeBigUInt64LE(epoch, FRAME_HEADER_BYTES);
  frame.writeBigUInt64LE(batch.sequence, FRAME_HEADER_BYTES + 8);
  frame.writeUInt32LE(batch.values.length, FRAME_HEADER_BYTES + 16);
  const body = frame.subarray(FRAME_HEADER_BYTES);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  return frame;
}

export function recordHeader(body: Buffer): { epoch: bigint; sequence: bigint; points: number } | null {
  if (body.length < BODY_HEADER_BYTES) return null;
  return { epoch: body.readBigUInt64LE(0), sequence: body.readBigUInt64LE(8), points: body.readUInt32LE(16) };
}

/**
 * Reads single records back for a replay, keeping one segment open at a time. An open
 * handle still reads a segment that is deleted meanwhile (acked or dropped during the replay).
 */
export class SegmentReader {
  private current: { segment: Segment; fh: FileHandle } | null = null;

  /** The batch at (offset, length), or null when it fails its checksum or is not `sequence`. Throws ENOENT if the file is gone. */
  async read(segment: Segment, offset: number, length: number, sequence: bigint): Promise<SampleBatch | null> {
    if (this.current?.segment !== segment) {
      await this.close();
      this.current = { segment, fh: await openFile(segment.path, 'r') };
    }
    const frame = Buffer.alloc(length);
    await this.current.fh.read(frame, 0, length, offset);
    const body = frameBodyAt(frame, 0);
    const header = body && recordHeader(body);
    if (!body || header?.sequence !== sequence) return null;
    return fromBinary(SampleBatchSchema, body.subarray(BODY_HEADER_BYTES));
  }

  async close(): Promise<void> {
    const fh = this.current?.fh;
    this.current = null;
    await fh?.close();
  }
}
