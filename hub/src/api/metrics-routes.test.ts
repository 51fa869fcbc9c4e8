import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HUB_ADMIN_FOR_TESTS } from '../auth/trusted-principal.ts';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import type { GroupedRangeQuery, MetricsStore, RangeQuery, Resolution, SeriesRecord, SeriesSelector } from '../store/metrics-store.ts';
import { InvalidQueryError } from '../store/query-error.ts';
import { buildApiServer } from './api-server.ts';

const NOW = Date.UTC(2025, 0, 10, 12);

/** Records what the routes ask the store; answers from fields the tests set. */
class RecordingStore {
  series: SeriesRecord[] = [];
  available: Resolution[] = ['raw', '1m', '5m', '1h'];
  findError: Error | null = null;
  selectors: SeriesSelector[] = [];
  ranges: RangeQuery[] = [];
  grouped: GroupedRangeQuery[] = [];
  catalog: unknown[] = [];
  /** When set, queryRange answers these series (in the map's order) instead of one point per id. */
  points: Map<bigint, { t: ArrayLike<number>; values: ArrayLike<number> }> | null = null;
  /** Groups queryGroupedRange leaves out, as a store does for groups without points. */
  emptyGroups = new Set<number>();

  /** Only what the query routes call; anything else is absent, so a stray call fails loudly. */
  asStore(): MetricsStore {
    const used: Partial<MetricsStore> = {
      ping: async () => undefined,
      findSeries: async (s) => {
        this.selectors.push(s);
        if (this.findError) throw this.findError;
        return this.series.slice(0, s.limit);
      },
      queryRange: async (q) => {
        this.ranges.push(q);
        if (this.points) return [...this.points].filter(([id]) => q.seriesIds.includes(id)).map(([seriesId, p]) => ({ seriesId, ...p }));
        return q.seriesIds.map((id) => ({ seriesId: id, t: Uint32Array.of(1_736_510_400), values: Float64Array.of(Number(id)) }));
      },
      queryGroupedRange: async (q) => {
        this.grouped.push(q);
        return q.groups
          .map((ids, group) => ({ group, t: [1_736_510_400], values: [ids.length] }))
          .filter((g) => !this.emptyGroups.has(g.group));
      },
      resolutions: async () => this.available,
      metricNames: async (q) => {
        this.catalog.push(q);
        return ['node_load1', 'node_load5'];
      },
      labelNames: async (q) => {
        this.catalog.push(q);
        return ['cluster', 'node'];
      },
      labelValues: async (q) => {
        this.catalog.push(q);
        return ['a', 'b'];
      },
    };
    return used as MetricsStore;
  }
}

const series = (n: number, over: (i: number) => Partial<SeriesRecord> = () => ({})): SeriesRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: BigInt(i + 1),
    tenant: 'default',
    cluster: `c${i % 2}`,
    node: `n${i}`,
    metric: 'node_load1',
    labels: { mode: 'user' },
    kind: 'gauge',
    unit: '',
    ...over(i),
  }));

let app: FastifyInstance;
let store: RecordingStore;

