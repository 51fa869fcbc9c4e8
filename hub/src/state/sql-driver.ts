import type { QueryResult, SqlParam } from './metadata-store.ts';
import { toMetadataError } from './metadata-store-error.ts';

/** One database connection held by one user at a time. Errors are the driver's own (unmapped). */
export interface DriverConnection {
  query<R>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** The connection is in an unknown state (e.g. ROLLBACK failed): do not hand it out again. */
  discard(): void;
}

/**
 * What an implementation provides under {@link SqlMetadataStore}: exclusive use of a
 * connection. Transactions, savepoints, migrations and error mapping are built on top
 * once, so PGlite and PostgreSQL cannot drift apart.
 */
export interface SqlDriver {
  readonly kind: 'pglite' | 'postgres';
  readonly describe: string;
  /** Runs `fn` with a connection nobody else uses until `fn` settles. */
  withConnection<T>(fn: (conn: DriverConnection) => Promise<T>): Promise<T>;
  /** Waits for connections in use, then closes everything. Called once. */
  close(): Promise<void>;
}

/** Runs one statement on a connection, mapping the driver's error. */
export async function runQuery<R>(
  conn: DriverConnection,
  sql: string,
  params: readonly SqlParam[],
  describe: string,
): Promise<QueryResult<R>> {
  try {
    return await conn.query<R>(sql, params);
  } catch (err) {
    throw toMetadataError(err, `query on ${describe} failed`);
  }
}
