import { closeSync, openSync, readSync } from 'node:fs';

// One buffer for every read: cgroup files are small, and the collector reads them one at a time.
const buffer = Buffer.allocUnsafe(64 * 1024);

/** Errors that mean "this file is not offered here" (no such cgroup, controller off, PSI disabled). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'EOPNOTSUPP', 'ENXIO']);

/**
 * Reads a small kernel file synchronously, or returns undefined when it does not exist.
 * Synchronous on purpose: on this machine kind 2,000 cgroup reads cost ~30 ms of CPU this
 * way and ~250 ms through fs/promises (thread-pool hops and promises per open/read/close),
 * which alone would break the collector's CPU budget. Callers bound the event-loop pause by
 * yielding between batches of containers. Other errors (EACCES, EIO) are thrown.
 */
export function readText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  try {
    let text = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return text;
      text += buffer.toString('latin1', 0, n);
    }
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  } finally {
    closeSync(fd);
  }
}

export function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && MISSING.has((err as NodeJS.ErrnoException).code ?? '');
}