beforeAll(async () => {
  store = new RecordingStore();
  app = await buildApiServer({
    store: store.asStore(),
    registry: { list: async () => [] } as unknown as AgentRegistry,
    readiness: [],
    consoleDir: '/nonexistent-console-dir',
    defaultTenant: 'default',
    auth: { trustedPrincipal: HUB_ADMIN_FOR_TESTS },
    now: () => NOW,
  });
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  Object.assign(store, {
    series: series(3),
    available: ['raw', '1m', '5m', '1h'],
    findError: null,
    selectors: [],
    ranges: [],
    grouped: [],
    catalog: [],
    points: null,
    emptyGroups: new Set(),
  });
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

async function expectError(url: string, status: number, parameter: string, message?: RegExp) {
  const res = await get(url);
  expect(res.statusCode, url).toBe(status);
  const body = res.json() as { error: { code: string; parameter: string; message: string } };
  expect(body.error.code).toBe(status === 422 ? 'LIMIT_EXCEEDED' : 'BAD_PARAMETER');
  expect(body.error.parameter, url).toBe(parameter);
  if (message) expect(body.error.message).toMatch(message);
  return body.error;
}

describe('GET /api/v1/metrics/query', () => {
  it('answers the console query: series[].labels and [unix s, value] points, resolution reported', async () => {
    const res = await get('/api/v1/metrics/query?metric=node_load1&match[node]=n1&start=1736510400&end=1736514000&step=10s');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ metric: 'node_load1', resolution: 'raw', step: 10, aggregation: 'avg', by: [] });
    expect(body.series[0]).toEqual({ labels: { mode: 'user', node: 'n0', cluster: 'c0' }, points: [[1_736_510_400, 1]] });
    expect(store.selectors[0]).toEqual({
      tenant: 'default',
      metric: 'node_load1',
      matchers: [{ label: 'node', op: '=', value: 'n1' }],
      limit: 501,
    });
  });

  it('the hand-written JSON is exactly JSON.stringify of the answer: null for non-finite values, escaped labels, empty series', async () => {
    const tricky = { quote: 'say "hi"', backslash: 'a\\b\\', unicode: 'é ’ 中 😀 \u2028', control: 'tab\tnl\n\u0001' };
    store.series = series(4, (i) => ({ labels: i === 1 ? tricky : { mode: `m${i}` } }));
    const values = [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e21, 1e-7, 0.1 + 0.2];
    const t = values.map((_, i) => 1_736_510_400 + i * 10);
    // Series 3 has no points; the store answers out of id order.
    store.points = new Map([
      [4n, { t: [1_736_510_400], values: [Number.NaN] }],
      [1n, { t: Uint32Array.from(t), values: Float64Array.from(values) }],
      [2n, { t: [1_736_510_400, 1_736_510_410], values: [-2, 3] }],
    ]);
    const res = await get('/api/v1/metrics/query?metric=node_load1&start=1736510400&end=1736514000&step=10s');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const points = (id: bigint) => {
      const p = store.points?.get(id);
      return p ? Array.from(p.t, (x, i) => [x, p.values[i]]) : [];
    };
    const expected = {
      metric: 'node_load1',
      resolution: 'raw',
      step: 10,
      aggregation: 'avg',
      by: [],
      start: 1736510400,
      end: 1736514000,
      series: store.series.map((s) => ({ labels: { ...s.labels, node: s.node, cluster: s.cluster }, points: points(s.id) })),
    };
    expect(res.body).toBe(JSON.stringify(expected));
    expect(res.rawPayload.equals(Buffer.from(JSON.stringify(expected)))).toBe(true);
    expect(res.json().series[0].points.slice(1, 4)).toEqual([
      [1_736_510_410, null],
      [1_736_510_420, null],
      [1_736_510_430, null],
    ]);
    expect(res.json().series[2]).toEqual({ labels: { mode: 'm2', node: 'n2', cluster: 'c0' }, points: [] });
  });

  it('grouped: a group the store has no points for is in the answer with no points, in group order', async () => {
    store.series = series(4);
    store.emptyGroups = new Set([0, 2]);
    const res = await get('/api/v1/metrics/query?metric=node_load1&by=node&agg=max');
    expect(res.json().series).toEqual([
      { labels: { node: 'n0' }, points: [] },
      { labels: { node: 'n1' }, points: [[1_736_510_400, 1]] },
      { labels: { node: 'n2' }, points: [] },
      { labels: { node: 'n3' }, points: [[1_736_510_400, 1]] },
    ]);
  });

  it('picks the rollup by the rule and falls back when the table is missing', async () => {
    const week = 'start=1735900000&end=1736504800';
    expect((await get(`/api/v1/metrics/query?metric=m&${week}&step=1h`)).json().resolution).toBe('1h');
    expect(store.ranges.at(-1)?.resolution).toBe('1h');
    expect((await get(`/api/v1/metrics/query?metric=m&${week}&step=5m`)).json().resolution).toBe('5m');
    expect(store.ranges.at(-1)?.resolution).toBe('5m');
    expect((await get(`/api/v1/metrics/query?metric=m&${week}&step=1h&resolution=raw`)).json().resolution).toBe('raw');
    store.available = ['raw'];
    // The route caches what exists for a minute; a fresh server sees the change.
    const fresh = await buildApiServer({
      store: store.asStore(),
      registry: {} as AgentRegistry,
      readiness: [],
      consoleDir: '/nonexistent-console-dir',
      defaultTenant: 'default',
      auth: { trustedPrincipal: HUB_ADMIN_FOR_TESTS },
      now: () => NOW,
    });
    const res = await fresh.inject({ method: 'GET', url: `/api/v1/metrics/query?metric=m&${week}&step=1h` });
    expect(res.json().resolution).toBe('raw');
    const forced = await fresh.inject({ method: 'GET', url: `/api/v1/metrics/query?metric=m&${week}&step=1h&resolution=1h` });
    expect(forced.statusCode).toBe(400);
    expect(forced.json().error.parameter).toBe('resolution');
    await fresh.close();
  });

  it('groups with by: one result per group, labels only the by labels', async () => {
    store.series = series(6);
    const res = await get('/api/v1/metrics/query?metric=node_load1&by=cluster&agg=sum');
    expect(res.statusCode).toBe(200);
    expect(res.json().series).toEqual([
      { labels: { cluster: 'c0' }, points: [[1_736_510_400, 3]] },
      { labels: { cluster: 'c1' }, points: [[1_736_510_400, 3]] },
    ]);
    expect(store.grouped[0]?.groups).toEqual([
      [1n, 3n, 5n],
      [2n, 4n, 6n],
    ]);
    expect(store.selectors[0]?.limit).toBe(10_001);
  });

  it('more than 500 series is a 422 naming match[] with the numbers', async () => {
    store.series = series(501);
    const e = await expectError('/api/v1/metrics/query?metric=node_load1', 422, 'match[]', /more than 500 series; the limit is 500/);
    expect(e.message).toContain('by=');
  });

  it('more than 500 groups is a 422 naming by with the numbers', async () => {
    store.series = series(600);
    await expectError('/api/v1/metrics/query?metric=node_load1&by=node', 422, 'by', /gives 600 series; the limit is 500/);
    store.series = series(10_001);
    await expectError('/api/v1/metrics/query?metric=node_load1&by=cluster', 422, 'match[]', /more than 10000 series to group/);
  });

  it('too many points is a 422 naming step', async () => {
    await expectError(
      '/api/v1/metrics/query?metric=m&start=0&end=11001&step=1s',
      422,
      'step',
      /11001 points per series; the limit is 11000/,
    );
  });

  it('a regex the store cannot compile is a 400 naming match[]', async () => {
    store.findError = new InvalidQueryError('cannot compile the regex "a**" (RE2 syntax)', 'a**');
    await expectError('/api/v1/metrics/query?metric=m&match[]={mode=~"a**"}', 400, 'match[]', /cannot compile the regex "a\*\*"/);
  });

  it('other store failures stay 500s', async () => {
    store.findError = new Error('connection reset');
    expect((await get('/api/v1/metrics/query?metric=m')).statusCode).toBe(500);
  });

  it('unknown parameters are refused by the schema, all of them named', async () => {
    const e = await expectError('/api/v1/metrics/query?metric=m&limit=5&offset=2', 400, 'limit');
    expect(e.message).toMatch(/unknown parameters limit, offset; known: metric, match\[\], start/);
    await expectError('/api/v1/metrics/query?metric=m&match[a]x=1', 400, 'match[a]x', /unknown parameter/);
  });

  it('schema errors name the parameter: repeated, enum, too long', async () => {
    await expectError('/api/v1/metrics/query?metric=a&metric=b', 400, 'metric', /give it once/);
    await expectError('/api/v1/metrics/query?metric=m&agg=median', 400, 'agg', /"median" is not one of avg, min/);
    await expectError('/api/v1/metrics/query?metric=m&resolution=10m', 400, 'resolution', /not one of auto, raw, 1m, 5m, 1h/);
    await expectError(`/api/v1/metrics/query?metric=${'m'.repeat(201)}`, 400, 'metric', /longer than 200/);
    await expectError('/api/v1/metrics/query?metric=m&match[1bad]=x', 400, 'match[1bad]', /not a valid label name/);
  });

  it('match[] may be given several times; matchers combine', async () => {
    await get('/api/v1/metrics/query?metric=m&match[]={node="a"}&match[]={mode=~"user|system"}&match[cluster]=c');
    expect(store.selectors[0]?.matchers).toEqual([
      { label: 'node', op: '=', value: 'a' },
      { label: 'mode', op: '=~', value: 'user|system' },
      { label: 'cluster', op: '=', value: 'c' },
    ]);
  });

  it('CSV with format=csv or Accept: text/csv, as an attachment', async () => {
    for (const [url, headers] of [
      ['/api/v1/metrics/query?metric=node_load1&start=1736510400&end=1736514000&format=csv', {}],
      ['/api/v1/metrics/query?metric=node_load1&start=1736510400&end=1736514000', { accept: 'text/csv' }],
    ] as const) {
      const res = await get(url, headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="node_load1-20250110T120000Z-20250110T130000Z.csv"');
      expect(res.body.split('\r\n').slice(0, 2)).toEqual([
        'timestamp,unix,value,cluster,mode,node',
        '2025-01-10T12:00:00.000Z,1736510400,1,c0,user,n0',
      ]);
    }
    const json = await get('/api/v1/metrics/query?metric=node_load1&format=json', { accept: 'text/csv' });
    expect(json.headers['content-type']).toMatch(/application\/json/);
  });
});

describe('metric names, label names, label values', () => {
  it('pass the tenant, prefix and metric to the store', async () => {
    expect((await get('/api/v1/metrics/names?match=node_')).json()).toEqual({ names: ['node_load1', 'node_load5'], truncated: false });
    expect((await get('/api/v1/metrics/labels?metric=node_load1')).json()).toEqual({ labels: ['cluster', 'node'], truncated: false });
    expect((await get('/api/v1/metrics/label/mode/values?metric=node_load1')).json()).toEqual({
      label: 'mode',
      values: ['a', 'b'],
      truncated: false,
    });
    expect(store.catalog).toEqual([
      { tenant: 'default', prefix: 'node_', limit: 10_001 },
      { tenant: 'default', metric: 'node_load1', limit: 10_001 },
      { tenant: 'default', label: 'mode', metric: 'node_load1', limit: 10_001 },
    ]);
  });

  it('bad label names, metric names and unknown parameters are 400s naming them', async () => {
    await expectError('/api/v1/metrics/label/1bad/values', 400, 'name', /does not match/);
    await expectError(`/api/v1/metrics/label/${'a'.repeat(5000)}/values`, 400, 'name', /longer than 200/);
    await expectError(`/api/v1/metrics/label/${encodeURIComponent("x'] OR 1=1 --")}/values`, 400, 'name');
    await expectError('/api/v1/metrics/labels?metric=a-b', 400, 'metric', /does not match/);
    await expectError('/api/v1/metrics/names?prefix=x', 400, 'prefix', /unknown parameter/);
  });
});
