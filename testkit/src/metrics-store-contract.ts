import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentRecord,
  BatchRecord,
  GroupedRangeSeries,
  LabelMatcher,
  MetricsStore,
  RangeQuery,
  RangeSeries,
  Resolution,
  SampleBlock,
  SeriesRecord,
} from '../../hub/src/store/metrics-store.ts';
import { InvalidQueryError } from '../../hub/src/store/query-error.ts';

/**
 * The MetricsStore contract: every implementation (and every connection kind) must pass it.
 * `make` is called once for the whole suite; each test writes under its own tenant, so the
 * store may be shared (chDB allows one data directory per process). The suite calls
 * `start()` itself and ends by shutting the store down twice.
 */
export function metricsStoreContract(name: string, make: () => Promise<{ store: MetricsStore; cleanup: () => Promise<void> }>): void {
  describe(`MetricsStore contract: ${name}`, () => {
    let store: MetricsStore;
    let cleanup: () => Promise<void> = async () => undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await make());
      await store.start();
    });

    afterAll(async () => {
      await cleanup();
    });

    const tenantFor = (what: string) => `contract-${what}-${randomUUID().slice(0, 8)}`;

    function series(tenant: string, id: bigint, over: Partial<SeriesRecord> = {}): SeriesRecord {
      return {
        id,
        tenant,
        cluster: 'c1',
        node: 'n1',
        metric: 'node_cpu_mode_percent',
        labels: {},
        kind: 'gauge',
        unit: 'percent',
        ...over,
      };
    }

    function block(points: Array<[id: bigint, tsMs: number, value: number]>): SampleBlock {
      const b: SampleBlock = {
        length: points.length,
        seriesLo: new Uint32Array(points.length),
        seriesHi: new Uint32Array(points.length),
        timestampsMs: new Float64Array(points.length),
        values: new Float64Array(points.length),
      };
      points.forEach(([id, ts, v], i) => {
        b.seriesLo[i] = Number(id & 0xffff_ffffn);
        b.seriesHi[i] = Number(id >> 32n);
        b.timestampsMs[i] = ts;
        b.values[i] = v;
      });
      return b;
    }

    function batchRecord(tenant: string, sequence: number, over: Partial<BatchRecord> = {}): BatchRecord {
      return {
        tenant,
        cluster: 'c1',
        node: 'n1',
        epoch: 1_700_000_000_000_123n,
        sequence: BigInt(sequence),
        points: 1,
        status: 'stored',
        ...over,
      };
    }

    /** A range answer as one row per point, ordered as the answer is, so assertions can compare points. */
    function flatten(answer: RangeSeries[]): Array<{ seriesId: bigint; t: number; value: number }> {
      return answer.flatMap((s) => Array.from(s.t, (t, i) => ({ seriesId: s.seriesId, t, value: s.values[i] as number })));
    }

    function flattenGroups(answer: GroupedRangeSeries[]): Array<{ group: number; t: number; value: number }> {
      return answer.flatMap((s) => Array.from(s.t, (t, i) => ({ group: s.group, t, value: s.values[i] as number })));
    }

    function agent(tenant: string, over: Partial<AgentRecord> = {}): AgentRecord {
      return {
        tenant,
        cluster: 'c1',
        node: 'n1',
        instanceId: 'i-0123456789abcdef0',
        instanceType: 'm5.large',
        availabilityZone: 'eu-west-1a',
        lifecycle: 'spot',
        agentVersion: '0.1.0',
        connected: true,
        lastSeenMs: Date.UTC(2025, 0, 1, 0, 0, 0, 123),
        ...over,
      };
    }

    const ids = (rows: SeriesRecord[]) => rows.map((r) => r.id);
    const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    it('ping works', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('start() again is idempotent and keeps data', async () => {
      const tenant = tenantFor('restart');
      const s = series(tenant, 77n);
      await store.insertSeries([s]);
      await store.start();
      await store.start();
      expect(await store.findSeries({ tenant, metric: s.metric, matchers: [], limit: 10 })).toEqual([s]);
    });

    it('insertSeries twice stores the series once, with every field intact (full 64-bit ids)', async () => {
      const tenant = tenantFor('series-once');
      const big = series(tenant, 2n ** 64n - 5n, {
        labels: { mode: 'idle', device: '/dev/nvme0n1' },
        kind: 'counter',
        unit: 'bytes',
        cluster: 'c9',
        node: 'ip-10-0-0-1',
      });
      const small = series(tenant, 3n, { labels: {} });
      await store.insertSeries([big, small]);
      await store.insertSeries([big]);
      await store.insertSeries([]);
      const found = await store.findSeries({ tenant, metric: big.metric, matchers: [], limit: 100 });
      expect(found).toEqual([small, big]); // ordered by id
    });

    describe('findSeries matchers', () => {
      const tenant = tenantFor('matchers');
      const metric = 'node_cpu_mode_percent';
      const all: SeriesRecord[] = [];
      let n = 0n;
      for (const node of ['n1', 'n2']) {
        for (const mode of ['idle', 'user', 'system']) {
          n += 1n;
          all.push(series(tenant, 1_000n + n * 3_000_000_000_000_000_000n, { node, labels: { mode, cpu: 'all' } }));
        }
      }
      const other = series(tenant, 5n, { metric: 'node_load1' });
      const pick = (pred: (s: SeriesRecord) => boolean) => sorted(all.filter(pred).map((s) => s.id));
      const find = async (matchers: LabelMatcher[], limit = 100) => ids(await store.findSeries({ tenant, metric, matchers, limit }));

      beforeAll(async () => {
        await store.insertSeries([...all, other]);
      });

      it('no matcher: every series of the metric, ordered by id, none of other metrics', async () => {
        expect(await find([])).toEqual(sorted(all.map((s) => s.id)));
      });

      it('= and != on a map label', async () => {
        expect(await find([{ label: 'mode', op: '=', value: 'idle' }])).toEqual(pick((s) => s.labels.mode === 'idle'));
        expect(await find([{ label: 'mode', op: '!=', value: 'idle' }])).toEqual(pick((s) => s.labels.mode !== 'idle'));
        expect(await find([{ label: 'mode', op: '=', value: 'steal' }])).toEqual([]);
      });

      it('=~ and !~ on a map label are anchored regexes', async () => {
        expect(await find([{ label: 'mode', op: '=~', value: 'idle|us.*' }])).toEqual(pick((s) => s.labels.mode !== 'system'));
        expect(await find([{ label: 'mode', op: '=~', value: 'dle' }])).toEqual([]);
        expect(await find([{ label: 'mode', op: '!~', value: 'idle|user' }])).toEqual(pick((s) => s.labels.mode === 'system'));
        expect(await find([{ label: 'mode', op: '!~', value: 'dle' }])).toEqual(pick(() => true));
      });

      it('=, !=, =~, !~ on node', async () => {
        expect(await find([{ label: 'node', op: '=', value: 'n1' }])).toEqual(pick((s) => s.node === 'n1'));
        expect(await find([{ label: 'node', op: '!=', value: 'n1' }])).toEqual(pick((s) => s.node !== 'n1'));
        expect(await find([{ label: 'node', op: '=~', value: 'n[12]' }])).toEqual(pick(() => true));
        expect(await find([{ label: 'node', op: '!~', value: 'n2' }])).toEqual(pick((s) => s.node === 'n1'));
      });

      it('matchers combine with AND', async () => {
        expect(
          await find([
            { label: 'node', op: '=', value: 'n2' },
            { label: 'mode', op: '=~', value: 'user|system' },
          ]),
        ).toEqual(pick((s) => s.node === 'n2' && s.labels.mode !== 'idle'));
      });

      it('limit caps the result, keeping the lowest ids', async () => {
        expect(await find([], 2)).toEqual(sorted(all.map((s) => s.id)).slice(0, 2));
      });
    });

    it('findSeries sees series inserted after the same lookup was answered; answers are the caller’s own', async () => {
      const tenant = tenantFor('series-later');
      const metric = 'node_cpu_mode_percent';
      const selector = { tenant, metric, matchers: [{ label: 'mode', op: '=~' as const, value: 'idle|user' }], limit: 10 };
      const first = series(tenant, 21n, { labels: { mode: 'idle' } });
      await store.insertSeries([first]);
      expect(await store.findSeries(selector)).toEqual([first]);
      const answer = await store.findSeries(selector);
      answer.pop(); // changing one answer changes no other
      expect(await store.findSeries(selector)).toEqual([first]);
      // Another metric of the tenant, and another tenant, leave the answer alone.
      await store.insertSeries([
        series(tenant, 22n, { metric: 'node_load1' }),
        series(tenantFor('series-later-b'), 23n, { labels: { mode: 'idle' } }),
      ]);
      expect(await store.findSeries(selector)).toEqual([first]);
      const second = series(tenant, 20n, { labels: { mode: 'user' } });
      await store.insertSeries([second]);
      expect(await store.findSeries(selector)).toEqual([second, first]);
      // Re-announcing a known series changes nothing.
      await store.insertSeries([first]);
      expect(await store.findSeries(selector)).toEqual([second, first]);
    });

    it("tenant isolation: another tenant's series are never returned", async () => {
      const mine = tenantFor('iso-a');
      const theirs = tenantFor('iso-b');
      await store.insertSeries([series(mine, 11n, { labels: { mode: 'idle' } }), series(theirs, 12n, { labels: { mode: 'idle' } })]);
      const found = await store.findSeries({
        tenant: mine,
        metric: 'node_cpu_mode_percent',
        matchers: [{ label: 'mode', op: '=~', value: '.*' }],
        limit: 100,
      });
      expect(ids(found)).toEqual([11n]);
      const none = await store.findSeries({ tenant: tenantFor('iso-none'), metric: 'node_cpu_mode_percent', matchers: [], limit: 100 });
      expect(none).toEqual([]);
    });

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
        store.queryRange({ seriesIds: [A, B], startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over });
      const q = async (aggregation: RangeQuery['aggregation'], over: Partial<RangeQuery> = {}) => flatten(await answer(aggregation, over));
      const t0 = T0 / 1000;

      beforeAll(async () => {
        await store.insertSamples(
          [
            { tenant, cluster: 'c1', block: partA },
            { tenant, cluster: 'c2', block: partB },
          ],
          [
            batchRecord(tenant, 1, { cluster: 'c1', points: partA.length }),
            batchRecord(tenant, 1, { cluster: 'c2', points: partB.length }),
          ],
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
        expect(await store.sequenceProgress(tenant, 'c1', 'n1', 1_700_000_000_000_123n)).toEqual({ contiguous: 1n, above: [] });
        expect(await store.sequenceProgress(tenant, 'c2', 'n1', 1_700_000_000_000_123n)).toEqual({ contiguous: 1n, above: [] });
      });

      it('a retried insert of the same points does not change query results', async () => {
        const retryTenant = tenantFor('retry');
        const D = 99n;
        const points = block([
          [D, T0 + 1_000, 2],
          [D, T0 + 2_000, 4],
        ]);
        await store.insertSamples([{ tenant: retryTenant, cluster: 'c1', block: points }], []);
        await store.insertSamples([{ tenant: retryTenant, cluster: 'c1', block: points }], []);
        const rows = await store.queryRange({ seriesIds: [D], startMs: T0, endMs: end, stepSeconds: 60, aggregation: 'sum' });
        expect(flatten(rows)).toEqual([{ seriesId: D, t: t0, value: 6 }]);
      });
    });

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
        await store.insertSamples(
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
        const got = await store.queryRange({
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
        const each = await store.queryRange({
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
        const plainEach = await store.queryRange({ tenant, seriesIds: [Q], startMs: T0, endMs: end, stepSeconds: 1, aggregation: 'max' });
        expect(exact(plainEach[0]?.values ?? [])).toEqual(exact(random));
      });

      it('grouped, from a rollup, and for rate too; absent when not asked for', async () => {
        const grouped = await store.queryGroupedRange({
          tenant,
          groups: [[P], [Q]],
          startMs: T0,
          endMs: end,
          stepSeconds: 60,
          aggregation: 'sum',
          pointsJson: true,
        });
        expect(grouped.map((g) => g.group)).toEqual([0, 1]);
        const sums = await store.queryGroupedRange({
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
        const resolutions = await store.resolutions();
        for (const resolution of resolutions) {
          // (Rate needs a bucket before: the data spans less than two hours.)
          for (const aggregation of resolution === '1h' ? (['avg'] as const) : (['avg', 'rate'] as const)) {
            const stepSeconds = resolution === '1h' ? 3600 : 300;
            const rows = await store.queryRange({
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
            const without = await store.queryRange({
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
        const plain = await store.queryRange({ tenant, seriesIds: [P], startMs: T0, endMs: end, stepSeconds: 60, aggregation: 'last' });
        expect(plain[0]?.pointsJson).toBeUndefined();
      });
    });

    describe('sequenceProgress', () => {
      const epoch = 1_700_000_000_000_456n;
      const progress = (tenant: string, e = epoch) => store.sequenceProgress(tenant, 'c1', 'n1', e);
      const record = (tenant: string, seqs: number[], over: Partial<BatchRecord> = {}) =>
        store.recordBatches(seqs.map((s) => batchRecord(tenant, s, { epoch, ...over })));

      it('nothing recorded: contiguous 0', async () => {
        expect(await progress(tenantFor('seq-none'))).toEqual({ contiguous: 0n, above: [] });
      });

      it('1..5: contiguous 5', async () => {
        const tenant = tenantFor('seq-run');
        await record(tenant, [3, 1, 5, 2, 4]);
        expect(await progress(tenant)).toEqual({ contiguous: 5n, above: [] });
      });

      it('1,2,4,7: contiguous 2, above [4, 7]', async () => {
        const tenant = tenantFor('seq-gaps');
        await record(tenant, [7, 1, 4, 2]);
        expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [4n, 7n] });
      });

      it('orders sequences numerically, not as text (2 < 10)', async () => {
        const tenant = tenantFor('seq-numeric');
        await record(tenant, [1, 10, 2, 11]);
        expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [10n, 11n] });
      });

      it('a gap at 1 leaves contiguous 0', async () => {
        const tenant = tenantFor('seq-nofirst');
        await record(tenant, [2, 3]);
        expect(await progress(tenant)).toEqual({ contiguous: 0n, above: [2n, 3n] });
      });

      it('rejected batches count as handled', async () => {
        const tenant = tenantFor('seq-rejected');
        await record(tenant, [1, 3]);
        await record(tenant, [2], { status: 'rejected' });
        expect(await progress(tenant)).toEqual({ contiguous: 3n, above: [] });
      });

      it('a batch recorded twice counts once', async () => {
        const tenant = tenantFor('seq-dup');
        await record(tenant, [1, 1, 2]);
        await record(tenant, [2, 4]);
        expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [4n] });
      });

      it('is kept per tenant, cluster, node and epoch', async () => {
        const tenant = tenantFor('seq-scope');
        await record(tenant, [1, 2, 3]);
        expect(await progress(tenant, epoch + 1n)).toEqual({ contiguous: 0n, above: [] });
        expect(await store.sequenceProgress(tenant, 'c2', 'n1', epoch)).toEqual({ contiguous: 0n, above: [] });
        expect(await store.sequenceProgress(tenant, 'c1', 'n2', epoch)).toEqual({ contiguous: 0n, above: [] });
        expect(await progress(tenantFor('seq-scope-other'))).toEqual({ contiguous: 0n, above: [] });
      });

      it('sequenceProgressMany: one answer per key in the order given, equal to sequenceProgress', async () => {
        const tenant = tenantFor('seq-many');
        await record(tenant, [1, 2, 3]);
        await record(tenant, [1, 4, 6], { node: 'n2' });
        await record(tenant, [2, 10], { node: 'n3' });
        const odd = `it's \\ "odd")`;
        await record(tenant, [1, 3], { node: odd });
        const keys = [
          { tenant, cluster: 'c1', node: odd, epoch },
          { tenant, cluster: 'c1', node: 'n3', epoch },
          { tenant, cluster: 'c1', node: 'never', epoch },
          { tenant, cluster: 'c1', node: 'n1', epoch },
          { tenant, cluster: 'c1', node: 'n2', epoch },
          { tenant, cluster: 'c1', node: 'n1', epoch: epoch + 1n },
          { tenant, cluster: 'c1', node: 'n1', epoch },
        ];
        const many = await store.sequenceProgressMany(keys);
        expect(many).toEqual([
          { contiguous: 1n, above: [3n] },
          { contiguous: 0n, above: [2n, 10n] },
          { contiguous: 0n, above: [] },
          { contiguous: 3n, above: [] },
          { contiguous: 1n, above: [4n, 6n] },
          { contiguous: 0n, above: [] },
          { contiguous: 3n, above: [] },
        ]);
        for (const [i, k] of keys.entries()) expect(await store.sequenceProgress(k.tenant, k.cluster, k.node, k.epoch)).toEqual(many[i]);
        expect(await store.sequenceProgressMany([])).toEqual([]);
      });

      it('insertSamples with no points still records its batches', async () => {
        const tenant = tenantFor('seq-empty-samples');
        await store.insertSamples([], [batchRecord(tenant, 1, { epoch }), batchRecord(tenant, 2, { epoch, status: 'rejected' })]);
        expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [] });
      });
    });

    describe('agents', () => {
      it('upsertAgents twice: listAgents shows the newer lastSeen and connected flag', async () => {
        const tenant = tenantFor('agents');
        const first = agent(tenant, { connected: true, lastSeenMs: Date.UTC(2025, 0, 1, 0, 0, 0, 123) });
        const second = agent(tenant, { connected: false, lastSeenMs: Date.UTC(2025, 0, 1, 0, 5, 0, 456) });
        await store.upsertAgents([first]);
        await store.upsertAgents([second]);
        expect(await store.listAgents(tenant)).toEqual([second]);
      });

      it('an older report does not replace a newer one', async () => {
        const tenant = tenantFor('agents-stale');
        const newer = agent(tenant, { connected: true, lastSeenMs: Date.UTC(2025, 0, 2) });
        await store.upsertAgents([newer]);
        await store.upsertAgents([agent(tenant, { connected: false, lastSeenMs: Date.UTC(2025, 0, 1) })]);
        expect(await store.listAgents(tenant)).toEqual([newer]);
      });

      it('tenant filter: a tenant sees only its agents; null lists every tenant', async () => {
        const a = tenantFor('agents-a');
        const b = tenantFor('agents-b');
        const a1 = agent(a, { node: 'n2' });
        const a2 = agent(a, { node: 'n1', cluster: 'c2' });
        const b1 = agent(b);
        await store.upsertAgents([a1, a2, b1]);
        expect(await store.listAgents(a)).toEqual([agent(a, { node: 'n2' }), a2]); // ordered by cluster, node
        expect(await store.listAgents(b)).toEqual([b1]);
        expect(await store.listAgents(tenantFor('agents-none'))).toEqual([]);
        const everyone = await store.listAgents(null);
        expect(everyone).toEqual(expect.arrayContaining([a1, a2, b1]));
      });
    });

    it('insertEvents accepts events with and without a deadline', async () => {
      const tenant = tenantFor('events');
      await expect(
        store.insertEvents([
          {
            tenant,
            cluster: 'c1',
            node: 'n1',
            id: 'e1',
            kind: 'spot-interruption',
            timeMs: Date.UTC(2025, 0, 1),
            deadlineMs: Date.UTC(2025, 0, 1, 0, 2),
            message: 'two minutes',
            attributes: { action: 'terminate' },
          },
          {
            tenant,
            cluster: 'c1',
            node: 'n1',
            id: 'e2',
            kind: 'rebalance',
            timeMs: Date.UTC(2025, 0, 1, 0, 1),
            deadlineMs: 0,
            message: '',
            attributes: {},
          },
        ]),
      ).resolves.toBeUndefined();
      await expect(store.insertEvents([])).resolves.toBeUndefined();
    });

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
        flatten(await store.queryRange({ tenant, seriesIds, startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over }));
      const groupedAnswer = (aggregation: RangeQuery['aggregation'], groups: bigint[][], over: Partial<RangeQuery> = {}) =>
        store.queryGroupedRange({ tenant, groups, startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over });
      const grouped = async (aggregation: RangeQuery['aggregation'], groups: bigint[][], over: Partial<RangeQuery> = {}) =>
        flattenGroups(await groupedAnswer(aggregation, groups, over));
      const values = (rows: Array<{ value: number }>) => rows.map((r) => r.value);
      const rollups = async (): Promise<Array<Exclude<Resolution, 'raw'>>> =>
        (await store.resolutions()).filter((r): r is Exclude<Resolution, 'raw'> => r !== 'raw');

      beforeAll(async () => {
        await store.insertSamples(
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
        expect((await store.resolutions())[0]).toBe('raw');
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
          await store.insertSamples([{ tenant, cluster: 'c1', block: block(part) }], []);
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

    describe('findSeries: hostile input is data, bad regexes are typed errors', () => {
      const tenant = tenantFor('hostile');
      const metric = 'node_cpu_mode_percent';
      const nasty = `'; DROP TABLE samples; -- ) OR 1=1 {x:String} \\' \` ’`;
      const plain = series(tenant, 201n, { labels: { mode: 'idle' } });
      const odd = series(tenant, 202n, { labels: { mode: nasty, [nasty]: 'x' } });
      const find = async (matchers: LabelMatcher[]) => ids(await store.findSeries({ tenant, metric, matchers, limit: 10 }));

      beforeAll(async () => {
        await store.insertSeries([plain, odd]);
      });

      it('label values and names with SQL metacharacters match literally', async () => {
        expect(await find([{ label: 'mode', op: '=', value: nasty }])).toEqual([202n]);
        expect(await find([{ label: 'mode', op: '!=', value: nasty }])).toEqual([201n]);
        expect(await find([{ label: nasty, op: '=', value: 'x' }])).toEqual([202n]);
        expect(await find([{ label: 'mode', op: '=~', value: '.*DROP TABLE.*' }])).toEqual([202n]);
        expect(await find([{ label: 'mode', op: '=', value: "' OR '1'='1" }])).toEqual([]);
      });

      it('a regex ClickHouse cannot compile is an InvalidQueryError naming it', async () => {
        const rejected = store.findSeries({ tenant, metric, matchers: [{ label: 'mode', op: '=~', value: 'a**' }], limit: 10 });
        await expect(rejected).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(rejected).rejects.toMatchObject({ input: 'a**' });
        await expect(find([{ label: 'mode', op: '!~', value: '(?<=x)y' }])).rejects.toBeInstanceOf(InvalidQueryError);
      });
    });

    describe('catalog: metric names, label names, label values', () => {
      const tenant = tenantFor('catalog');
      const other = tenantFor('catalog-other');

      beforeAll(async () => {
        await store.insertSeries([
          series(tenant, 301n, { metric: 'node_load1', node: 'n1', labels: {} }),
          series(tenant, 302n, { metric: 'node_load5', node: 'n2', cluster: 'c2', labels: { zone: 'a' } }),
          series(tenant, 303n, { metric: 'node_cpu_mode_percent', labels: { mode: 'idle', cpu: 'all' } }),
          series(tenant, 304n, { metric: 'node_cpu_mode_percent', labels: { mode: 'user', cpu: '' } }),
          series(other, 305n, { metric: 'node_secret', labels: { secret: 's' } }),
        ]);
      });

      it('metricNames: sorted, by prefix, limited, per tenant', async () => {
        expect(await store.metricNames({ tenant, prefix: '', limit: 10 })).toEqual(['node_cpu_mode_percent', 'node_load1', 'node_load5']);
        expect(await store.metricNames({ tenant, prefix: 'node_load', limit: 10 })).toEqual(['node_load1', 'node_load5']);
        expect(await store.metricNames({ tenant, prefix: '', limit: 1 })).toEqual(['node_cpu_mode_percent']);
        expect(await store.metricNames({ tenant, prefix: "'; DROP TABLE series; --", limit: 10 })).toEqual([]);
        expect(await store.metricNames({ tenant: other, prefix: '', limit: 10 })).toEqual(['node_secret']);
      });

      it('labelNames: node and cluster always, map keys, optionally of one metric', async () => {
        expect(await store.labelNames({ tenant, limit: 100 })).toEqual(['cluster', 'cpu', 'mode', 'node', 'zone']);
        expect(await store.labelNames({ tenant, metric: 'node_load1', limit: 100 })).toEqual(['cluster', 'node']);
        expect(await store.labelNames({ tenant, metric: 'nope', limit: 100 })).toEqual([]);
      });

      it('labelValues: columns and map labels, empty values left out, per metric', async () => {
        expect(await store.labelValues({ tenant, label: 'node', limit: 100 })).toEqual(['n1', 'n2']);
        expect(await store.labelValues({ tenant, label: 'cluster', metric: 'node_load5', limit: 100 })).toEqual(['c2']);
        expect(await store.labelValues({ tenant, label: 'mode', limit: 100 })).toEqual(['idle', 'user']);
        expect(await store.labelValues({ tenant, label: 'cpu', limit: 100 })).toEqual(['all']);
        expect(await store.labelValues({ tenant, label: "x'] OR 1=1 --", limit: 100 })).toEqual([]);
        expect(await store.labelValues({ tenant, label: 'secret', limit: 100 })).toEqual([]);
      });
    });

    describe('storageUsage and optimize', () => {
      const tenant = tenantFor('usage');
      // Recent, so no retention drops them; two series, 3 minutes across an hour boundary.
      const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 - 120_000;
      const points: Array<[bigint, number, number]> = [];
      for (const id of [501n, 502n]) for (let i = 0; i < 18; i++) points.push([id, T0 + i * 10_000, i * 1.5]);
      const usage = async () => new Map((await store.storageUsage()).tables.map((t) => [t.table, t]));
      const delta = (a: Map<string, { rows: number; points: number | null }>, b: typeof a, table: string) => ({
        rows: (b.get(table)?.rows ?? 0) - (a.get(table)?.rows ?? 0),
        points: (b.get(table)?.points ?? 0) - (a.get(table)?.points ?? 0),
      });

      it('lists every table with consistent sizes', async () => {
        const u = await store.storageUsage();
        expect(u.tables.map((t) => t.table)).toEqual(
          expect.arrayContaining(['series', 'samples', 'samples_1m', 'samples_1h', 'events', 'logs']),
        );
        for (const t of u.tables) {
          expect(t.bytesPerRow).toBe(t.rows > 0 ? t.bytesOnDisk / t.rows : 0);
          if (t.points !== null) expect(t.bytesPerPoint).toBe(t.points > 0 ? t.bytesOnDisk / t.points : 0);
          if (t.rows > 0) expect(t.parts).toBeGreaterThan(0);
        }
        expect(u.totalBytesOnDisk).toBe(u.tables.reduce((s, t) => s + t.bytesOnDisk, 0));
      });

      it('after optimize, samples rows grow by exactly the points stored, and rollups stand for them', async () => {
        await store.optimize();
        const before = await usage();
        await store.insertSamples([{ tenant, cluster: 'c1', block: block(points.slice(0, 20)) }], []);
        await store.insertSamples([{ tenant, cluster: 'c1', block: block(points.slice(20)) }], []);
        await store.optimize();
        const after = await usage();
        expect(delta(before, after, 'samples')).toEqual({ rows: 36, points: 36 });
        // 2 series x 3 minutes; 2 series x 2 hours (the points straddle an hour boundary).
        expect(delta(before, after, 'samples_1m')).toEqual({ rows: 6, points: 36 });
        expect(delta(before, after, 'samples_1h')).toEqual({ rows: 4, points: 36 });
        const samples = after.get('samples');
        expect(samples?.bytesOnDisk).toBeGreaterThan(0);
        expect(samples?.bytesUncompressed).toBeGreaterThan(0);
        expect(samples?.bytesPerPoint).toBeGreaterThan(0);
      });

      it('after optimize, a retried insert adds no sample rows', async () => {
        const before = await usage();
        await store.insertSamples([{ tenant, cluster: 'c1', block: block(points) }], []);
        await store.optimize();
        expect(delta(before, await usage(), 'samples').rows).toBe(0);
      });
    });

    // Last: the store is closed after this.
    it('shutdown twice is safe', async () => {
      await store.shutdown();
      await store.shutdown();
    });
  });
}
