import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsStoreContract } from '../../../testkit/src/metrics-store-contract.ts';
import { openStoreConnection, type StoreConnection } from './clickhouse-connection.ts';
import { ClickHouseMetricsStore } from './clickhouse-metrics-store.ts';
import { MIGRATIONS } from './schema.ts';

// chDB binds one data directory per process and runs on the main thread only: this file
// opens ONE connection and ONE store for all its tests; tests keep apart by tenant.
let dir = '';
let connection: StoreConnection;
let store: ClickHouseMetricsStore;
let closed = false;

async function close(): Promise<void> {
  if (closed) return;
  closed = true;
  await store?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-chdb-contract-'));
  connection = openStoreConnection({ kind: 'chdb', path: dir });
  store = new ClickHouseMetricsStore(connection);
});

afterAll(close);

describe('ClickHouseMetricsStore on chDB: schema', () => {
  it('start() twice records each migration once in schema_migrations', async () => {
    await store.start();
    await store.start();
    const result = await connection.client.query({
      query: 'SELECT version, count() AS n FROM schema_migrations GROUP BY version ORDER BY version',
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ version: number; n: string | number }>();
    expect(rows.map((r) => [Number(r.version), Number(r.n)])).toEqual(MIGRATIONS.map((m) => [m.version, 1]));
  });
});

metricsStoreContract('ClickHouseMetricsStore on chDB', async () => ({ store, cleanup: close }));
