import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/core/fleet.ts';
import { Rng } from '../../src/core/rng.ts';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { InterruptionEngine, SpotAdvisor, SpotMarket } from '../../src/market/index.ts';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const DAY = 86_400_000;

interface Observed {
  notices: Array<[string, number]>;
  rebalances: Array<[string, number]>;
  terminations: Map<string, number>;
  fleet: Fleet;
  engine: InterruptionEngine;
}

/** 50 spot instances in a ">20%" type, 7 virtual days, the hazard raised 20× so a week shows many interruptions. */
async function run(seed: number): Promise<Observed> {
  const clock = new ManualClock(T0);
  const rng = new Rng(seed);
  const fleet = new Fleet(clock, { bootDelayMs: 30_000, shutdownDelayMs: 10_000 });
  const advisor = new SpotAdvisor([{ instanceType: 'm5.large', bucket: '>20%', savingsPct: 70 }]);
  const market = new SpotMarket({ rng, startMs: T0, advisor });
  const engine = new InterruptionEngine({ fleet, market, clock, rng, hazardMultiplier: 20 });
  const notices: Array<[string, number]> = [];
  const rebalances: Array<[string, number]> = [];
  const terminations = new Map<string, number>();
  fleet.on('interruption-notice', (i) => notices.push([i.id, clock.now()]));
  fleet.on('rebalance', (i) => rebalances.push([i.id, clock.now()]));
  fleet.on('terminated', (i) => terminations.set(i.id, clock.now()));
  for (let k = 0; k < 50; k++)
    fleet.launch({
      instanceType: 'm5.large',
      availabilityZone: market.zones[k % 6] as string,
      capacityType: 'spot',
      imageId: 'ami-0a1b2c3d4e5f60001',
    });
  engine.start();
  await clock.advance(7 * DAY);
  engine.stop();
  return { notices, rebalances, terminations, fleet, engine };
}

describe('InterruptionEngine', () => {
  it('gives the same interruption sequence for the same seed, and a different one for another seed', async () => {
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(a.notices.length).toBeGreaterThan(10);
    expect(b.notices).toEqual(a.notices);
    expect(b.rebalances).toEqual(a.rebalances);
    expect(c.notices).not.toEqual(a.notices);
  });

  it('gives the 2-minute notice, then terminates; most interruptions are preceded by a rebalance 10–30 minutes earlier', async () => {
    const { notices, rebalances, terminations, fleet, engine } = await run(7);
    for (const [id, at] of notices) {
      const inst = fleet.get(id);
      expect(inst?.interruption).toEqual({ noticeAtMs: at, actionAtMs: at + 120_000, action: 'terminate' });
      // Fleet starts shutting down at the action time; shutdown takes 10 s here
      expect(terminations.get(id)).toBe(at + 120_000 + 10_000);
      expect(inst?.stateReason).toMatch(/^Server\.SpotInstanceTermination/);
    }
    const noticeAt = new Map(notices);
    for (const [id, at] of rebalances) {
      const lead = ((noticeAt.get(id) as number) - at) / 60_000;
      expect(lead).toBeGreaterThanOrEqual(10);
      expect(lead).toBeLessThanOrEqual(30);
    }
    expect(rebalances.length).toBeGreaterThan(notices.length * 0.3);
    expect(rebalances.length).toBeLessThan(notices.length * 0.9);
    expect(engine.records.map((r) => r.instanceId).sort()).toEqual(notices.map(([id]) => id).sort());
  });

  it('does not interrupt on-demand instances', async () => {
    const clock = new ManualClock(T0);
    const rng = new Rng(1);
    const fleet = new Fleet(clock, { bootDelayMs: 1000, shutdownDelayMs: 1000 });
    const market = new SpotMarket({
      rng,
      startMs: T0,
      advisor: new SpotAdvisor([{ instanceType: 'm5.large', bucket: '>20%', savingsPct: 70 }]),
    });
    const engine = new InterruptionEngine({ fleet, market, clock, rng, hazardMultiplier: 500 });
    for (let k = 0; k < 10; k++)
      fleet.launch({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        capacityType: 'on-demand',
        imageId: 'ami-0a1b2c3d4e5f60001',
      });
    engine.start();
    await clock.advance(DAY);
    expect(fleet.list().every((i) => i.interruption === null)).toBe(true);
  });
});
