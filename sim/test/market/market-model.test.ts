import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/core/fleet.ts';
import { Rng } from '../../src/core/rng.ts';
import { ManualClock } from '../../src/core/sim-clock.ts';
import {
  BUILT_IN_INSTANCE_TYPES,
  DEFAULT_MONTHLY_INTERRUPTION_PROBABILITY,
  loadCatalog,
  loadSpotAdvisor,
  parseCatalogCsv,
  parseCsv,
  SpotAdvisor,
  SpotMarket,
  StochasticPrices,
} from '../../src/market/index.ts';
import { ADVISOR_CSV, CATALOG_CSV } from './csv-rows.ts';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const HOUR = 3_600_000;

describe('catalog', () => {
  it('parses quoted fields and keeps unpriced rows as unpriced', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n1,"multi\nline",3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', 'multi\nline', '3'],
    ]);
    const catalog = parseCatalogCsv(
      'instance_type,family,vcpu,memory_gib,arch,gpu_count,gpu_name,on_demand_usd_per_hour\n' +
        'g5.xlarge,g5,4,16,amd64,1,"NVIDIA A10G, 24GB",1.006\n' +
        'hpc7a.96xlarge,hpc7a,192,768,amd64,0,,\n',
    );
    expect(catalog.get('g5.xlarge')).toMatchObject({ gpuName: 'NVIDIA A10G, 24GB', architecture: 'x86_64', onDemandUsdPerHour: 1.006 });
    expect(catalog.get('hpc7a.96xlarge')?.onDemandUsdPerHour).toBeNull();
    expect(catalog.priced().map((t) => t.instanceType)).toEqual(['g5.xlarge']);
  });

  it('loads the real catalog and has a built-in one with real us-east-1 prices', () => {
    const real = loadCatalog(CATALOG_CSV);
    expect(real.size).toBe(1382);
    expect(real.get('m6g.large')).toMatchObject({ vcpu: 2, memoryGib: 8, architecture: 'arm64' });
    const builtIn = loadCatalog();
    expect(builtIn.size).toBe(BUILT_IN_INSTANCE_TYPES.length);
    for (const t of builtIn.list()) expect(t.onDemandUsdPerHour).toBe(real.get(t.instanceType)?.onDemandUsdPerHour);
  });
});

describe('advisor', () => {
  it('takes us-east-1 Linux from the latest snapshot and maps buckets to monthly probabilities', () => {
    const advisor = loadSpotAdvisor(ADVISOR_CSV);
    expect(advisor.snapshot).toBe('2025-06-28');
    expect(advisor.list().length).toBe(894);
    const older = loadSpotAdvisor(ADVISOR_CSV, { snapshot: '2021-02-10' });
    expect(older.snapshot).toBe('2021-02-10');
    const m = { '<5%': 0.025, '5-10%': 0.075, '10-15%': 0.125, '15-20%': 0.175, '>20%': 0.25 };
    for (const e of advisor.list().slice(0, 50)) expect(advisor.monthlyInterruptionProbability(e.instanceType)).toBe(m[e.bucket]);
    expect(advisor.monthlyInterruptionProbability('no.such')).toBe(DEFAULT_MONTHLY_INTERRUPTION_PROBABILITY);
  });
});

describe('built-in price model', () => {
  const onDemand = (t: string) => (t === 'm5.large' ? 0.096 : undefined);

  it('is the same whatever order instants and pools are asked in', () => {
    const a = new StochasticPrices(new Rng(5), onDemand, { startMs: T0 });
    const b = new StochasticPrices(new Rng(5), onDemand, { startMs: T0 });
    const instants = Array.from({ length: 40 }, (_, k) => T0 + k * 4 * HOUR + 17_000);
    const forward = instants.map((t) => a.priceAt('m5.large', 'us-east-1a', t));
    b.priceAt('m5.large', 'us-east-1c', T0 + 300 * HOUR);
    const backward = [...instants]
      .reverse()
      .map((t) => b.priceAt('m5.large', 'us-east-1a', t))
      .reverse();
    expect(backward).toEqual(forward);
    expect(new Set(forward).size).toBeGreaterThan(3);
    const other = new StochasticPrices(new Rng(6), onDemand, { startMs: T0 });
    expect(instants.map((t) => other.priceAt('m5.large', 'us-east-1a', t))).not.toEqual(forward);
  });

  it('stays below on-demand and around a 25–45% fraction of it', () => {
    const model = new StochasticPrices(new Rng(9), onDemand, { startMs: T0 });
    const prices = Array.from({ length: 24 * 30 }, (_, k) => model.priceAt('m5.large', 'us-east-1b', T0 + k * HOUR) as number);
    expect(Math.max(...prices)).toBeLessThanOrEqual(0.096);
    const mean = prices.reduce((s, p) => s + p, 0) / prices.length;
    expect(mean / 0.096).toBeGreaterThan(0.2);
    expect(mean / 0.096).toBeLessThan(0.55);
    expect(model.priceAt('c5.large', 'us-east-1b', T0)).toBeUndefined();
  });
});

