import { mkdirSync } from 'node:fs';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { StoreError } from './store-error.ts';

export type StoreConnectionConfig =
  | { kind: 'chdb'; path: string }
  | { kind: 'server'; url: string; username: string; password: string; database: string };

export interface StoreConnection {
  client: ClickHouseClient;
  kind: StoreConnectionConfig['kind'];
  /** Human-readable target for logs and errors; never contains a password. */
  describe: string;
}

/**
 * Opens the ClickHouse client. chDB binds one data directory per process and must run on
 * the main thread; a second process on the same directory is refused here with a
 * {@link StoreError} that says so.
 */
export function openStoreConnection(config: StoreConnectionConfig): StoreConnection {
  if (config.kind === 'chdb') {
    mkdirSync(config.path, { recursive: true });
    let connection: NonNullable<Parameters<typeof createClient>[0]>['connection'];
    try {
      // chdb ships its own copy of the Connection types; the shapes are the same.
      connection = createChdbConnection({ path: config.path }) as unknown as typeof connection;
    } catch (err) {
      // The engine reports the lock on stderr only; the error itself just says it failed.
      throw new StoreError(
        `cannot open the chDB data directory ${config.path}: another process probably holds it (chDB allows one process per data directory). ` +
          'Stop the other hub, or set BALLAST_CHDB_PATH to another directory.',
        { cause: err },
      );
    }
    const client = createClient({ connection });
    return { client, kind: 'chdb', describe: `chdb:${config.path}` };
  }
  const client = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  const safeUrl = new URL(config.url);
  safeUrl.password = '';
  return { client, kind: 'server', describe: `clickhouse:${safeUrl.toString()}` };
}

export function explainChdbError(err: unknown, describe: string): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot lock file|status.*lock|already (opened|in use)/i.test(message)) {
    return new StoreError(
      `${describe} is in use by another process: chDB allows one process per data directory. ` +
        'Stop the other hub or set BALLAST_CHDB_PATH to another directory.',
      { cause: err },
    );
  }
  return err;
}
