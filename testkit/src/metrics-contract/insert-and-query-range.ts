import { beforeAll, describe, expect, it } from 'vitest';
import type { RangeQuery } from '../../../hub/src/store/metrics-store.ts';
import { batchRecord, block, flatten, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of insertSamples then queryRange: per-step aggregation, ordering, range bounds, batches, retries. */
export function describeInsertAndQueryRange(ctx: MetricsContractContext): void {
  describe('insertSamples and queryRange', () => {
    const tenant = tenantFor('range');
    const T0 = Date.UTC(2025, 0, 1, 0, 0, 0); // aligned to every step used below
    const A = 2n ** 63n + 17n; // above the signed 64-bit range
    const B = 42n;
    const C = 4242n; // same tenant, never written
    const end = T0 + 180_000;
    const partA = block([
      [A, T0 - 1, 777], // before start: excluded
      [A, T0 + 500, 1],
      [A, T0 + 10_123, 3],
      [A, T0 + 59_998, 4],
      [A, T0 + 59_999, 5],
      [A, T0 + 60_000, 10],
      [A, T0 + 90_500, -0.5],
      [A, end, 999], // end is exclusive
    ]);
    const partB = block([
      [B, T0 + 1_000, 1e300],
      [B, T0 + 2_000, 0],
      [B, T0 + 120_001, 0],
    ]);
    const answer = (aggregation: RangeQuery['aggregation'], over: Partial<RangeQuery> = {}) =>
      ctx.store.queryRange({ seriesIds: [A, B], startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over });
    const q = async (aggregation: RangeQuery['aggregation'], over: Partial<RangeQuery> = {}) => flatten(await answer(aggregation, over));
    const t0 = T0 / 1000;

    beforeAll(async () => {
      await ctx.store.insertSamples(
        [
          { tenant, cluster: 'c1', block: partA },
          { tenant, cluster: 'c2', block: partB },
        ],
        [batchRecord(tenant, 1, { cluster: 'c1', points: partA.length }), batchRecord(tenant, 1, { cluster: 'c2', points: partB.length })],
      );
    });

    it('avg per step, rows ordered by series then time', async () => {
      expect(await q('avg')).toEqual([
        { seriesId: B, t: t0, value: 5e299 },
        { seriesId: B, t: t0 + 120, value: 0 },
        { seriesId: A, t: t0, value: 13 / 4 },
        { seriesId: A, t: t0 + 60, value: 4.75 },
      ]);
    });

    it('min, max and sum per step', async () => {
      expect((await q('min')).map((r) => r.value)).toEqual([0, 0, 1, -0.5]);
      expect((await q('max')).map((r) => r.value)).toEqual([1e300, 0, 5, 10]);
      expect((await q('sum')).map((r) => r.value)).toEqual([1e300, 0, 13, 9.5]);
    });

    it('last takes the latest point of each step, to the millisecond', async () => {
      expect(await q('last')).toEqual([
        { seriesId: B, t: t0, value: 0 },
        { seriesId: B, t: t0 + 120, value: 0 },
        { seriesId: A, t: t0, value: 5 },
        { seriesId: A, t: t0 + 60, value: -0.5 },
      ]);
    });

    it('a larger step merges buckets; a narrower range drops points', async () => {
      expect(await q('sum', { stepSeconds: 180 })).toEqual([
        { seriesId: B, t: t0, value: 1e300 },
        { seriesId: A, t: t0, value: 22.5 },
      ]);
      expect(await q('max', { seriesIds: [A], startMs: T0 + 59_999, endMs: T0 + 60_001 })).toEqual([
        { seriesId: A, t: t0, value: 5 },
        { seriesId: A, t: t0 + 60, value: 10 },
      ]);
    });

    it('one entry per series with points, ordered by series id; times and values of equal length', async () => {
      // Asked in another order and with C, which has no points: C is absent, B (42) comes before A (2^63 + 17).
      const got = await answer('avg', { seriesIds: [A, C, B] });
      expect(got.map((s) => s.seriesId)).toEqual([B, A]);
      for (const s of got) {
        expect(s.values.length).toBe(s.t.length);
        expect(Array.from(s.t)).toEqual([...Array.from(s.t)].sort((x, y) => x - y));
      }
      expect(Array.from(got[0]?.t ?? [])).toEqual([t0, t0 + 120]);
      expect(Array.from(got[0]?.values ?? [])).toEqual([5e299, 0]);
      expect(Array.from(got[1]?.t ?? [])).toEqual([t0, t0 + 60]);
      expect(Array.from(got[1]?.values ?? [])).toEqual([13 / 4, 4.75]);
      // A range where only A has points: B is absent rather than empty.
      expect((await answer('avg', { startMs: T0 + 59_999, endMs: T0 + 60_001 })).map((s) => s.seriesId)).toEqual([A]);
    });

    it('unknown or empty series ids give no rows', async () => {
      expect(await q('avg', { seriesIds: [C] })).toEqual([]);
      expect(await q('avg', { seriesIds: [] })).toEqual([]);
    });

    it('records the batches given with the samples', async () => {
      expect(await ctx.store.sequenceProgress(tenant, 'c1', 'n1', 1_700_000_000_000_123n)).toEqual({ contiguous: 1n, above: [] });
      expect(await ctx.store.sequenceProgress(tenant, 'c2', 'n1', 1_700_000_000_000_123n)).toEqual({ contiguous: 1n, above: [] });
    });

    it('a retried insert of the same points does not change query results', async () => {
      const retryTenant = tenantFor('retry');
      const D = 99n;
      const points = block([
        [D, T0 + 1_000, 2],
        [D, T0 + 2_000, 4],
      ]);
      await ctx.store.insertSamples([{ tenant: retryTenant, cluster: 'c1', block: points }], []);
      await ctx.store.insertSamples([{ tenant: retryTenant, cluster: 'c1', block: points }], []);
      const rows = await ctx.store.queryRange({ seriesIds: [D], startMs: T0, endMs: end, stepSeconds: 60, aggregation: 'sum' });
      expect(flatten(rows)).toEqual([{ seriesId: D, t: t0, value: 6 }]);
    });
  });
}
