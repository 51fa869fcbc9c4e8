import { beforeAll, describe, expect, it } from 'vitest';
import { block, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of queryRange and queryGroupedRange with pointsJson: the text equals JSON.stringify of the points. */
export function describePointsJson(ctx: MetricsContractContext): void {
  describe('queryRange with pointsJson: the points as JSON text', () => {
    const tenant = tenantFor('points-json');
    const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const P = 301n;
    const Q = 302n;
    // Every spelling JSON.stringify has for a double, one a minute (so `last` of a minute is the value).
    const special = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      1e21,
      -1e21,
      1.5e300,
      123456789012345680000,
      1e-7,
      -1.5e-7,
      1e-6,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      -2.2250738585072014e-308,
      0.1 + 0.2,
      2 ** 53 + 2,
      -5,
      66.11733515042191,
    ];
    // And random bit patterns: every exponent and mantissa, NaN payloads included.
    const random = (() => {
      let x = 0x2545f491;
      const next = () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x >>> 0;
      };
      const words = Uint32Array.from({ length: 600 }, next);
      return Array.from(new Float64Array(words.buffer));
    })();
    const end = T0 + 3_600_000;
    const reference = (t: ArrayLike<number>, v: ArrayLike<number>) => JSON.stringify(Array.from(t, (x, i) => [x, v[i]])).slice(1, -1);
    const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));
    const exact = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : x));

    beforeAll(async () => {
      await ctx.store.insertSamples(
        [
          {
            tenant,
            cluster: 'c1',
            block: block([
              ...special.map((v, i): [bigint, number, number] => [P, T0 + i * 60_000 + 1_000, v]),
              ...random.map((v, i): [bigint, number, number] => [Q, T0 + i * 5_000, v]),
            ]),
          },
        ],
        [],
      );
    });

    it('equals JSON.stringify of the [t, v] pairs, for every kind of double', async () => {
      const got = await ctx.store.queryRange({
        tenant,
        seriesIds: [P, Q],
        startMs: T0,
        endMs: end,
        stepSeconds: 60,
        aggregation: 'last',
        pointsJson: true,
      });
      expect(got.map((s) => s.seriesId)).toEqual([P, Q]);
      // The text first: a store may build times and values from it.
      const texts = got.map((s) => text(s.pointsJson));
      expect(exact(got[0]?.values ?? [])).toEqual(exact(special));
      for (const [i, s] of got.entries()) expect(texts[i], String(s.seriesId)).toBe(reference(s.t, s.values));
      // 5-second points, one-second step: every random double is a point of its own.
      const each = await ctx.store.queryRange({
        tenant,
        seriesIds: [Q],
        startMs: T0,
        endMs: end,
        stepSeconds: 1,
        aggregation: 'max',
        pointsJson: true,
      });
      const eachText = text(each[0]?.pointsJson);
      expect(exact(each[0]?.values ?? [])).toEqual(exact(random));
      expect(Array.from(each[0]?.t ?? [])).toEqual(random.map((_, i) => Math.floor((T0 + i * 5_000) / 1000)));
      expect(eachText).toBe(reference(each[0]?.t ?? [], each[0]?.values ?? []));
      // The same answer without text.
      const plainEach = await ctx.store.queryRange({ tenant, seriesIds: [Q], startMs: T0, endMs: end, stepSeconds: 1, aggregation: 'max' });
      expect(exact(plainEach[0]?.values ?? [])).toEqual(exact(random));
    });

    it('grouped, from a rollup, and for rate too; absent when not asked for', async () => {
      const grouped = await ctx.store.queryGroupedRange({
        tenant,
        groups: [[P], [Q]],
        startMs: T0,
        endMs: end,
        stepSeconds: 60,
        aggregation: 'sum',
        pointsJson: true,
      });
      expect(grouped.map((g) => g.group)).toEqual([0, 1]);
      const sums = await ctx.store.queryGroupedRange({
        tenant,
        groups: [[P], [Q]],
        startMs: T0,
        endMs: end,
        stepSeconds: 60,
        aggregation: 'sum',
      });
      for (const [i, g] of grouped.entries()) {
        expect(text(g.pointsJson)).toBe(reference(g.t, g.values));
        expect(Array.from(g.t)).toEqual(Array.from(sums[i]?.t ?? []));
        expect(Array.from(g.values)).toEqual(Array.from(sums[i]?.values ?? []));
      }
      const resolutions = await ctx.store.resolutions();
      for (const resolution of resolutions) {
        // (Rate needs a bucket before: the data spans less than two hours.)
        for (const aggregation of resolution === '1h' ? (['avg'] as const) : (['avg', 'rate'] as const)) {
          const stepSeconds = resolution === '1h' ? 3600 : 300;
          const rows = await ctx.store.queryRange({
            tenant,
            seriesIds: [P, Q],
            startMs: T0,
            endMs: end,
            stepSeconds,
            aggregation,
            resolution,
            pointsJson: true,
          });
          expect(rows.length, `${resolution} ${aggregation}`).toBeGreaterThan(0);
          const without = await ctx.store.queryRange({
            tenant,
            seriesIds: [P, Q],
            startMs: T0,
            endMs: end,
            stepSeconds,
            aggregation,
            resolution,
          });
          for (const [i, s] of rows.entries()) {
            expect(text(s.pointsJson), `${resolution} ${aggregation}`).toBe(reference(s.t, s.values));
            expect(exact(s.values), `${resolution} ${aggregation}`).toEqual(exact(without[i]?.values ?? []));
          }
        }
      }
      const plain = await ctx.store.queryRange({ tenant, seriesIds: [P], startMs: T0, endMs: end, stepSeconds: 60, aggregation: 'last' });
      expect(plain[0]?.pointsJson).toBeUndefined();
    });
  });
}
