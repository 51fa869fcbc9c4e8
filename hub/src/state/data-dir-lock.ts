import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MetadataStoreError } from './metadata-store-error.ts';

export const LOCK_FILE = 'ballast-hub.lock';

export interface DataDirLock {
  /** Removes the lock file if it is still ours; safe twice. */
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Lock files this process holds: a second open in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * Claims `dir` for this process with a lock file holding its PID. PGlite keeps no lock of
 * its own, and two processes writing one data directory corrupt it. A lock whose PID is
 * gone is stale (the holder crashed) and is taken over; so is one naming this very PID
 * but not held here (a container restarted with the same PID). Two processes taking over
 * the same stale lock at the same instant could both win: crashes are rare, that race rarer.
 * @throws MetadataStoreError `locked`, naming the directory and the other PID.
 */
export function lockDataDir(dir: string, flagHint: string): DataDirLock {
  const file = resolve(join(dir, LOCK_FILE));
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(me)}\n`);
    try {
      // link() fails if the name exists: the lock appears atomically, already holding our PID.
      linkSync(temp, file);
      heldHere.add(file);
      return { release: () => release(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
    const holder = readHolder(file);
    if (holder && (heldHere.has(file) || (holder.pid !== process.pid && isAlive(holder.pid)))) {
      const who = holder.pid === process.pid ? `this process (PID ${holder.pid})` : `another process (PID ${holder.pid} on ${holder.host})`;
      throw new MetadataStoreError(
        'locked',
        `the metadata data directory ${dir} is in use by ${who} since ${holder.since}: PGlite allows one process per data directory. ` +
          `Stop the other hub, or set ${flagHint} to another directory. If PID ${holder.pid} is not a hub, delete ${file}.`,
      );
    }
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new MetadataStoreError(
    'locked',
    `could not lock the metadata data directory ${dir}: ${file} keeps changing (another hub starting?)`,
  );
}

function release(file: string): void {
  if (!heldHere.delete(file)) return;
  if (readHolder(file)?.pid === process.pid) unlinkSync(file);
}

/** The lock's holder; null when the file is gone or unreadable (then it is stale). */
function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, host: String(parsed.host), since: String(parsed.since) } : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
