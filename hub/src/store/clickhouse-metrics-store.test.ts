import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsStoreContract } from '../../../testkit/src/metrics-store-contract.ts';
import { openStoreConnection, type StoreConnection } from './clickhouse-connection.ts';
import { ClickHouseMetricsStore } from './clickhouse-metrics-store.ts';
import { renderStatement, SINGLE_NODE } from './ddl.ts';
import type { SampleBlock } from './metrics-store.ts';
import { applyRetention, RETENTION_TARGETS, type RetentionDays } from './retention.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './schema.ts';

// chDB binds one data directory per process and runs on the main thread only: this file
// opens ONE connection and ONE store for all its tests; tests keep apart by tenant.
let dir = '';
let connection: StoreConnection;
let store: ClickHouseMetricsStore;
let closed = false;

/** Keep everything: the contract writes fixed 2025 timestamps that any retention would drop. */
const FOREVER: RetentionDays = { raw: 0, oneMinute: 0, oneHour: 0, events: 0, logs: 0, ledger: 0 };

async function close(): Promise<void> {
  if (closed) return;
  closed = true;
  await store?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

async function rows<T>(query: string, query_params: Record<string, unknown> = {}): Promise<T[]> {
  return (await connection.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-chdb-contract-'));
  connection = openStoreConnection({ kind: 'chdb', path: dir });
  store = new ClickHouseMetricsStore(connection, { layout: SINGLE_NODE, retention: FOREVER });
});

afterAll(close);

describe('ClickHouseMetricsStore on chDB: schema', () => {
  it('start() twice records each migration once in schema_migrations', async () => {
    await store.start();
    await store.start();
    const applied = await rows<{ version: number; n: string | number }>(
      'SELECT version, count() AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(applied.map((r) => [Number(r.version), Number(r.n)])).toEqual(MIGRATIONS.map((m) => [m.version, 1]));
  });

  it("every statement of the cluster layout parses in ClickHouse's own parser", async () => {
    // No ClickHouse cluster (nor a modern server) runs here; formatQuery proves the syntax.
    const layout = { cluster: 'fleet', database: 'ballast' };
    const statements = [MIGRATIONS_TABLE].flatMap((t) => renderStatement({ kind: 'table', table: t }, layout));
    statements.push(...MIGRATIONS.flatMap((m) => m.statements.flatMap((s) => renderStatement(s, layout))));
    for (const sql of statements) {
      const [r] = await rows<{ f: string }>('SELECT formatQuery({sql:String}) AS f', { sql });
      // A backfill is an INSERT through the Distributed tables: no ON CLUSTER, synchronous.
      if (sql.startsWith('INSERT')) expect(r?.f, sql).toMatch(/^INSERT INTO samples_5m\s+SETTINGS insert_distributed_sync = 1\s+SELECT\s/);
      else expect(r?.f, sql).toContain('ON CLUSTER fleet');
    }
  });
});

describe('ClickHouseMetricsStore on chDB: rollups', () => {
  const tenant = 'rollups';
  const S = 2n ** 63n + 7n;
  const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
  const at = (minute: number, ms: number) => T0 + minute * 60_000 + ms;
  // Minute 0 arrives in two inserts; the second holds an earlier point, so `last` must go by time, not by arrival.
  const first: Array<[number, number]> = [
    [at(0, 1_000), 5],
    [at(0, 59_999), 3],
  ];
  const second: Array<[number, number]> = [
    [at(0, 2_000), 1],
    [at(1, 0), 10],
    [at(1, 30_000), -2],
  ];
  // Minute 2: 1..101.
  const spread: Array<[number, number]> = Array.from({ length: 101 }, (_, i) => [at(2, i * 500), i + 1]);
  const nextHour: Array<[number, number]> = [[at(60, 30_000), 7]];

  function block(points: Array<[number, number]>): SampleBlock {
    const b: SampleBlock = {
      length: points.length,
      seriesLo: new Uint32Array(points.length).fill(Number(S & 0xffff_ffffn)),
      seriesHi: new Uint32Array(points.length).fill(Number(S >> 32n)),
      timestampsMs: Float64Array.from(points.map((p) => p[0])),
      values: Float64Array.from(points.map((p) => p[1])),
    };
    return b;
  }
  const insert = (points: Array<[number, number]>) => store.insertSamples([{ tenant, cluster: 'c1', block: block(points) }], []);

  /** Read the way the query layer reads rollups: aggregate the partial rows per bucket. */
  const read = (table: string, t = tenant) =>
    rows<{ t: number; min: number; max: number; sum: number; count: string; last: number }>(
      `SELECT toUnixTimestamp(ts) AS t, min(min) AS min, max(max) AS max, sum(sum) AS sum, toString(sum(count)) AS count,
              argMaxMerge(last) AS last
       FROM ${table} WHERE tenant = {t:String} AND series_id = {s:UInt64} GROUP BY ts ORDER BY ts`,
      { t, s: S },
    );

  beforeAll(async () => {
    await store.start();
    await insert(first);
    await insert(second);
    await insert(spread);
    await insert(nextHour);
  });

  it('samples_1m holds min, max, sum, count and last of every minute', async () => {
    const got = await read('samples_1m');
    expect(got.map(({ t, min, max, sum, count, last }) => ({ t, min, max, sum, count, last }))).toEqual([
      { t: at(0, 0) / 1000, min: 1, max: 5, sum: 9, count: '3', last: 3 },
      { t: at(1, 0) / 1000, min: -2, max: 10, sum: 8, count: '2', last: -2 },
      { t: at(2, 0) / 1000, min: 1, max: 101, sum: 5151, count: '101', last: 101 },
      { t: at(60, 0) / 1000, min: 7, max: 7, sum: 7, count: '1', last: 7 },
    ]);
  });

  it('rollups keep no t-digest (migration 3): neither the tables nor the views', async () => {
    const cols = await rows<{ table: string; name: string }>(
      "SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table IN ('samples_1m', 'samples_5m', 'samples_1h') ORDER BY table, position",
    );
    expect(cols.filter((c) => c.table === 'samples_1m').map((c) => c.name)).toEqual([
      'tenant',
      'cluster',
      'series_id',
      'ts',
      'min',
      'max',
      'sum',
      'count',
      'last',
    ]);
    expect(cols.filter((c) => c.table === 'samples_5m').map((c) => c.name)).toEqual(
      cols.filter((c) => c.table === 'samples_1m').map((c) => c.name),
    );
    expect(cols.filter((c) => c.table === 'samples_1h').map((c) => c.name)).toEqual([
      'tenant',
      'cluster',
      'series_id',
      'ts',
      'min',
      'max',
      'sum',
      'count',
      'last',
    ]);
    const views = await rows<{ name: string; q: string }>(
      "SELECT name, as_select AS q FROM system.tables WHERE database = currentDatabase() AND name LIKE 'samples_1%_mv' ORDER BY name",
    );
    expect(views.map((v) => v.name)).toEqual(['samples_1h_mv', 'samples_1m_mv']);
    for (const v of views) expect(v.q).not.toMatch(/quantile/i);
  });

  it('samples_5m holds min, max, sum, count and last of every 5 minutes (fed from samples_1m)', async () => {
    const got = await read('samples_5m');
    expect(got.map(({ t, min, max, sum, count, last }) => ({ t, min, max, sum, count, last }))).toEqual([
      { t: T0 / 1000, min: -2, max: 101, sum: 9 + 8 + 5151, count: '106', last: 101 },
      { t: at(60, 0) / 1000, min: 7, max: 7, sum: 7, count: '1', last: 7 },
    ]);
    const views = await rows<{ name: string; q: string }>(
      "SELECT name, as_select AS q FROM system.tables WHERE database = currentDatabase() AND name LIKE 'samples_%_mv' ORDER BY name",
    );
    // The views cascade: samples → 1m → 5m → 1h.
    expect(views.map((v) => [v.name, /FROM (?:\w+\.)?(\w+)/.exec(v.q)?.[1]])).toEqual([
      ['samples_1h_mv', 'samples_5m'],
      ['samples_1m_mv', 'samples'],
      ['samples_5m_mv', 'samples_1m'],
    ]);
  });

  it('rollups keep tenants apart even for the same series id in the same insert', async () => {
    const points = block([[T0 + 1_000, 1]]);
    await store.insertSamples(
      [
        { tenant: 'owners-a', cluster: 'c1', block: points },
        { tenant: 'owners-b', cluster: 'c1', block: block([[T0 + 2_000, 5]]) },
        { tenant: 'owners-a', cluster: 'c2', block: block([[T0 + 3_000, 7]]) },
      ],
      [],
    );
    for (const table of ['samples_1m', 'samples_5m', 'samples_1h']) {
      const got = await rows<{ tenant: string; cluster: string; sum: number; count: string }>(
        `SELECT tenant, cluster, sum(sum) AS sum, toString(sum(count)) AS count FROM ${table}
         WHERE tenant IN ('owners-a', 'owners-b') GROUP BY tenant, cluster ORDER BY tenant, cluster`,
      );
      expect(got, table).toEqual([
        { tenant: 'owners-a', cluster: 'c1', sum: 1, count: '1' },
        { tenant: 'owners-a', cluster: 'c2', sum: 7, count: '1' },
        { tenant: 'owners-b', cluster: 'c1', sum: 5, count: '1' },
      ]);
    }
  });

  it('samples_1h aggregates the hour', async () => {
    const got = await read('samples_1h');
    expect(got.map(({ t, min, max, sum, count, last }) => ({ t, min, max, sum, count, last }))).toEqual([
      { t: T0 / 1000, min: -2, max: 101, sum: 9 + 8 + 5151, count: '106', last: 101 },
      { t: at(60, 0) / 1000, min: 7, max: 7, sum: 7, count: '1', last: 7 },
    ]);
  });

  it('rows stay the same after merges (OPTIMIZE FINAL collapses partial rows only)', async () => {
    const before = await read('samples_1h');
    const before5m = await read('samples_5m');
    await store.optimize();
    expect(await read('samples_1h')).toEqual(before);
    expect(await read('samples_5m')).toEqual(before5m);
    const [n] = await rows<{ n: string }>('SELECT toString(count()) AS n FROM samples_1m WHERE tenant = {t:String}', { t: tenant });
    expect(n?.n).toBe('4');
  });

  it('documented caveat: a re-stored batch is counted twice in the rollups, once in samples', async () => {
    const t = 'rollups-retry';
    const points = block([[T0, 4]]);
    await store.insertSamples([{ tenant: t, cluster: 'c1', block: points }], []);
    await store.insertSamples([{ tenant: t, cluster: 'c1', block: points }], []);
    await store.optimize();
    const [raw] = await rows<{ n: string }>('SELECT toString(count()) AS n FROM samples WHERE tenant = {t:String}', { t });
    expect(raw?.n).toBe('1');
    expect((await read('samples_1m', t)).map((r) => [r.count, r.sum, r.min, r.last])).toEqual([['2', 8, 4, 4]]);
  });
});

describe('ClickHouseMetricsStore on chDB: retention', () => {
  const ttls = async () =>
    new Map(
      (
        await rows<{ name: string; engine_full: string }>(
          'SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {n:Array(String)}',
          { n: RETENTION_TARGETS.map((t) => t.table) },
        )
      ).map((r) => [r.name, / TTL (.+?)(?: SETTINGS |$)/.exec(r.engine_full)?.[1] ?? null]),
    );

  it('start() applies the configured TTLs; the same config again changes nothing; a new one only what differs', async () => {
    const a: RetentionDays = { raw: 15, oneMinute: 90, oneHour: 730, events: 365, logs: 30, ledger: 30 };
    await new ClickHouseMetricsStore(connection, { layout: SINGLE_NODE, retention: a }).start(); // shares the client: never shut down
    expect(Object.fromEntries(await ttls())).toEqual({
      samples: 'toDateTime(ts) + toIntervalDay(15)',
      samples_1m: 'ts + toIntervalDay(90)',
      samples_5m: 'ts + toIntervalDay(90)',
      samples_1h: 'ts + toIntervalDay(730)',
      events: 'toDateTime(time) + toIntervalDay(365)',
      logs: 'toDateTime(time) + toIntervalDay(30)',
      ingest_batches: 'toDateTime(stored_at) + toIntervalDay(30)',
    });
    expect(await applyRetention(connection.client, SINGLE_NODE, a)).toEqual([]);

    const b: RetentionDays = { ...a, raw: 7, logs: 0 };
    expect(await applyRetention(connection.client, SINGLE_NODE, b)).toEqual([
      { table: 'samples', from: 15, to: 7 },
      { table: 'logs', from: 30, to: null },
    ]);
    const now = await ttls();
    expect(now.get('samples')).toBe('toDateTime(ts) + toIntervalDay(7)');
    expect(now.get('logs')).toBeNull();
    expect(now.get('samples_1h')).toBe('ts + toIntervalDay(730)');
    expect(await applyRetention(connection.client, SINGLE_NODE, b)).toEqual([]);
  });

  it('keeps whole-part TTL drops on every retained table', async () => {
    const settings = await rows<{ name: string; engine_full: string }>(
      'SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {n:Array(String)}',
      { n: RETENTION_TARGETS.map((t) => t.table) },
    );
    // The ledger is unpartitioned: its rows expire in merges (a whole part would never be old).
    for (const s of settings.filter((t) => t.name !== 'ingest_batches')) expect(s.engine_full, s.name).toContain('ttl_only_drop_parts = 1');
    expect(settings.map((s) => s.name)).toContain('ingest_batches');
  });

  it('refuses a negative retention', async () => {
    await expect(applyRetention(connection.client, SINGLE_NODE, { ...FOREVER, oneHour: -1 })).rejects.toThrow(/samples_1h/);
  });

  // Back to FOREVER for the contract below, which writes 2025 timestamps.
  afterAll(async () => {
    await applyRetention(connection.client, SINGLE_NODE, FOREVER);
    expect([...(await ttls()).values()].every((t) => t === null)).toBe(true);
  });
});

metricsStoreContract('ClickHouseMetricsStore on chDB', async () => ({ store, cleanup: close }));
