import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsStore } from '../../hub/src/store/metrics-store.ts';
import { describeAgents } from './metrics-contract/agents.ts';
import { describeAggregations } from './metrics-contract/aggregations.ts';
import { describeCatalog } from './metrics-contract/catalog.ts';
import { ids, type MetricsContractContext, series, tenantFor } from './metrics-contract/context.ts';
import { describeFindSeriesMatchers } from './metrics-contract/find-series-matchers.ts';
import { describeHostileInput } from './metrics-contract/hostile-input.ts';
import { describeInsertAndQueryRange } from './metrics-contract/insert-and-query-range.ts';
import { describePointsJson } from './metrics-contract/points-json.ts';
import { describeSequenceProgress } from './metrics-contract/sequence-progress.ts';
import { describeStorageUsage } from './metrics-contract/storage-usage.ts';

/**
 * The MetricsStore contract: every implementation (and every connection kind) must pass it.
 * `make` is called once for the whole suite; each test writes under its own tenant, so the
 * store may be shared (chDB allows one data directory per process). The suite calls
 * `start()` itself and ends by shutting the store down twice. Each concern's tests live in
 * ./metrics-contract/; tests that need no fixture of their own stay here, in the order they run.
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

    const ctx: MetricsContractContext = {
      get store() {
        return store;
      },
    };

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

    describeFindSeriesMatchers(ctx);

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

    describeInsertAndQueryRange(ctx);

    describePointsJson(ctx);

    describeSequenceProgress(ctx);

    describeAgents(ctx);

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

    describeAggregations(ctx);

    describeHostileInput(ctx);

    describeCatalog(ctx);

    describeStorageUsage(ctx);

    // Last: the store is closed after this.
    it('shutdown twice is safe', async () => {
      await store.shutdown();
      await store.shutdown();
    });
  });
}
