import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimEc2, startSimEc2 } from '../../testkit/src/sim-ec2.ts';
import { Catalog } from '../src/catalog/catalog.ts';
import { catalogOfferings } from '../src/catalog/scoring-inputs.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';

const CATALOG_FILE = fileURLToPath(new URL('../../../shared/data/instance_types.csv', import.meta.url));
// Two types the sim replays from the recorded 2021 history, one it prices with its model.
const TYPES = ['m5.large', 'c5.xlarge', 'm6i.large'];
const HOUR = 3_600_000;
const WEEK = 168 * HOUR;

describe('Catalog refreshed from the sim EC2 endpoint over HTTP', () => {
  let sim: SimEc2;
  let cloud: AwsCloudProvider;
  let catalog: Catalog;

  beforeAll(async () => {
    sim = await startSimEc2();
    cloud = new AwsCloudProvider(sim.awsConfig());
    catalog = new Catalog({
      cloud,
      clock: sim.clock,
      onDemand: { file: CATALOG_FILE },
      instanceTypes: TYPES,
      spotPricesEveryMs: HOUR,
      retryAfterFailureMs: 10 * 60_000,
      priceHistoryMs: WEEK,
    });
    await catalog.start();
  });
  afterAll(async () => {
    await catalog?.shutdown();
    cloud?.close();
    await sim?.close();
  });

  /** The catalog's prices against the sim's own for the window ending now. */
  function expectSameAsSim() {
    const now = sim.clock.now();
    let points = 0;
    for (const type of TYPES) {
      for (const zone of sim.market.zones) {
        const expected = sim.market.priceChanges(type, zone, now - WEEK, now).map((p) => ({ timeMs: p.timeMs, price: p.price }));
        expect(catalog.priceHistory(type, zone, now - WEEK, now), `${type} ${zone}`).toEqual(expected);
        expect(catalog.spotPrice(type, zone)?.pricePerHour).toBe(sim.market.spotPrice(type, zone, now));
        points += expected.length;
      }
    }
    return points;
  }

  it('holds the instance types, zones and the same spot prices as the sim for the window', () => {
    expect(catalog.instanceTypes().map((t) => t.instanceType)).toEqual(['c5.xlarge', 'm5.large', 'm6i.large']);
    expect(catalog.instanceType('c5.xlarge')).toMatchObject({ vcpu: 4, memoryMib: 8192, architectures: ['x86_64'], supportsSpot: true });
    expect(catalog.zones()).toEqual([...sim.market.zones]);
    expect(expectSameAsSim()).toBeGreaterThan(50);
    const price = catalog.spotPrice('m5.large', 'us-east-1a');
    expect(price).toMatchObject({ observedAt: sim.clock.now(), source: 'ec2' });
    expect(catalog.onDemandPrice('m5.large')).toMatchObject({ pricePerHour: 0.096, source: CATALOG_FILE });
    expect(catalog.status().spotPrices).toMatchObject({ lastError: null, lastSuccessAt: sim.clock.now() });
  });

  it('stays equal to the sim as the clock runs and the window slides', async () => {
    for (let k = 0; k < 30; k++) {
      await sim.clock.advance(HOUR);
      await catalog.idle();
    }
    expect(catalog.status().spotPrices).toMatchObject({ lastSuccessAt: sim.clock.now(), consecutiveFailures: 0 });
    expectSameAsSim();
  });

  it('keeps the last good prices through a failing refresh and reports it, then catches up', async () => {
    const before = catalog.spotPrice('m5.large', 'us-east-1a');
    const failedAt = sim.clock.now() + HOUR;
    sim.state.injectFault('DescribeSpotPriceHistory', 'ServiceUnavailable', 3);
    await sim.clock.advance(HOUR);
    await catalog.idle();
    const status = catalog.status().spotPrices;
    expect(status.lastError).toMatchObject({ code: 'unavailable', at: failedAt });
    expect(status.lastError?.message).toMatch(/ServiceUnavailable/);
    expect(status.nextRunAt).toBe(failedAt + 10 * 60_000);
    expect(catalog.spotPrice('m5.large', 'us-east-1a')).toEqual(before);
    expect(catalog.ageMs(before as NonNullable<typeof before>)).toBe(HOUR);

    sim.state.injectFault('DescribeInstanceTypes', 'UnauthorizedOperation', 1);
    expect(await catalog.refreshInstanceTypes()).toBe(false);
    expect(catalog.instanceTypes()).toHaveLength(3);
    expect(catalog.status().instanceTypes.lastError?.code).toBe('unauthorized');

    await sim.clock.advance(10 * 60_000);
    await catalog.idle();
    expect(catalog.status().spotPrices).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: sim.clock.now() });
    expectSameAsSim();
    const { offerings } = catalogOfferings(catalog);
    expect(offerings.filter((o) => o.capacityType === 'spot').length).toBeGreaterThan(0);
    expect(offerings.every((o) => o.onDemandPricePerHour !== null && o.pricePerHour > 0)).toBe(true);
  });
});
