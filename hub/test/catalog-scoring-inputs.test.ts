import { ManualClock } from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.ts';
import { FakeCatalogCloud, typeInfo } from '../src/catalog/fake-catalog-cloud.ts';
import { candidateOfferings, catalogOfferings, offeringPriceHistory, solverPools } from '../src/catalog/scoring-inputs.ts';
import { DEFAULT_MODEL, scorePools, volatilityWindow } from '../src/scoring/index.ts';
import { validateProblem } from '../src/solver/index.ts';

const T0 = Date.parse('2024-01-15T00:00:00Z');
const HOUR = 3_600_000;

describe('catalog → scoring and solver inputs', () => {
  let catalog: Catalog;
  let clock: ManualClock;
  afterEach(() => catalog.shutdown());

  async function started() {
    clock = new ManualClock(T0);
    const cloud = new FakeCatalogCloud();
    cloud.types = [
      typeInfo('m5.large'),
      typeInfo('m6g.large', { architectures: ['arm64'] }),
      typeInfo('c5.large', { memoryMib: 4096 }),
      typeInfo('x9.mystery'),
      typeInfo('mac1.metal', { architectures: ['x86_64_mac'], vcpu: 12, memoryMib: 32768, supportsSpot: false }),
    ];
    cloud.prices = [
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.04, timeMs: T0 - 200 * HOUR },
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.045, timeMs: T0 - 10 * HOUR },
      { instanceType: 'm5.large', zone: 'us-east-1b', price: 0.038, timeMs: T0 - 2 * HOUR },
      { instanceType: 'm6g.large', zone: 'us-east-1b', price: 0.03, timeMs: T0 - HOUR },
      { instanceType: 'x9.mystery', zone: 'us-east-1a', price: 0.01, timeMs: T0 - HOUR },
    ];
    catalog = new Catalog({
      cloud,
      clock,
      onDemand: { prices: { 'm5.large': 0.096, 'm6g.large': 0.077, 'c5.large': 0.085, 'mac1.metal': 1.083 } },
      priceHistoryMs: 168 * HOUR,
    });
    await catalog.start();
    return cloud;
  }

  it('offers spot and on-demand per type × zone where the type is offered, and says why it skips the rest', async () => {
    await started();
    const { offerings, skipped } = catalogOfferings(catalog);
    const ids = offerings.map((o) => `${o.instanceType}|${o.zone}|${o.capacityType}|${o.pricePerHour}`);
    expect(ids).toEqual([
      // c5.large has no spot price anywhere: on demand in every zone, spot skipped.
      'c5.large|us-east-1a|on-demand|0.085',
      'c5.large|us-east-1b|on-demand|0.085',
      'm5.large|us-east-1a|spot|0.045',
      'm5.large|us-east-1a|on-demand|0.096',
      'm5.large|us-east-1b|spot|0.038',
      'm5.large|us-east-1b|on-demand|0.096',
      'm6g.large|us-east-1b|spot|0.03',
      'm6g.large|us-east-1b|on-demand|0.077',
      'mac1.metal|us-east-1a|on-demand|1.083',
      'mac1.metal|us-east-1b|on-demand|1.083',
    ]);
    expect(offerings.find((o) => o.instanceType === 'c5.large')).toMatchObject({ vcpu: 2, memoryGib: 4, onDemandPricePerHour: 0.085 });
    expect(skipped).toEqual([
      { instanceType: 'c5.large', zone: 'us-east-1a', capacityType: 'spot', reason: 'no spot price' },
      { instanceType: 'c5.large', zone: 'us-east-1b', capacityType: 'spot', reason: 'no spot price' },
      { instanceType: 'x9.mystery', zone: 'us-east-1a', capacityType: 'spot', reason: 'no on-demand price' },
      { instanceType: 'x9.mystery', zone: 'us-east-1a', capacityType: 'on-demand', reason: 'no on-demand price' },
    ]);
    const narrowed = catalogOfferings(catalog, { instanceTypes: ['m5.large'], zones: ['us-east-1b'], capacityTypes: ['spot'] });
    expect(narrowed.offerings.map((o) => o.pricePerHour)).toEqual([0.038]);
  });

  it('leaves out spot prices older than the limit', async () => {
    const cloud = await started();
    cloud.failing.add('spot');
    await clock.advance(HOUR);
    await catalog.idle();
    const { offerings, skipped } = catalogOfferings(catalog, { maxSpotPriceAgeMs: 30 * 60_000, capacityTypes: ['spot'] });
    expect(offerings).toEqual([]);
    expect(skipped.filter((s) => s.reason === 'spot price last observed 3600 s ago')).toHaveLength(3);
  });

  it('gives the volatility window of spot history, and feeds scorePools and the solver as they are', async () => {
    await started();
    const { offerings } = catalogOfferings(catalog);
    const window = volatilityWindow(DEFAULT_MODEL, clock.now());
    const m5a = offerings.find((o) => o.instanceType === 'm5.large' && o.zone === 'us-east-1a' && o.capacityType === 'spot');
    expect(offeringPriceHistory(catalog, m5a as NonNullable<typeof m5a>, window)).toEqual([
      { timeMs: T0 - 200 * HOUR, price: 0.04 },
      { timeMs: T0 - 10 * HOUR, price: 0.045 },
    ]);
    const ondemand = offerings.find((o) => o.capacityType === 'on-demand');
    expect(offeringPriceHistory(catalog, ondemand as NonNullable<typeof ondemand>, window)).toEqual([]);

    const inputs = offerings.map((offering) => ({
      offering,
      observations: {
        advisorBucket: null,
        instanceHours: 0,
        interruptions: 0,
        rebalanceRecommendations: 0,
        priceHistory: offeringPriceHistory(catalog, offering, window),
        launchFailuresMs: [],
      },
    }));
    const shapes = [{ id: 'web', count: 4, cpuMillis: 500, memoryMib: 1024 }];
    const ranked = scorePools(DEFAULT_MODEL, inputs, { shapes, candidates: candidateOfferings(offerings) }, clock.now());
    expect(ranked).toHaveLength(offerings.length);

    const pools = solverPools(catalog, offerings, (o) => o.pricePerHour * (o.capacityType === 'spot' ? 1.1 : 1));
    // Mac types have no solver architecture; every other offering becomes a pool.
    expect(pools).toHaveLength(offerings.length - 2);
    expect(pools.find((p) => p.id === 'm6g.large|us-east-1b|spot')).toMatchObject({
      arch: 'arm64',
      memoryMib: 8192,
      vcpu: 2,
      pricePerHour: 0.03,
      expectedCostPerHour: 0.033,
    });
    expect(() =>
      validateProblem({ pools, shapes: [{ id: 'web', count: 4, cpuMillis: 500, memoryMib: 1024, spotAllowed: true }] }),
    ).not.toThrow();
  });
});
