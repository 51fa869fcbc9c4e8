import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreConnection, type StoreConnection } from './clickhouse-connection.ts';
import { ClickHouseMetricsStore } from './clickhouse-metrics-store.ts';
import { renderStatement, SINGLE_NODE } from './ddl.ts';
import type { SampleBlock } from './metrics-store.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './schema.ts';

// Own file: chDB allows one data directory per process, and this one starts at schema 2.
let dir = '';
let connection: StoreConnection;
let store: ClickHouseMetricsStore;

const FOREVER = { raw: 0, oneMinute: 0, oneHour: 0, events: 0, logs: 0, ledger: 0 };
const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
const S = 42n;

function block(points: Array<[number, number]>): SampleBlock {
  return {
    length: points.length,
    seriesLo: new Uint32Array(points.length).fill(Number(S)),
    seriesHi: new Uint32Array(points.length),
    timestampsMs: Float64Array.from(points.map((p) => p[0])),
    values: Float64Array.from(points.map((p) => p[1])),
  };
}

async function rows<T>(query: string): Promise<T[]> {
  return (await connection.client.query({ query, format: 'JSONEachRow' })).json<T>();
}

const rollup = (table: string) =>
  rows<{ t: number; sum: number; count: string; last: number }>(
    `SELECT toUnixTimestamp(ts) AS t, sum(sum) AS sum, toString(sum(count)) AS count, argMaxMerge(last) AS last
     FROM ${table} WHERE series_id = ${S} GROUP BY ts ORDER BY ts`,
  );
const minute = () => rollup('samples_1m');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-chdb-upgrade-'));
  connection = openStoreConnection({ kind: 'chdb', path: dir });
  // A hub released with schema 2: tables, digests and views as they were, with data in them.
  const run = (sql: string) => connection.client.command({ query: sql });
  for (const sql of renderStatement({ kind: 'table', table: MIGRATIONS_TABLE }, SINGLE_NODE)) await run(sql);
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
    for (const st of m.statements) for (const sql of renderStatement(st, SINGLE_NODE)) await run(sql);
    await run(`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, 'as released')`);
  }
  store = new ClickHouseMetricsStore(connection, { layout: SINGLE_NODE, retention: FOREVER });
  await store.insertSamples(
    [
      {
        tenant: 't',
        cluster: 'c',
        block: block([
          [T0 + 1_000, 2],
          [T0 + 11_000, 4],
        ]),
      },
    ],
    [],
  );
});

afterAll(async () => {
  await store?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('schema upgrade 2 → 4 on a store with data', () => {
  it('drops the digests, keeps the rollup rows, and the new views keep rolling up', async () => {
    const [before] = await rows<{ n: string }>(
      "SELECT toString(count()) AS n FROM system.columns WHERE table = 'samples_1m' AND name = 'digest'",
    );
    expect(before?.n).toBe('1');
    expect(await minute()).toEqual([{ t: T0 / 1000, sum: 6, count: '2', last: 4 }]);

    await store.start();

    const [after] = await rows<{ n: string }>("SELECT toString(count()) AS n FROM system.columns WHERE name = 'digest'");
    expect(after?.n).toBe('0');
    const applied = await rows<{ v: number }>('SELECT version AS v FROM schema_migrations ORDER BY version');
    expect(applied.map((r) => Number(r.v))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await minute()).toEqual([{ t: T0 / 1000, sum: 6, count: '2', last: 4 }]);

    await store.insertSamples([{ tenant: 't', cluster: 'c', block: block([[T0 + 21_000, 10]]) }], []);
    expect(await minute()).toEqual([{ t: T0 / 1000, sum: 16, count: '3', last: 10 }]);
    const [hour] = await rows<{ count: string }>(`SELECT toString(sum(count)) AS count FROM samples_1h WHERE series_id = ${S}`);
    expect(hour?.count).toBe('3');
  });

  it('migration 4 filled samples_5m from the 1m rows stored before it, and the cascade keeps it current', async () => {
    // Migration 4 ran in the test above: the two points stored at schema 2 came from samples_1m, the third through the views.
    expect(await rollup('samples_5m')).toEqual([{ t: T0 / 1000, sum: 16, count: '3', last: 10 }]);
    expect(await rollup('samples_1h')).toEqual([{ t: T0 / 1000, sum: 16, count: '3', last: 10 }]);
    expect(await store.resolutions()).toEqual(['raw', '1m', '5m', '1h']);
  });

  it('migration 4 run again (a hub killed before recording it) leaves samples_5m as it was', async () => {
    await connection.client.command({
      query: 'ALTER TABLE schema_migrations DELETE WHERE version = 4',
      clickhouse_settings: { mutations_sync: '1' },
    });
    await store.start();
    expect(await rollup('samples_5m')).toEqual([{ t: T0 / 1000, sum: 16, count: '3', last: 10 }]);
    await store.insertSamples([{ tenant: 't', cluster: 'c', block: block([[T0 + 31_000, 1]]) }], []);
    expect(await rollup('samples_5m')).toEqual([{ t: T0 / 1000, sum: 17, count: '4', last: 1 }]);
    expect(await rollup('samples_1h')).toEqual([{ t: T0 / 1000, sum: 17, count: '4', last: 1 }]);
  });
});
