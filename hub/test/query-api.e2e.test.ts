import { join } from 'node:path';
import { parseCsv } from '@ballast/sim';
import { type HubHandle, startHub, tempDir } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreConnection } from '../src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../src/store/clickhouse-metrics-store.ts';
import type { Resolution, SampleBlock, SeriesRecord } from '../src/store/metrics-store.ts';

/**
 * The query API of a real hub process over data this test stores first. chDB allows one
 * process per data directory, so the test writes and counts with its own store only while
 * the hub is not running: seed → hub → queries → hub stopped → every table recounted.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
// Minute-aligned and recent: raw samples older than the retention are dropped.
const M = Math.floor(Date.now() / MINUTE) * MINUTE;
const H = Math.floor(Date.now() / HOUR) * HOUR;
const s = (ms: number) => Math.floor(ms / 1000);
const NASTY_LABEL = 'a,"b"\nc';

interface Answer {
  resolution: Resolution;
  step: number;
  series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
}
interface ErrorBody {
  error: { code: string; message: string; parameter?: string };
}

function sampleBlock(points: Array<[bigint, number, number]>): SampleBlock {
  return {
    length: points.length,
    seriesLo: Uint32Array.from(points, ([id]) => Number(id & 0xffff_ffffn)),
    seriesHi: Uint32Array.from(points, ([id]) => Number(id >> 32n)),
    timestampsMs: Float64Array.from(points, ([, t]) => t),
    values: Float64Array.from(points, ([, , v]) => v),
  };
}

function seriesRecord(id: bigint, metric: string, over: Partial<SeriesRecord> = {}): SeriesRecord {
  return { id, tenant: 'default', cluster: 'c1', node: 'n1', metric, labels: {}, kind: 'gauge', unit: '', ...over };
}

/** Opens the hub's data directory in this process, runs `work`, and closes it again. */
async function withStore<T>(
  chdbPath: string,
  work: (store: ClickHouseMetricsStore, count: () => Promise<Record<string, number>>) => Promise<T>,
) {
  const connection = openStoreConnection({ kind: 'chdb', path: chdbPath });
  const store = new ClickHouseMetricsStore(connection);
  const count = async () => {
    const tables = await (
      await connection.client.query({
        query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      // Names come from system.tables, not from input; FINAL-free counts see every stored row.
      const [row] = await (await connection.client.query({ query: `SELECT count() AS n FROM \`${name}\``, format: 'JSONEachRow' })).json<{
        n: string;
      }>();
      counts[name] = Number(row?.n);
    }
    return counts;
  };
  try {
    await store.start();
    return await work(store, count);
  } finally {
    await store.shutdown();
  }
}

async function seed(store: ClickHouseMetricsStore): Promise<void> {
  const cpu = [
    seriesRecord(1n, 'node_cpu_usage_percent', { node: 'n1', cluster: 'c1' }),
    seriesRecord(2n, 'node_cpu_usage_percent', { node: 'n2', cluster: 'c1' }),
    seriesRecord(3n, 'node_cpu_usage_percent', { node: 'n3', cluster: 'c2' }),
  ];
  const modes = ['user', 'system', 'idle'].map((mode, i) => seriesRecord(BigInt(10 + i), 'node_cpu_mode_percent', { labels: { mode } }));
  const counter = seriesRecord(20n, 'node_network_receive_bytes_total', { kind: 'counter' });
  const quoting = seriesRecord(30n, 'csv_quoting', { labels: { weird: NASTY_LABEL } });
  const many = Array.from({ length: 501 }, (_, i) => seriesRecord(BigInt(1000 + i), 'many_series', { cluster: 'big', node: `m${i}` }));
  const secret = seriesRecord(40n, 'secret_metric', { tenant: 'other' });
  await store.insertSeries([...cpu, ...modes, counter, quoting, ...many, secret]);

  const points: Array<[bigint, number, number]> = [];
  // CPU: one point every 30 s for three days; n1 = 10, n2 = 20, n3 = 40.
  for (let t = M - 3 * 24 * HOUR; t < M; t += 30_000) points.push([1n, t, 10], [2n, t, 20], [3n, t, 40]);
  // Modes and quoting: the last hour.
  for (let t = M - HOUR; t < M; t += 30_000) points.push([10n, t, 60], [11n, t, 30], [12n, t, 10], [30n, t, 1]);
  // Counter: +100 every 30 s for two hours, restarting from 7 an hour ago.
  for (let j = 0; j < 240; j++) points.push([20n, M - 2 * HOUR + j * 30_000, j < 120 ? j * 100 : (j - 120) * 100 + 7]);
  await store.insertSamples(
    [
      { tenant: 'default', cluster: 'c1', block: sampleBlock(points) },
      { tenant: 'other', cluster: 'c1', block: sampleBlock([[40n, M - MINUTE, 1]]) },
    ],
    [{ tenant: 'default', cluster: 'c1', node: 'n1', epoch: 1n, sequence: 1n, points: points.length, status: 'stored' }],
  );
  await store.upsertAgents([
    {
      tenant: 'default',
      cluster: 'c1',
      node: 'n1',
      instanceId: 'i-1',
      instanceType: 'm5.large',
      availabilityZone: 'eu-west-1a',
      lifecycle: 'spot',
      agentVersion: '0.1.0',
      connected: false,
      lastSeenMs: M - HOUR,
    },
  ]);
  await store.insertEvents([
    {
      tenant: 'default',
      cluster: 'c1',
      node: 'n1',
      id: 'e1',
      kind: 'rebalance',
      timeMs: M - HOUR,
      deadlineMs: 0,
      message: '',
      attributes: {},
    },
  ]);
}

describe('query API of a real hub over stored data', () => {
  const dir = tempDir('query-api');
  const chdbPath = join(dir.path, 'chdb');
  let hub: HubHandle | undefined;
  let countsBefore: Record<string, number> = {};
  let rollups: Resolution[] = [];

  beforeAll(async () => {
    await withStore(chdbPath, async (store, count) => {
      await seed(store);
      rollups = await store.resolutions();
      countsBefore = await count();
    });
    hub = await startHub({ dataDir: dir.path });
  }, 120_000);

  afterAll(async () => {
    await hub?.process.stop();
    dir.remove();
  });

  const url = (path: string, params: Record<string, string | string[]> = {}) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
    return `${hub?.httpUrl}${path}${qs.size > 0 ? `?${qs}` : ''}`;
  };
  /** fetch with the hub's admin token. */
  const authed = (target: string, init: RequestInit = {}) =>
    fetch(target, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${hub?.adminToken}` } });
  const query = async (params: Record<string, string | string[]>, status = 200) => {
    const res = await authed(url('/api/v1/metrics/query', params));
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(status);
    return body as Answer & ErrorBody;
  };
  const lastHour = { start: String(s(M - HOUR)), end: String(s(M)) };

  it('the console query still works: match[node], start, end, step; labels and [unix s, value] points', async () => {
    const a = await query({ metric: 'node_cpu_usage_percent', 'match[node]': 'n1', ...lastHour, step: '10s' });
    expect(a.resolution).toBe('raw');
    expect(a.series).toHaveLength(1);
    expect(a.series[0]?.labels).toEqual({ node: 'n1', cluster: 'c1' });
    expect(a.series[0]?.points).toHaveLength(120);
    expect(a.series[0]?.points[0]).toEqual([s(M - HOUR), 10]);
  });

  it('Prometheus-style match[] with =, !=, =~, !~, combined with the shorthand', async () => {
    const modes = async (...selectors: string[]) =>
      (await query({ metric: 'node_cpu_mode_percent', 'match[]': selectors, ...lastHour })).series.map((x) => x.labels.mode).sort();
    expect(await modes('{mode=~"user|system"}')).toEqual(['system', 'user']);
    expect(await modes('{mode!~"user|system"}')).toEqual(['idle']);
    expect(await modes('{mode!="idle",node="n1"}')).toEqual(['system', 'user']);
    expect(await modes('{mode=~"u.*"}', '{cluster="c1"}')).toEqual(['user']);
    const shorthand = await query({ metric: 'node_cpu_mode_percent', 'match[]': '{mode=~".*"}', 'match[mode]': 'idle', ...lastHour });
    expect(shorthand.series.map((x) => x.labels.mode)).toEqual(['idle']);
  });

  it('by=cluster aggregates across series: avg, count, max, p95', async () => {
    const by = async (agg: string) => {
      const a = await query({ metric: 'node_cpu_usage_percent', by: 'cluster', agg, ...lastHour, step: '60s' });
      expect(a.series.map((x) => x.labels)).toEqual([{ cluster: 'c1' }, { cluster: 'c2' }]);
      return a.series.map((x) => [...new Set(x.points.map(([, v]) => v))]);
    };
    expect(await by('avg')).toEqual([[15], [40]]);
    expect(await by('count')).toEqual([[4], [2]]); // two nodes x two samples a minute
    expect(await by('max')).toEqual([[20], [40]]);
    expect(await by('p95')).toEqual([[20], [40]]);
  });

  it('rate handles the counter reset', async () => {
    const a = await query({
      metric: 'node_network_receive_bytes_total',
      agg: 'rate',
      start: String(s(M - 2 * HOUR + MINUTE)),
      end: String(s(M)),
      step: '60s',
    });
    const points = a.series[0]?.points ?? [];
    expect(points).toHaveLength(119);
    for (const [t, v] of points) expect(v, String(t)).toBeCloseTo(t === s(M - HOUR) ? 107 / 60 : 200 / 60, 9);
  });

  it('resolution: picked by range and step, reported, overridable; rollups agree with raw', async () => {
    const has = (r: Resolution) => rollups.includes(r);
    const long = {
      metric: 'node_cpu_usage_percent',
      'match[node]': 'n1',
      start: String(s(H - 60 * HOUR)),
      end: String(s(H - HOUR)),
      step: '1h',
      agg: 'count',
    };
    const auto = await query(long);
    expect(auto.resolution).toBe(has('1h') ? '1h' : has('1m') ? '1m' : 'raw');
    const raw = await query({ ...long, resolution: 'raw' });
    expect(raw.resolution).toBe('raw');
    expect(auto.series[0]?.points).toEqual(raw.series[0]?.points);
    expect(raw.series[0]?.points.every(([, v]) => v === 120)).toBe(true);
    const medium = { ...long, start: String(s(H - 12 * HOUR)), step: '5m' };
    const fiveMinutes = await query(medium);
    expect(fiveMinutes.resolution).toBe(has('5m') ? '5m' : has('1m') ? '1m' : 'raw');
    expect(fiveMinutes.series[0]?.points).toEqual((await query({ ...medium, resolution: 'raw' })).series[0]?.points);
    expect(fiveMinutes.series[0]?.points.every(([, v]) => v === 10)).toBe(true);
    expect((await query({ ...medium, step: '1m' })).resolution).toBe(has('1m') ? '1m' : 'raw');
    expect((await query({ ...medium, step: '5m', resolution: '1m' })).series[0]?.points).toEqual(fiveMinutes.series[0]?.points);
    expect((await query({ ...lastHour, metric: 'node_cpu_usage_percent', step: '1m' })).resolution).toBe('raw');
    const odd = await query({ ...long, step: '90s', resolution: '1m' }, 400);
    expect(odd.error.parameter).toBe('resolution');
  });

  it('limits: too many series, groups and points are 422s that say which limit, with numbers', async () => {
    const series = await query({ metric: 'many_series' }, 422);
    expect(series.error).toMatchObject({ code: 'LIMIT_EXCEEDED', parameter: 'match[]' });
    expect(series.error.message).toMatch(/more than 500 series; the limit is 500/);
    const groups = await query({ metric: 'many_series', by: 'node' }, 422);
    expect(groups.error).toMatchObject({ code: 'LIMIT_EXCEEDED', parameter: 'by' });
    expect(groups.error.message).toMatch(/gives 501 series; the limit is 500/);
    expect((await query({ metric: 'many_series', by: 'cluster' })).series).toEqual([{ labels: { cluster: 'big' }, points: [] }]);
    const points = await query({ metric: 'node_load1', start: String(s(M - 3 * 24 * HOUR)), end: String(s(M)), step: '1s' }, 422);
    expect(points.error).toMatchObject({ code: 'LIMIT_EXCEEDED', parameter: 'step' });
    expect(points.error.message).toMatch(/259200 points per series; the limit is 11000/);
  });

  it('CSV by format=csv or Accept: text/csv, quoted properly, as an attachment', async () => {
    for (const [params, headers] of [
      [{ metric: 'csv_quoting', ...lastHour, step: '30m', format: 'csv' }, {}],
      [{ metric: 'csv_quoting', ...lastHour, step: '30m' }, { accept: 'text/csv' }],
    ] as const) {
      const res = await authed(url('/api/v1/metrics/query', params), { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="csv_quoting-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv"$/);
      const rows = parseCsv(await res.text());
      expect(rows[0]).toEqual(['timestamp', 'unix', 'value', 'cluster', 'node', 'weird']);
      // 30-minute buckets are aligned to the epoch: an unaligned hour touches two or three.
      expect(rows.length - 1).toBeGreaterThanOrEqual(2);
      expect(rows.length - 1).toBeLessThanOrEqual(3);
      for (const r of rows.slice(1)) expect(r.slice(2)).toEqual(['1', 'c1', 'n1', NASTY_LABEL]);
      expect(new Date(rows[1]?.[0] ?? '').getTime() / 1000).toBe(Number(rows[1]?.[1]));
    }
  });

  it('names, labels and label values, scoped to the tenant', async () => {
    const get = async (path: string, params: Record<string, string> = {}) => (await authed(url(path, params))).json();
    expect(await get('/api/v1/metrics/names', { match: 'node_' })).toEqual({
      names: ['node_cpu_mode_percent', 'node_cpu_usage_percent', 'node_network_receive_bytes_total'],
      truncated: false,
    });
    expect((await get('/api/v1/metrics/names')).names).not.toContain('secret_metric');
    expect(await get('/api/v1/metrics/labels', { metric: 'node_cpu_mode_percent' })).toEqual({
      labels: ['cluster', 'mode', 'node'],
      truncated: false,
    });
    expect(await get('/api/v1/metrics/label/mode/values', { metric: 'node_cpu_mode_percent' })).toEqual({
      label: 'mode',
      values: ['idle', 'system', 'user'],
      truncated: false,
    });
    expect((await get('/api/v1/metrics/label/node/values')).values).toHaveLength(3 + 501);
  });

  it('bad input is a 400 naming the parameter', async () => {
    for (const [params, parameter] of [
      [{ metric: 'node_cpu_mode_percent', 'match[]': '{mode=~"a**"}' }, 'match[]'], // RE2 refuses it in ClickHouse
      [{ metric: 'node_cpu_mode_percent', 'match[]': '{mode=~"(?<=u)ser"}' }, 'match[]'],
      [{ metric: 'node_cpu_mode_percent', 'match[]': '{mode=~"a)|(b"}' }, 'match[]'], // would un-anchor the pattern
      [{ metric: 'node_cpu_mode_percent', start: '200', end: '100' }, 'start'],
      [{ metric: 'node_cpu_mode_percent', step: '0' }, 'step'],
      [{ metric: 'node_cpu_mode_percent', agg: 'median' }, 'agg'],
      [{ metric: 'node_cpu_mode_percent', by: 'mode,1x' }, 'by'],
      [{ metric: 'node_cpu_mode_percent', limit: '10' }, 'limit'],
    ] as const) {
      const body = await query(params, 400);
      expect(body.error.code).toBe('BAD_PARAMETER');
      expect(body.error.parameter, JSON.stringify(params)).toBe(parameter);
      expect(body.error.message).toContain(parameter);
    }
  });

  it('injection strings through every parameter: a 400 or a normal answer, never a 500', async () => {
    const strings = [
      "'; DROP TABLE samples; --",
      "\\'",
      ') OR 1=1 --',
      '`samples`',
      '{x:String}',
      '’ ‘ “ ” ＇',
      '\u0000',
      `${'A'.repeat(5000)}'`,
    ];
    const base = { metric: 'node_cpu_mode_percent', ...lastHour };
    const cases: Array<[string, string]> = [];
    for (const x of strings) {
      const q = (p: Record<string, string>) => url('/api/v1/metrics/query', { ...base, ...p });
      cases.push(
        ['metric', q({ metric: x })],
        ['match[] label', q({ 'match[]': `{${x}="a"}` })],
        ['match[] value', q({ 'match[]': `{mode=${JSON.stringify(x)}}` })],
        ['match[] raw value', q({ 'match[]': `{mode="${x}"}` })],
        ['match[] regex', q({ 'match[]': `{mode=~${JSON.stringify(x)}}` })],
        ['match[<label>] name', q({ [`match[${x}]`]: 'a' })],
        ['match[<label>] value', q({ 'match[mode]': x })],
        ['by', q({ by: x })],
        ['agg', q({ agg: x })],
        ['step', q({ step: x })],
        ['start', q({ start: x })],
        ['end', q({ end: x })],
        ['resolution', q({ resolution: x })],
        ['format', q({ format: x })],
        ['names match', url('/api/v1/metrics/names', { match: x })],
        ['labels metric', url('/api/v1/metrics/labels', { metric: x })],
        ['values name', `${hub?.httpUrl}/api/v1/metrics/label/${encodeURIComponent(x)}/values`],
        ['values metric', url('/api/v1/metrics/label/mode/values', { metric: x })],
      );
    }
    for (const [what, target] of cases) {
      const res = await authed(target);
      const text = await res.text();
      expect([200, 400], `${what}: ${res.status} ${text.slice(0, 300)}`).toContain(res.status);
      const body = JSON.parse(text);
      if (res.status === 400) expect(body.error.code).toBe('BAD_PARAMETER');
    }
    // The hub still answers as before.
    const after = await query({ ...base, 'match[mode]': 'user' });
    expect(after.series[0]?.points[0]?.[1]).toBe(60);
  });

  // Last: stops the hub.
  it('nothing was written: every table exists with the same row count', async () => {
    await hub?.process.stop();
    hub = undefined;
    const countsAfter = await withStore(chdbPath, (_store, count) => count());
    expect(Object.keys(countsBefore)).toEqual(expect.arrayContaining(['samples', 'series', 'agents', 'events', 'ingest_batches']));
    expect(countsBefore.samples).toBeGreaterThan(25_000);
    expect(countsAfter).toEqual(countsBefore);
  });
});