describe('capacity and hazard', () => {
  it('seeds capacity per pool, follows the fleet, and accepts overrides', async () => {
    const clock = new ManualClock(T0);
    const market = new SpotMarket({ rng: new Rng(3), startMs: T0 });
    const again = new SpotMarket({ rng: new Rng(3), startMs: T0 });
    expect(market.capacity.capacity('m5.large', 'us-east-1a')).toBe(again.capacity.capacity('m5.large', 'us-east-1a'));
    expect(market.capacity.capacity('m5.large', 'us-east-1a')).toBeGreaterThanOrEqual(20);
    const fleet = new Fleet(clock, { bootDelayMs: 1000, shutdownDelayMs: 1000 });
    market.capacity.track(fleet);
    market.capacity.setCapacity('c5.large', 'us-east-1a', 4);
    const ids = [0, 1, 2].map(
      () =>
        fleet.launch({ instanceType: 'c5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', imageId: 'ami-0a1b2c3d4e5f60001' })
          .id,
    );
    expect(market.capacity.available('c5.large', 'us-east-1a')).toBe(1);
    fleet.terminate(ids[0] as string, 'Client.UserInitiatedShutdown: User initiated shutdown');
    await clock.advance(2000);
    expect(market.capacity.available('c5.large', 'us-east-1a')).toBe(2);
  });

  it('derives the hazard from the advisor and raises it for price spikes and full pools', () => {
    const advisor = new SpotAdvisor([{ instanceType: 'm5.large', bucket: '>20%', savingsPct: 70 }]);
    const market = new SpotMarket({ rng: new Rng(3), startMs: T0, advisor });
    market.setSpotPrice('m5.large', 'us-east-1a', 0.03, T0 - 48 * HOUR);
    market.capacity.setCapacity('m5.large', 'us-east-1a', 1000);
    const base = -Math.log(1 - 0.25) / 730;
    expect(market.interruptionHazardPerHour('m5.large', 'us-east-1a', T0)).toBeCloseTo(base, 12);
    expect(market.interruptionHazardPerHour('c5.large', 'us-east-1a', T0)).toBeCloseTo(-Math.log(0.9) / 730, 3);

    const spiky = new SpotMarket({ rng: new Rng(3), startMs: T0, advisor });
    spiky.capacity.setCapacity('m5.large', 'us-east-1a', 1000);
    spiky.setSpotPrice('m5.large', 'us-east-1a', 0.03, T0 - 48 * HOUR);
    spiky.setSpotPrice('m5.large', 'us-east-1a', 0.06, T0);
    const spikeFactor = spiky.interruptionHazardPerHour('m5.large', 'us-east-1a', T0) / base;
    expect(spikeFactor).toBeCloseTo(1 + 4 * (2 - 1.2), 6);

    const fleet = new Fleet(new ManualClock(T0), { bootDelayMs: 1000, shutdownDelayMs: 1000 });
    market.capacity.track(fleet);
    market.capacity.setCapacity('m5.large', 'us-east-1a', 10);
    for (let k = 0; k < 10; k++)
      fleet.launch({ instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', imageId: 'ami-0a1b2c3d4e5f60001' });
    expect(market.interruptionHazardPerHour('m5.large', 'us-east-1a', T0) / base).toBeCloseTo(3, 6);
  });
});
