import { ManualClock } from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.ts';
import type { CatalogOptions } from '../src/catalog/catalog-types.ts';
import { FakeCatalogCloud } from '../src/catalog/fake-catalog-cloud.ts';
import { priceTable } from '../src/catalog/price-table.ts';

const T0 = Date.parse('2024-01-15T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('Catalog schedule on an injected clock', () => {
  let catalog: Catalog | undefined;
  afterEach(async () => {
    await catalog?.shutdown();
  });

  function make(over: Partial<CatalogOptions> = {}) {
    const clock = new ManualClock(T0);
    const cloud = new FakeCatalogCloud();
    cloud.prices = [
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.04, timeMs: T0 - 30 * HOUR },
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.05, timeMs: T0 + 7 * MIN },
    ];
    catalog = new Catalog({
      cloud,
      clock,
      onDemand: { prices: { 'm5.large': 0.096 } },
      spotPricesEveryMs: 5 * MIN,
      instanceTypesEveryMs: 24 * HOUR,
      retryAfterFailureMs: MIN,
      ...over,
    });
    return { clock, cloud, catalog };
  }

  /** Moves the manual clock and lets the refreshes it started finish. */
  async function advance(clock: ManualClock, c: Catalog, ms: number) {
    await clock.advance(ms);
    await c.idle();
  }

  it('refreshes spot prices every period and types daily, reading spot history on from the last end', async () => {
    const { clock, cloud, catalog: c } = make();
    await c.start();
    expect(cloud.typeCalls).toBe(1);
    expect(cloud.spotQueries).toHaveLength(1);
    expect(cloud.spotQueries[0]).toMatchObject({ startMs: T0 - 7 * 24 * HOUR, endMs: T0, zones: ['us-east-1a', 'us-east-1b'] });
    expect(c.spotPrice('m5.large', 'us-east-1a')).toMatchObject({ pricePerHour: 0.04, observedAt: T0, effectiveFrom: T0 - 30 * HOUR });

    await advance(clock, c, 5 * MIN - 1);
    expect(cloud.spotQueries).toHaveLength(1);
    await advance(clock, c, 1);
    expect(cloud.spotQueries).toHaveLength(2);
    expect(cloud.spotQueries[1]).toMatchObject({ startMs: T0, endMs: T0 + 5 * MIN });
    await advance(clock, c, 5 * MIN);
    expect(cloud.spotQueries[2]).toMatchObject({ startMs: T0 + 5 * MIN, endMs: T0 + 10 * MIN });
    expect(c.spotPrice('m5.large', 'us-east-1a')).toMatchObject({
      pricePerHour: 0.05,
      observedAt: T0 + 10 * MIN,
      effectiveFrom: T0 + 7 * MIN,
    });
    expect(c.status().spotPrices).toMatchObject({ lastSuccessAt: T0 + 10 * MIN, nextRunAt: T0 + 15 * MIN, running: false });
    expect(cloud.typeCalls).toBe(1);

    for (let k = 0; k < 24 * 12; k++) await advance(clock, c, 5 * MIN);
    expect(cloud.typeCalls).toBe(2);
    // A day on, the window has slid: the first point is the price in effect at its start.
    expect(c.priceHistory('m5.large', 'us-east-1a', clock.now() - 7 * 24 * HOUR, clock.now())).toEqual([
      { timeMs: T0 - 30 * HOUR, price: 0.04 },
      { timeMs: T0 + 7 * MIN, price: 0.05 },
    ]);
  });

  it('keeps the last good data on failure, records the error and its time, and retries sooner', async () => {
    const { clock, cloud, catalog: c } = make();
    await c.start();
    const before = c.spotPrice('m5.large', 'us-east-1a');
    cloud.failing.add('spot');
    await advance(clock, c, 5 * MIN);
    const failed = c.status().spotPrices;
    expect(failed.lastError).toEqual({ message: 'spot: unavailable: injected', code: 'unavailable', at: T0 + 5 * MIN });
    expect(failed).toMatchObject({ lastSuccessAt: T0, consecutiveFailures: 1, nextRunAt: T0 + 6 * MIN });
    expect(c.spotPrice('m5.large', 'us-east-1a')).toEqual(before);
    expect(c.ageMs(before as NonNullable<typeof before>)).toBe(5 * MIN);
    expect(priceTable(c)).toEqual([
      {
        instanceType: 'm5.large',
        zone: null,
        capacityType: 'on-demand',
        price: expect.objectContaining({ source: 'inline' }),
        ageMs: 5 * MIN,
      },
      { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', price: before, ageMs: 5 * MIN },
    ]);

    await advance(clock, c, MIN);
    expect(c.status().spotPrices.consecutiveFailures).toBe(2);
    cloud.failing.clear();
    await advance(clock, c, MIN);
    const healed = c.status().spotPrices;
    expect(healed).toMatchObject({ lastSuccessAt: T0 + 7 * MIN, consecutiveFailures: 0, nextRunAt: T0 + 12 * MIN });
    expect(healed.lastError?.at).toBe(T0 + 6 * MIN);
    // The read after the failures picks up where the last good one ended: nothing is missed.
    expect(cloud.spotQueries.at(-1)).toMatchObject({ startMs: T0, endMs: T0 + 7 * MIN });

    cloud.failing.add('zones');
    expect(await c.refreshInstanceTypes()).toBe(false);
    expect(c.instanceTypes().map((t) => t.instanceType)).toEqual(['m5.large', 'm6g.large']);
    expect(c.zones()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(c.status().instanceTypes.lastError?.code).toBe('unavailable');
  });

  it('resolves start even when the first refreshes fail, and fills in on the retry', async () => {
    const { clock, cloud, catalog: c } = make();
    cloud.failing.add('types');
    await c.start();
    expect(c.instanceTypes()).toEqual([]);
    expect(c.status().instanceTypes).toMatchObject({ lastSuccessAt: null, consecutiveFailures: 1, nextRunAt: T0 + MIN });
    cloud.failing.clear();
    await advance(clock, c, MIN);
    expect(c.instanceTypes()).toHaveLength(2);
  });

  it('shuts down safely before start and twice, and no timer outlives it', async () => {
    const { catalog: early } = make();
    await early.shutdown();
    await early.start();
    expect(early.status().spotPrices.lastAttemptAt).toBeNull();

    const { clock, cloud, catalog: c } = make();
    await c.start();
    await c.start();
    expect(cloud.typeCalls).toBe(1);
    await c.shutdown();
    await c.shutdown();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(48 * HOUR);
    expect(cloud.spotQueries).toHaveLength(1);
    expect(c.status().spotPrices.nextRunAt).toBeNull();
  });

  it('waits for a refresh in flight on shutdown, and joins concurrent refreshes', async () => {
    const { cloud, catalog: c } = make();
    await c.start();
    const a = c.refreshSpotPrices();
    const b = c.refreshSpotPrices();
    await c.shutdown();
    expect(await a).toBe(true);
    expect(await b).toBe(true);
    expect(cloud.spotQueries).toHaveLength(2);
  });

  it('does not start the schedules when shut down during the first refresh', async () => {
    const { clock, cloud, catalog: c } = make();
    const starting = c.start();
    await c.shutdown();
    await starting;
    expect(cloud.spotQueries).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a non-positive period, naming the option', () => {
    expect(() => make({ spotPricesEveryMs: 0 })).toThrow(/catalog.spotPricesEveryMs/);
  });
});
