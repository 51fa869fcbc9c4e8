import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import type { QueryResult, SqlParam } from './metadata-store.ts';
import { MetadataStoreError, toMetadataError } from './metadata-store-error.ts';
import type { DriverConnection, SqlDriver } from './sql-driver.ts';

export interface PgliteDriverOptions {
  /** Data directory; null keeps the database in memory (tests). */
  path: string | null;
  /** How the operator sets the path, for the lock error. Default `BALLAST_METADATA_PATH`. */
  pathHint?: string;
}

/**
 * PGlite runs PostgreSQL single-user inside this process: it has one connection, so
 * statements from concurrent callers would interleave into each other's transactions.
 * A queue hands the connection to one caller at a time.
 */
export async function openPgliteDriver(options: PgliteDriverOptions): Promise<SqlDriver> {
  const describe = options.path === null ? 'pglite:memory' : `pglite:${options.path}`;
  let lock: DataDirLock | null = null;
  if (options.path !== null) {
    try {
      mkdirSync(options.path, { recursive: true });
    } catch (err) {
      throw toMetadataError(err, `cannot create the metadata data directory ${options.path}`);
    }
    lock = lockDataDir(options.path, options.pathHint ?? 'BALLAST_METADATA_PATH');
  }
  let db: PGlite;
  try {
    db = await PGlite.create(options.path ?? undefined);
  } catch (err) {
    lock?.release();
    throw new MetadataStoreError('unavailable', `cannot open ${describe}: ${(err as Error).message}`, { cause: err });
  }
  return new PgliteDriver(db, describe, lock);
}

class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite';
  private queue: Promise<unknown> = Promise.resolve();
  private broken = false;

  constructor(
    private readonly db: PGlite,
    readonly describe: string,
    private readonly lock: DataDirLock | null,
  ) {}

  withConnection<T>(fn: (conn: DriverConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.broken)
        throw new MetadataStoreError('unavailable', `${this.describe} is in an unknown state after a failed ROLLBACK; restart the hub`);
      return fn(this.connection);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.withConnection(async () => undefined).catch(() => undefined);
    try {
      await this.db.close();
    } finally {
      this.lock?.release();
    }
  }

  private readonly connection: DriverConnection = {
    query: async <R>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<R>> => {
      const r = await this.db.query<R>(sql, params as SqlParam[]);
      return { rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    },
    exec: async (script: string) => {
      await this.db.exec(script);
    },
    discard: () => {
      this.broken = true;
    },
  };
}
