import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentRecord,
  BatchRecord,
  LabelMatcher,
  MetricsStore,
  RangeQuery,
  SampleBlock,
  SeriesRecord,
} from '../../hub/src/store/metrics-store.ts';

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
      const q = (aggregation: RangeQuery['aggregation'], over: Partial<RangeQuery> = {}) =>
        store.queryRange({ seriesIds: [A, B], startMs: T0, endMs: end, stepSeconds: 60, aggregation, ...over });
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
        expect(rows).toEqual([{ seriesId: D, t: t0, value: 6 }]);
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

    // Last: the store is closed after this.
    it('shutdown twice is safe', async () => {
      await store.shutdown();
      await store.shutdown();
    });
  });
}
