import { createHash } from 'node:crypto';
import type { AppliedMigration, MigrationReport } from './metadata-store.ts';
import { MetadataStoreError, toMetadataError } from './metadata-store-error.ts';
import { type DriverConnection, runQuery } from './sql-driver.ts';

/** One schema change. Versions only grow; an applied migration's SQL never changes (its checksum is recorded). */
export interface Migration {
  version: number;
  /** kebab-case, as in the file name `NNN-name.ts`. */
  name: string;
  /** One or more statements; runs in one transaction with the bookkeeping row. */
  sql: string;
}

/**
 * Session-level advisory lock every hub takes around migrations. Fixed forever: hubs of
 * different versions must contend for the same key. Below 2^32, so pg_locks shows it as
 * (classid 0, objid KEY) and the holder can be named.
 */
const MIGRATION_LOCK_KEY = 1_650_551_916; // 'ball' in ASCII

const CREATE_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export async function runMigrations(
  conn: DriverConnection,
  migrations: readonly Migration[],
  options: { describe: string; lockTimeoutMs: number },
): Promise<MigrationReport> {
  checkOrder(migrations);
  await acquireLock(conn, options.describe, options.lockTimeoutMs);
  try {
    await runQuery(conn, CREATE_BOOKKEEPING, [], options.describe);
    const rows = (
      await runQuery<AppliedRow>(conn, 'SELECT version, name, checksum FROM schema_migrations ORDER BY version', [], options.describe)
    ).rows;
    checkApplied(rows, migrations, options.describe);
    const done = new Set(rows.map((r) => r.version));
    const applied: AppliedMigration[] = [];
    let version = rows.at(-1)?.version ?? 0;
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await apply(conn, m, version, options.describe);
      applied.push({ version: m.version, name: m.name });
      version = m.version;
    }
    return { applied, version };
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => conn.discard());
  }
}

export async function schemaVersion(conn: DriverConnection, describe: string): Promise<number> {
  const { rows } = await runQuery<{ v: number | null }>(
    conn,
    `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0
       ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END AS v`,
    [],
    describe,
  ).catch(async (err) => {
    // to_regclass guards the common case; a concurrent first migrate may still race it.
    if (err instanceof MetadataStoreError && err.sqlState === '42P01') return { rows: [{ v: 0 }] };
    throw err;
  });
  return Number(rows[0]?.v ?? 0);
}

async function apply(conn: DriverConnection, m: Migration, from: number, describe: string): Promise<void> {
  try {
    await conn.query('BEGIN');
    // Schema changes may rewrite big tables: no statement timeout a pool might set.
    await conn.query('SET LOCAL statement_timeout = 0');
    await conn.exec(m.sql);
    await conn.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, checksum(m)]);
    await conn.query('COMMIT');
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => conn.discard());
    const cause = toMetadataError(err, 'migration');
    throw new MetadataStoreError(
      'migration_failed',
      `migration ${label(m)} failed on ${describe} and was rolled back; the schema stays at version ${from}: ${cause.message}`,
      { cause: err, sqlState: cause.sqlState },
    );
  }
}

async function acquireLock(conn: DriverConnection, describe: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await runQuery<{ ok: boolean }>(conn, 'SELECT pg_try_advisory_lock($1) AS ok', [MIGRATION_LOCK_KEY], describe);
    if (rows[0]?.ok) return;
    if (Date.now() >= deadline) {
      throw new MetadataStoreError(
        'locked',
        `another hub has been migrating ${describe} for over ${timeoutMs} ms (${await lockHolder(conn)}); ` +
          'wait for it to finish, or end that session if it hangs',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Who holds the migration lock, for the error message; best effort. */
async function lockHolder(conn: DriverConnection): Promise<string> {
  try {
    const { rows } = await conn.query<{ pid: number; app: string | null; addr: string | null }>(
      `SELECT a.pid, a.application_name AS app, host(a.client_addr) AS addr
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::text::oid AND l.objsubid = 1`,
      [String(MIGRATION_LOCK_KEY)],
    );
    const h = rows[0];
    return h ? `held by backend pid ${h.pid}, application "${h.app ?? ''}", client ${h.addr ?? 'local socket'}` : 'holder unknown';
  } catch {
    return 'holder unknown';
  }
}

function checkApplied(rows: AppliedRow[], migrations: readonly Migration[], describe: string): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const newest = migrations.at(-1)?.version ?? 0;
  const top = rows.at(-1);
  if (top && top.version > newest) {
    throw new MetadataStoreError(
      'schema_too_new',
      `${describe} is at schema version ${top.version} (${top.name}) but this hub knows migrations up to ${newest}: ` +
        'a newer hub migrated it. Run that version or newer; an older hub must not write to a schema it does not know',
    );
  }
  const applied = new Set(rows.map((r) => r.version));
  for (const r of rows) {
    const m = known.get(r.version);
    if (!m) throw failed(`applied migration ${r.version} (${r.name}) on ${describe} is not among this hub's migrations`);
    if (r.checksum !== checksum(m))
      throw failed(`migration ${label(m)} was changed after it was applied to ${describe}; add a new migration instead`);
  }
  const missing = migrations.find((m) => top && m.version < top.version && !applied.has(m.version));
  if (missing)
    throw failed(
      `migration ${label(missing)} is not applied to ${describe} but the later ${top?.version} is; migrations must apply in order`,
    );
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const prev = migrations[i - 1];
    if (!Number.isInteger(m.version) || m.version < 1 || (prev && m.version <= prev.version)) {
      throw new Error(`migration list out of order at ${label(m)}: versions must be positive integers, ascending`);
    }
  });
}

function failed(message: string): MetadataStoreError {
  return new MetadataStoreError('migration_failed', message);
}

function label(m: Migration): string {
  return `${String(m.version).padStart(3, '0')}-${m.name}`;
}

function checksum(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}
