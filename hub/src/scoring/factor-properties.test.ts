import { describe, expect, it } from 'vitest';
import { ADVISOR_BUCKETS, type PoolScoringInput } from './pool-inputs.ts';
import { type PoolScore, scorePool, scorePools } from './score-pool.ts';
import { DEFAULT_MODEL, FACTORS } from './scoring-model.ts';
import { HOUR_MS, pool, shape, T0 } from './test-builders.ts';

/** mulberry32: a tiny seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const now = T0 + 200 * HOUR_MS;
const context = { shapes: [shape(), shape({ id: 'big', count: 2, cpuMillis: 3000, memoryMib: 6000 })] };

function randomPool(r: () => number, i: number): PoolScoringInput {
  const vcpu = 2 ** Math.floor(r() * 6);
  const onDemand = vcpu * (0.03 + r() * 0.05);
  const history = Array.from({ length: Math.floor(r() * 6) }, (_, k) => ({ timeMs: T0 + k * 40 * HOUR_MS, price: onDemand * r() }));
  const maybe = (x: number) => (r() < 0.3 ? null : x);
  return pool(
    {
      zone: `z${i}`,
      capacityType: r() < 0.2 ? 'on-demand' : 'spot',
      vcpu,
      memoryGib: vcpu * 2 ** Math.floor(r() * 4),
      pricePerHour: onDemand * r() * 1.1,
      onDemandPricePerHour: onDemand,
    },
    {
      advisorBucket: r() < 0.1 ? null : (ADVISOR_BUCKETS[Math.floor(r() * 5)] ?? null),
      instanceHours: r() * 20_000,
      interruptions: Math.floor(r() * 10),
      rebalanceRecommendations: Math.floor(r() * 10),
      priceHistory: history,
      launchFailuresMs: r() < 0.3 ? [now - r() * 2 * HOUR_MS] : [],
      performance: {
        cpuStealPct: maybe(r() * 30),
        cpuThrottlingRatio: maybe(r()),
        latencyRatio: maybe(r() * 4),
        errorRateRatio: maybe(r() * 4),
      },
    },
  );
}

function inUnit(s: PoolScore): void {
  for (const x of [s.total, ...FACTORS.map((f) => s.factors[f].score)]) {
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);
  }
}

describe('scoring properties (seeded random pools)', () => {
  const r = rng(20210302);
  const pools = Array.from({ length: 200 }, (_, i) => randomPool(r, i));
  const candidates = pools.map((p) => p.offering);

  it('keeps every factor and the total within [0, 1]', () => {
    for (const s of scorePools(DEFAULT_MODEL, pools, context, now)) inUnit(s);
  });

  it('a higher price never raises the cost factor', () => {
    for (const p of pools.slice(0, 50)) {
      const cheaper = scorePool(DEFAULT_MODEL, p, { ...context, candidates }, now).factors.cost.score;
      const dearer = { ...p, offering: { ...p.offering, pricePerHour: p.offering.pricePerHour * 1.2 + 0.001 } };
      expect(scorePool(DEFAULT_MODEL, dearer, { ...context, candidates }, now).factors.cost.score).toBeLessThanOrEqual(cheaper);
    }
  });

  it('more interruptions never raise stability; more calm hours never lower it', () => {
    for (const p of pools.slice(0, 50)) {
      const base = scorePool(DEFAULT_MODEL, p, context, now).factors.stability.score;
      const o = p.observations;
      const worse = { ...p, observations: { ...o, interruptions: o.interruptions + 3 } };
      const calmer = { ...p, observations: { ...o, instanceHours: o.instanceHours + 5000 } };
      expect(scorePool(DEFAULT_MODEL, worse, context, now).factors.stability.score).toBeLessThanOrEqual(base);
      expect(scorePool(DEFAULT_MODEL, calmer, context, now).factors.stability.score).toBeGreaterThanOrEqual(base);
    }
  });

  it('more steal never raises performance; another failure never raises capacity', () => {
    for (const p of pools.slice(0, 50)) {
      const s = scorePool(DEFAULT_MODEL, p, context, now);
      // Only where steal was measured: a first measurement changes which components are averaged.
      const steal = p.observations.performance?.cpuStealPct;
      if (steal !== null && steal !== undefined) {
        const performance = { ...p.observations.performance, cpuStealPct: Math.min(100, steal + 5) };
        const noisier = { ...p, observations: { ...p.observations, performance } };
        expect(scorePool(DEFAULT_MODEL, noisier, context, now).factors.performance.score).toBeLessThanOrEqual(s.factors.performance.score);
      }
      const failed = {
        ...p,
        observations: { ...p.observations, launchFailuresMs: [...p.observations.launchFailuresMs, now - HOUR_MS / 2] },
      };
      expect(scorePool(DEFAULT_MODEL, failed, context, now).factors.capacity.score).toBeLessThanOrEqual(s.factors.capacity.score);
    }
  });
});
