import { closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * Framing shared by the agent's append-only files (batch segments, ack logs, the series log):
 * `[u32 LE body length][u32 LE crc32(body)][body]`. A crash mid-write leaves a short or
 * mismatching last frame; {@link scanFrames} stops there so the caller can count it and
 * truncate the file back to the last whole record.
 */
export const FRAME_HEADER_BYTES = 8;

export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

export interface Frame {
  /** Where the frame (header included) starts in the scanned buffer. */
  offset: number;
  /** Frame length, header included. */
  length: number;
  body: Buffer;
}

export interface ScanResult {
  frames: Frame[];
  /** Bytes up to the end of the last whole, checksum-valid frame. */
  validEnd: number;
  /** True when bytes after `validEnd` are not a whole valid frame (a torn or corrupt tail). */
  torn: boolean;
}

export function scanFrames(buf: Buffer): ScanResult {
  const frames: Frame[] = [];
  let at = 0;
  while (at < buf.length) {
    const body = frameBodyAt(buf, at);
    if (!body) return { frames, validEnd: at, torn: true };
    frames.push({ offset: at, length: FRAME_HEADER_BYTES + body.length, body });
    at += FRAME_HEADER_BYTES + body.length;
  }
  return { frames, validEnd: at, torn: false };
}

/** The body of the frame at `at`, or null when it is cut short or fails its checksum. */
export function frameBodyAt(buf: Buffer, at: number): Buffer | null {
  if (buf.length - at < FRAME_HEADER_BYTES) return null;
  const length = buf.readUInt32LE(at);
  // Zero-length bodies are never written, and a zero-filled tail (what some file systems
  // leave after a power cut) would otherwise pass as one: crc32 of nothing is 0.
  if (length === 0 || length > buf.length - at - FRAME_HEADER_BYTES) return null;
  const body = buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
  return crc32(body) === buf.readUInt32LE(at + 4) ? body : null;
}

/** Writes all of `buf` at the fd's position (writeSync may write less than asked). */
export function writeFully(fd: number, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
}

/** Makes a directory entry change (create, rename, unlink) durable across a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * When data is forced to the device. A process crash (even SIGKILL) loses nothing under any
 * policy: every write is handed to the kernel before `add` returns. The policy only decides
 * what a power cut or kernel panic may lose:
 * - `always`: nothing that was added (fdatasync per write; slow disks feel it).
 * - `interval` (default): at most the last `fsyncIntervalMs` of writes; segments are
 *   fdatasynced when they roll, so only the active segment's tail is at risk.
 * - `never`: whatever the kernel had not yet written back (tests, tmpfs).
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export function syncIf(policy: FsyncPolicy, fd: number): void {
  if (policy !== 'never') fdatasyncSync(fd);
}
