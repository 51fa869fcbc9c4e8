import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetadataStore, MigrationReport, QueryResult, SqlParam, SqlSession } from './metadata-store.ts';
import { MetadataStoreError, toMetadataError } from './metadata-store-error.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { type Migration, runMigrations, schemaVersion } from './migrator.ts';
import { runQuery, type SqlDriver } from './sql-driver.ts';
import { TransactionSession } from './transaction-session.ts';

export interface SqlMetadataStoreOptions {
  /** Default: every migration in ./migrations. Tests pass their own lists. */
  migrations?: readonly Migration[];
  /** How long migrate() waits for another hub's migration lock. Default 60 s. */
  migrationLockTimeoutMs?: number;
}

/** The transactions the current async call chain runs inside, to refuse store use from within them. */
const openTransactions = new AsyncLocalStorage<ReadonlySet<TransactionSession>>();

/** {@link MetadataStore} on any {@link SqlDriver}; see the interface for the contract. */
export class SqlMetadataStore implements MetadataStore {
  readonly kind: MetadataStore['kind'];
  readonly describe: string;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly migrations: readonly Migration[];
  private readonly lockTimeoutMs: number;

  constructor(
    private readonly driver: SqlDriver,
    options: SqlMetadataStoreOptions = {},
  ) {
    this.kind = driver.kind;
    this.describe = driver.describe;
    this.migrations = options.migrations ?? MIGRATIONS;
    this.lockTimeoutMs = options.migrationLockTimeoutMs ?? 60_000;
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<R>> {
    this.checkUsable('query');
    return this.driver.withConnection((conn) => runQuery<R>(conn, sql, params, this.describe));
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.checkUsable('transaction');
    return this.driver.withConnection(async (conn) => {
      await runQuery(conn, 'BEGIN', [], this.describe);
      const tx = new TransactionSession(conn, this, this.describe);
      let result: T;
      try {
        const outer = openTransactions.getStore() ?? new Set();
        result = await openTransactions.run(new Set([...outer, tx]), () => fn(tx));
      } catch (err) {
        tx.end();
        await conn.query('ROLLBACK').catch(() => conn.discard());
        // Database errors were mapped where they happened; the callback's own errors pass untouched.
        throw err;
      }
      tx.end();
      try {
        await conn.query('COMMIT');
      } catch (err) {
        // A failed COMMIT has already rolled back on the server; the connection may be gone.
        await conn.query('ROLLBACK').catch(() => conn.discard());
        throw toMetadataError(err, `commit on ${this.describe} failed`);
      }
      return result;
    });
  }

  async migrate(): Promise<MigrationReport> {
    this.checkUsable('migrate');
    return this.driver.withConnection((conn) =>
      runMigrations(conn, this.migrations, { describe: this.describe, lockTimeoutMs: this.lockTimeoutMs }),
    );
  }

  async schemaVersion(): Promise<number> {
    this.checkUsable('schemaVersion');
    return this.driver.withConnection((conn) => schemaVersion(conn, this.describe));
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.driver.close().catch((err) => {
      throw toMetadataError(err, `closing ${this.describe}`);
    });
    return this.closing;
  }

  private checkUsable(what: string): void {
    if (this.closed) throw new MetadataStoreError('unavailable', `${this.describe} is closed (${what} after close())`);
    const open = openTransactions.getStore();
    if (open && [...open].some((tx) => tx.owner === this && tx.isOpen())) {
      throw new MetadataStoreError(
        'misuse',
        `store.${what}() called inside a transaction of ${this.describe}: use the tx passed to the callback ` +
          '(tx.transaction() for a nested unit); the store itself would run outside the transaction or wait for it forever',
      );
    }
  }
}
