import { beforeAll, describe, expect, it } from 'vitest';
import type { RangeQuery, Resolution } from '../../../hub/src/store/metrics-store.ts';
import { block, flatten, flattenGroups, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of every range aggregation, grouping, rate across counter resets, and rollups answering as raw. */
export function describeAggregations(ctx: MetricsContractContext): void {
  describe('range aggregations, grouping, rate and rollups', () => {
    const tenant = tenantFor('aggregations');
    // Recent and hour-aligned: raw samples older than the retention (days) may be dropped at once.
    const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const t0 = T0 / 1000;
    const X = 101n; // gauge 1..120, one point a second for two minutes
    const Y = 102n; // gauge, one point a minute
    const Z = 103n; // counter with two resets
    const W = 104n; // counter, steady 6/s
    const V = 105n; // counter sampled once a minute, reset between samples
    const U = 106n; // counter sampled once every 5 minutes, reset between samples
    const xs = Array.from({ length: 120 }, (_, i) => i + 1);
    const zs = [0, 10, 20, 30, 5, 15, 25, 35, 45, 0, 10, 20];
    const vs = [100, 160, 40, 100];
    const us = [0, 300, 600, 100, 400];
    const end = T0 + 3_600_000;

    /** Linear interpolation between closest ranks (numpy's default, R type 7): the definition used for raw percentiles. */
    const quantile = (values: number[], q: number) => {
      const s = [...values].sort((a, b) => a - b);
      const h = (s.length - 1) * q;
      const lo = Math.floor(h);
      return (s[lo] as number) + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] as number) - (s[lo] as number));
    };
    const range = async (aggregation: RangeQuery['aggregation'], seriesIds: bigint[], over: Partial<RangeQuery> = {}) =>
      flatten(await ctx.store.queryRange({ tenant, seriesIds, startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over }));
    const groupedAnswer = (aggregation: RangeQuery['aggregation'], groups: bigint[][], over: Partial<RangeQuery> = {}) =>
      ctx.store.queryGroupedRange({ tenant, groups, startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over });
    const grouped = async (aggregation: RangeQuery['aggregation'], groups: bigint[][], over: Partial<RangeQuery> = {}) =>
      flattenGroups(await groupedAnswer(aggregation, groups, over));
    const values = (rows: Array<{ value: number }>) => rows.map((r) => r.value);
    const rollups = async (): Promise<Array<Exclude<Resolution, 'raw'>>> =>
      (await ctx.store.resolutions()).filter((r): r is Exclude<Resolution, 'raw'> => r !== 'raw');

    beforeAll(async () => {
      await ctx.store.insertSamples(
        [
          {
            tenant,
            cluster: 'c1',
            block: block([
              ...xs.map((v, i): [bigint, number, number] => [X, T0 + i * 1000, v]),
              [Y, T0 + 5_000, 1000],
              [Y, T0 + 65_000, 2000],
              ...zs.map((v, k): [bigint, number, number] => [Z, T0 + k * 10_000, v]),
              ...zs.map((_, k): [bigint, number, number] => [W, T0 + k * 10_000, k * 60]),
              ...vs.map((v, m): [bigint, number, number] => [V, T0 + m * 60_000 + 30_000, v]),
              ...us.map((v, k): [bigint, number, number] => [U, T0 + k * 300_000 + 150_000, v]),
            ]),
          },
        ],
        [],
      );
    });

    it('resolutions start with raw', async () => {
      expect((await ctx.store.resolutions())[0]).toBe('raw');
    });

    it('count and exact percentiles per step on raw samples', async () => {
      const first = xs.slice(0, 60);
      const second = xs.slice(60);
      expect(values(await range('count', [X]))).toEqual([60, 60]);
      for (const [agg, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        const got = values(await range(agg, [X]));
        expect(got[0]).toBeCloseTo(quantile(first, q), 9);
        expect(got[1]).toBeCloseTo(quantile(second, q), 9);
      }
      expect(values(await range('p95', [X]))).toEqual([57.05, 117.05].map((v) => expect.closeTo(v, 9)));
    });

    it('grouped: each group pools its series per step, for every point aggregation', async () => {
      const pool0 = [...xs.slice(0, 60), 1000];
      const pool1 = [...xs.slice(60), 2000];
      const expectGroups = async (agg: RangeQuery['aggregation'], a: number, b: number) => {
        // Group 0 is V alone: one sample a step, 100 then 160 in the first two minutes.
        expect(await grouped(agg, [[V], [X, Y]], { endMs: T0 + 120_000 }), agg).toEqual([
          { group: 0, t: t0, value: agg === 'count' ? 1 : 100 },
          { group: 0, t: t0 + 60, value: agg === 'count' ? 1 : 160 },
          { group: 1, t: t0, value: expect.closeTo(a, 9) },
          { group: 1, t: t0 + 60, value: expect.closeTo(b, 9) },
        ]);
      };
      const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
      await expectGroups('avg', sum(pool0) / 61, sum(pool1) / 61);
      await expectGroups('sum', 2830, 7430);
      await expectGroups('count', 61, 61);
      await expectGroups('min', 1, 61);
      await expectGroups('max', 1000, 2000);
      await expectGroups('last', 60, 120); // the latest sample of the group: X's, at 59 s and 119 s
      await expectGroups('p50', 31, 91);
      await expectGroups('p99', quantile(pool0, 0.99), quantile(pool1, 0.99));
    });

    it('grouped: no groups or empty groups give no rows; groups keep their index', async () => {
      expect(await grouped('avg', [])).toEqual([]);
      expect(await grouped('avg', [[], [Y]])).toEqual([
        { group: 1, t: t0, value: 1000 },
        { group: 1, t: t0 + 60, value: 2000 },
      ]);
    });

    it('grouped: one entry per group with points, ordered by group; times and values of equal length', async () => {
      // Group 1 is empty and group 3 has only a series without points: both are absent.
      const got = await groupedAnswer('sum', [[Y], [], [X, V], [999n]], { endMs: T0 + 120_000 });
      expect(got.map((g) => g.group)).toEqual([0, 2]);
      for (const g of got) expect(g.values.length).toBe(g.t.length);
      expect(Array.from(got[0]?.t ?? [])).toEqual([t0, t0 + 60]);
      expect(Array.from(got[0]?.values ?? [])).toEqual([1000, 2000]);
      expect(Array.from(got[1]?.t ?? [])).toEqual([t0, t0 + 60]);
      expect(Array.from(got[1]?.values ?? [])).toEqual([1830 + 100, 5430 + 160]);
    });

    it('rate: per-second increase per step; a decrease is a restart from zero', async () => {
      // Z increases 10,10,10,(reset)5,10 | 10,10,10,(reset)0,10,10; its first sample has nothing before it.
      expect(await range('rate', [Z])).toEqual([
        { seriesId: Z, t: t0, value: expect.closeTo(45 / 60, 12) },
        { seriesId: Z, t: t0 + 60, value: expect.closeTo(50 / 60, 12) },
      ]);
      // Grouped, the rates of the group's series add up.
      expect(values(await grouped('rate', [[Z, W]]))).toEqual([expect.closeTo(45 / 60 + 5, 12), expect.closeTo(50 / 60 + 6, 12)]);
    });

    it('rate: the increase into a step from a sample before the range start counts', async () => {
      // V: 100 at 0:30, 160 at 1:30, 40 (reset) at 2:30, 100 at 3:30. Starting at 1:00 still sees 100 → 160.
      expect(values(await range('rate', [V], { startMs: T0 + 60_000 }))).toEqual([1, 40 / 60, 1].map((v) => expect.closeTo(v, 12)));
    });

    it('1m rollup: the same answers as raw for avg, min, max, sum, count, last; percentiles refuse rollups', async () => {
      expect(await rollups()).toContain('1m');
      for (const agg of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
        expect(await range(agg, [X, Y], { resolution: '1m' }), agg).toEqual(await range(agg, [X, Y]));
        expect(await grouped(agg, [[X, Y]], { resolution: '1m' }), agg).toEqual(await grouped(agg, [[X, Y]]));
      }
      for (const agg of ['p50', 'p95', 'p99'] as const) {
        await expect(range(agg, [X], { resolution: '1m' }), agg).rejects.toThrow(`${agg} is computed from raw samples`);
        await expect(range(agg, [X], { resolution: '1h', stepSeconds: 3600 }), agg).rejects.toThrow('cannot read the 1h rollup');
      }
    });

    it('1m rollup: rate from each bucket’s last value, resets between buckets handled', async () => {
      expect(await rollups()).toContain('1m');
      expect(values(await range('rate', [V], { resolution: '1m' }))).toEqual([1, 40 / 60, 1].map((v) => expect.closeTo(v, 12)));
    });

    it('1h rollup: one bucket for the hour', async () => {
      expect(await rollups()).toContain('1h');
      const hour = (agg: RangeQuery['aggregation']) => range(agg, [X], { resolution: '1h', stepSeconds: 3600 });
      expect(await hour('avg')).toEqual([{ seriesId: X, t: t0, value: 60.5 }]);
      expect(values(await hour('sum'))).toEqual([7260]);
      expect(values(await hour('count'))).toEqual([120]);
      expect(values(await hour('min'))).toEqual([1]);
      expect(values(await hour('max'))).toEqual([120]);
      expect(values(await hour('last'))).toEqual([120]);
    });

    it('5m rollup: at a 5-minute step the same answers as raw and 1m; rate from each bucket’s last value', async () => {
      expect(await rollups()).toContain('5m');
      const five = { stepSeconds: 300 };
      for (const agg of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
        const raw = await range(agg, [X, Y, U], five);
        expect(raw.length, agg).toBeGreaterThan(0);
        expect(await range(agg, [X, Y, U], { ...five, resolution: '5m' }), agg).toEqual(raw);
        expect(await range(agg, [X, Y, U], { ...five, resolution: '1m' }), agg).toEqual(raw);
        expect(await grouped(agg, [[X, Y], [U]], { ...five, resolution: '5m' }), agg).toEqual(await grouped(agg, [[X, Y], [U]], five));
      }
      // U: 0, 300, 600, 100 (reset), 400, one sample in each 5-minute bucket.
      expect(values(await range('rate', [U], { ...five, resolution: '5m' }))).toEqual(
        [1, 1, 100 / 300, 1].map((v) => expect.closeTo(v, 12)),
      );
      expect(await range('rate', [U], { ...five, resolution: '5m' })).toEqual(await range('rate', [U], five));
      await expect(range('p95', [X], { ...five, resolution: '5m' })).rejects.toThrow('cannot read the 5m rollup');
      // Fed from 5m, the hour still holds everything.
      expect(values(await range('count', [X, U], { resolution: '1h', stepSeconds: 3600 }))).toEqual([120, 5]);
    });

    it('rollups merge the partial rows of separate inserts into the same buckets', async () => {
      const S = 107n;
      // Three inserts, each touching the same minutes, 5 minutes and hour; `last` arrives out of order.
      for (const part of [
        [
          [S, T0 + 1_000, 5],
          [S, T0 + 61_000, 1],
          [S, T0 + 301_000, 8],
        ],
        [
          [S, T0 + 59_000, 2],
          [S, T0 + 62_000, -4],
          [S, T0 + 599_000, 3],
        ],
        [
          [S, T0 + 30_000, 9],
          [S, T0 + 119_000, 6],
          [S, T0 + 302_000, 0],
        ],
      ] as Array<Array<[bigint, number, number]>>) {
        await ctx.store.insertSamples([{ tenant, cluster: 'c1', block: block(part) }], []);
      }
      for (const [resolution, stepSeconds] of [
        ['1m', 60],
        ['5m', 300],
        ['1h', 3600],
        ['1m', 300],
        ['5m', 3600],
      ] as const) {
        for (const agg of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
          const raw = await range(agg, [S], { stepSeconds });
          expect(raw.length, `${agg} ${resolution} ${stepSeconds}`).toBeGreaterThan(0);
          expect(await range(agg, [S], { stepSeconds, resolution }), `${agg} ${resolution} ${stepSeconds}`).toEqual(raw);
        }
      }
      expect(values(await range('last', [S], { stepSeconds: 300, resolution: '5m' }))).toEqual([6, 3]);
    });

    it('a rollup bucket holding the start counts whole', async () => {
      expect(await rollups()).toContain('1m');
      // Raw from 0:30 sees 31..60; the 1m bucket at 0:00 is read whole (1..60).
      expect(values(await range('count', [X], { startMs: T0 + 30_000 }))).toEqual([30, 60]);
      expect(values(await range('count', [X], { startMs: T0 + 30_000, resolution: '1m' }))).toEqual([60, 60]);
    });

    it('another tenant reads nothing even with the right series ids', async () => {
      expect(await range('avg', [X], { tenant: tenantFor('aggregations-other') })).toEqual([]);
      expect(await grouped('sum', [[X]], { tenant: tenantFor('aggregations-other') })).toEqual([]);
    });
  });
}
