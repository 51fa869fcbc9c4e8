import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { QueryResult, SqlParam } from './metadata-store.ts';
import { MetadataStoreError, toMetadataError } from './metadata-store-error.ts';
import type { DriverConnection, SqlDriver } from './sql-driver.ts';

export interface PostgresDriverOptions {
  /** postgres:// URL without TLS parameters (postgres-tls.ts takes them out into `ssl`). */
  url: string;
  ssl: false | ConnectionOptions;
  /** Connections in the pool. Default 10. */
  poolMax?: number;
  /** Give up connecting after this long (`unavailable`). Default 10 s. */
  connectTimeoutMs?: number;
  /** Server-side limit per statement; migrations lift it. Default 30 s. */
  statementTimeoutMs?: number;
  /** A pooled idle connection failed (server restart…); the pool replaces it. Default: ignored. */
  onIdleError?: (err: Error) => void;
}

const INT8_OID = 20;

/**
 * int8 comes back as number, as PGlite returns it: our int8 columns are identities and
 * counts, far below 2^53. Everything else keeps pg's parsing.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function openPostgresDriver(options: PostgresDriverOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    ssl: options.ssl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'ballast-hub',
    types,
  });
  // Without a listener an idle connection's error (e.g. the server restarting) kills the process.
  pool.on('error', (err) => options.onIdleError?.(err));
  return new PostgresDriver(pool, describeUrl(options.url));
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres';

  constructor(
    private readonly pool: pg.Pool,
    readonly describe: string,
  ) {}

  async withConnection<T>(fn: (conn: DriverConnection) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      // Whatever stopped the connection (refused, TLS, credentials, missing database), nothing was run.
      const mapped = toMetadataError(err, `cannot connect to ${this.describe}`);
      throw new MetadataStoreError('unavailable', mapped.message, { cause: err, sqlState: mapped.sqlState });
    }
    let discarded = false;
    // A checked-out client whose connection dies between statements emits 'error'; unheard, that kills the process.
    const onError = () => {
      discarded = true;
    };
    client.on('error', onError);
    const conn: DriverConnection = {
      query: async <R>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<R>> => {
        const r = await client.query(sql, params as SqlParam[]);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
      },
      exec: async (script: string) => {
        // Without parameters pg uses the simple protocol, which takes several statements.
        await client.query(script);
      },
      discard: () => {
        discarded = true;
      },
    };
    try {
      return await fn(conn);
    } finally {
      client.off('error', onError);
      // release(true) destroys the connection instead of pooling it.
      client.release(discarded || undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The URL without its password, for logs and errors. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}
