/**
 * MetadataStore is the hub's port to its transactional state (tenants, scoring models,
 * decisions, overrides, audit). Two implementations run the same SQL and the same
 * migrations: PGlite (PostgreSQL compiled to WASM, embedded, the default) and a PostgreSQL
 * server through `pg`. Every failure is a {@link MetadataStoreError} (./metadata-store-error.ts).
 *
 * Values crossing the port: parameters are bound, never spliced into SQL. Pass JSON for a
 * jsonb column as `JSON.stringify(value)` with a `$n::jsonb` cast (pg would turn a JS array
 * into a PostgreSQL array literal), timestamps as `Date`. Rows come back with timestamptz
 * as `Date`, jsonb parsed, int8 as `number` (both drivers), numeric as `string`.
 */

/** A bound parameter. */
export type SqlParam = string | number | boolean | Date | null;

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned (SELECT, RETURNING) or changed (INSERT/UPDATE/DELETE without RETURNING). */
  rowCount: number;
}

/** What repositories run on: the store itself, or a transaction from {@link SqlSession.transaction}. */
export interface SqlSession {
  /**
   * Runs one statement with `$1…$n` parameters. On the store it runs on its own (autocommit);
   * on a transaction, inside it.
   * @throws MetadataStoreError `conflict` / `constraint` / `invalid_input` / `append_only` for
   *   refused rows, `unavailable` when the database is unreachable or the store closed,
   *   `misuse` when called on the store from inside one of its own transactions or on a
   *   transaction that has ended, `query_failed` otherwise.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<R>>;

  /**
   * Runs `fn` in a transaction: committed when `fn` resolves, rolled back when it throws
   * (the error is rethrown, mapped to a MetadataStoreError when it came from the database).
   * Isolation is PostgreSQL's READ COMMITTED; use row or table locks where a decision
   * depends on what was read.
   *
   * Nesting: inside `fn`, use only `tx`. `tx.transaction(inner)` opens a SAVEPOINT: a throw
   * in `inner` undoes only `inner`'s work and rethrows, so the outer `fn` may catch it and
   * go on. While `inner` runs, the outer `tx` must not be used (`misuse`). Calling the
   * store's own `query`/`transaction` while `fn` runs is refused with `misuse`: on PGlite it
   * would wait for this very transaction, on PostgreSQL it would silently run outside it.
   * @throws MetadataStoreError as {@link query}; a failed COMMIT (e.g. a serialization
   *   failure) rejects with `conflict` and nothing is kept.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export interface AppliedMigration {
  version: number;
  name: string;
}

export interface MigrationReport {
  /** Migrations this call applied, in order; empty when the schema was current. */
  applied: AppliedMigration[];
  /** Highest applied version afterwards. */
  version: number;
}

export interface MetadataStore extends SqlSession {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, for logs and errors; never contains a password. */
  readonly describe: string;

  /**
   * Brings the schema up to the newest migration this code knows; call once at start-up,
   * before any repository. Idempotent. Each migration runs in its own transaction and is
   * recorded in `schema_migrations`; a PostgreSQL advisory lock makes hubs starting at once
   * take turns (the second finds the work done).
   * @throws MetadataStoreError `schema_too_new` when the database has a migration this code
   *   does not know (a newer hub migrated it: run that version); `migration_failed` when a
   *   migration's SQL fails (that migration is rolled back, earlier ones stay), or when an
   *   applied migration's SQL differs from the code's, or one is missing below an applied
   *   one; `locked` when the lock stays held past the timeout; `unavailable`.
   */
  migrate(): Promise<MigrationReport>;

  /** Highest applied migration version; 0 before the first migrate(). */
  schemaVersion(): Promise<number>;

  /**
   * Waits for running work, closes connections and (PGlite) releases the data directory.
   * Safe twice and safe before use; afterwards every call rejects with `unavailable`.
   */
  close(): Promise<void>;
}
