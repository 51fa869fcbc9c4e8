import { afterEach, describe, expect, it, vi } from 'vitest';
import { scorePool, scorePools } from './score-pool.ts';
import { ScoringError } from './scoring-error.ts';
import { DEFAULT_MODEL } from './scoring-model.ts';
import { EXPONENTIAL_PRIOR, HOUR_MS, modelWith, pool, shape, T0 } from './test-builders.ts';

const now = T0 + 2 * HOUR_MS;
const context = { shapes: [shape()] }; // 4 × 500m / 1024 Mi

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scorePool', () => {
  it('weighs the four factors (hand-computed)', () => {
    // Same cases as the factor tests:
    //   cost 0.6333333 (m5.large spot $0.04 vs c5 $0.035 and r5 $0.05, on-demand $0.096)
    //   stability 0.2416667 (Gamma(1, 730) prior, no evidence → u = 0.9; CV 1/3; share 0.25; ceilings 1)
    //   performance 0.775 (steal 2%, throttling 0.1, latency 1.5×, errors 0.5×)
    //   capacity 1 (4 × 500m/1Gi fill m5.large's CPU exactly: k = 4, u = max(1, 0.5) = 1; no failures)
    // total = 0.4×0.6333333 + 0.4×0.2416667 + 0.1×0.775 + 0.1×1 = 0.2533333 + 0.0966667 + 0.0775 + 0.1 = 0.5275
    const model = modelWith({
      stability: {
        ...EXPONENTIAL_PRIOR,
        credibleLevel: 0.9,
        interruptionProbabilityCeiling: 1,
        volatilityCvCeiling: 1,
        volatilityShare: 0.25,
        volatilityWindowHours: 2,
      },
    });
    const input = pool(
      {},
      {
        advisorBucket: null,
        priceHistory: [
          { timeMs: T0, price: 1 },
          { timeMs: T0 + HOUR_MS, price: 2 },
        ],
        performance: { cpuStealPct: 2, cpuThrottlingRatio: 0.1, latencyRatio: 1.5, errorRateRatio: 0.5 },
      },
    );
    const candidates = [
      { pricePerHour: 0.035, vcpu: 2, memoryGib: 4 },
      { pricePerHour: 0.05, vcpu: 2, memoryGib: 16 },
    ];
    const s = scorePool(model, input, { ...context, candidates }, now);
    expect(s.factors.cost.score).toBeCloseTo(0.6333333, 6);
    expect(s.factors.stability.score).toBeCloseTo(0.2416667, 6);
    expect(s.factors.performance.score).toBeCloseTo(0.775, 12);
    expect(s.factors.capacity.score).toBe(1);
    expect(s.total).toBeCloseTo(0.5275, 6);
    expect(s.contributions.cost).toBeCloseTo(0.2533333, 6);
    expect(s.contributions.cost + s.contributions.stability + s.contributions.performance + s.contributions.capacity).toBeCloseTo(
      s.total,
      12,
    );
    expect(s).toMatchObject({
      poolId: 'm5.large|us-east-1a|spot',
      model: { name: 'default', version: 1 },
      scoredAtMs: now,
      avoidUntilMs: null,
      weights: { cost: 0.4, stability: 0.4, performance: 0.1, capacity: 0.1 },
    });
  });

  it('normalises the weights', () => {
    const doubled = modelWith({ weights: { cost: 0.8, stability: 0.8, performance: 0.2, capacity: 0.2 } });
    expect(scorePool(doubled, pool(), context, now).total).toBeCloseTo(scorePool(DEFAULT_MODEL, pool(), context, now).total, 12);
    const costOnly = modelWith({ weights: { cost: 1, stability: 0, performance: 0, capacity: 0 } });
    const s = scorePool(costOnly, pool(), context, now);
    expect(s.total).toBeCloseTo(s.factors.cost.score, 12);
  });

  it('keeps a JSON-safe breakdown (what the API shows)', () => {
    const s = scorePool(DEFAULT_MODEL, pool({}, { launchFailuresMs: [now - 1000] }), context, now);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('never reads the system clock', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now() called');
    });
    expect(() => scorePools(DEFAULT_MODEL, [pool({}, { launchFailuresMs: [now] })], context, now)).not.toThrow();
  });

  it('refuses a missing on-demand price and a bad model with typed errors', () => {
    expect(() => scorePool(DEFAULT_MODEL, pool({ onDemandPricePerHour: null }), context, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'offering.onDemandPricePerHour' }),
    );
    expect(() => scorePool({ ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, cost: -1 } }, pool(), context, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_MODEL', field: 'weights.cost' }),
    );
    expect(() => scorePool(DEFAULT_MODEL, pool({ capacityType: 'reserved' as never }), context, now)).toThrow(
      expect.objectContaining({ field: 'offering.capacityType' }),
    );
    expect(() => scorePool(DEFAULT_MODEL, pool(), context, Number.NaN)).toThrow(expect.objectContaining({ field: 'now' }));
  });
});

describe('scorePools', () => {
  const m5 = pool();
  const c5 = pool({ instanceType: 'c5.large', vcpu: 2, memoryGib: 4, pricePerHour: 0.035, onDemandPricePerHour: 0.085 });
  const od = pool({ capacityType: 'on-demand', pricePerHour: 0.096 });

  it('ranks best first and compares each pool with all the pools given', () => {
    const ranked = scorePools(DEFAULT_MODEL, [od, m5, c5], context, now);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]?.total).toBeLessThanOrEqual(ranked[i - 1]?.total as number);
    expect(ranked[0]?.poolId).toBe('c5.large|us-east-1a|spot');
    for (const r of ranked) {
      expect(r.factors.cost.inputs.candidateCount).toBe(3);
      // c5 at $0.035 hosts 2 vCPU / 4 GiB for 0.035; on-demand m5 for 0.096
      expect(r.factors.cost.inputs.cheapestWorkloadPricePerHour).toBeCloseTo(0.035, 12);
      expect(r.factors.cost.inputs.dearestWorkloadPricePerHour).toBeCloseTo(0.096, 12);
    }
  });

  it('ranks a pool in cool-down last, whatever its total', () => {
    const cooling = pool(
      { instanceType: 'c5.large', zone: 'us-east-1b', vcpu: 2, memoryGib: 4, pricePerHour: 0.001, onDemandPricePerHour: 0.085 },
      { launchFailuresMs: [now - 60_000] },
    );
    const ranked = scorePools(
      modelWith({ weights: { cost: 1, stability: 0, performance: 0, capacity: 0.01 } }),
      [cooling, m5, od],
      context,
      now,
    );
    expect(ranked[0]?.total).toBeLessThan(ranked[2]?.total as number);
    expect(ranked[2]).toMatchObject({ poolId: 'c5.large|us-east-1b|spot', rank: 3, avoidUntilMs: now + 120_000 });
  });

  it('breaks ties by pool id', () => {
    const b = pool({ zone: 'us-east-1b' });
    const a = pool({ zone: 'us-east-1a' });
    expect(scorePools(DEFAULT_MODEL, [b, a], context, now).map((r) => r.zone)).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('names the pool in input errors, keeping the original as cause', () => {
    try {
      scorePools(DEFAULT_MODEL, [m5, pool({ zone: 'us-east-1b', onDemandPricePerHour: null })], context, now);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScoringError);
      expect(e).toMatchObject({ code: 'INVALID_INPUT', field: 'pools[1].offering.onDemandPricePerHour' });
      expect((e as Error).message).toMatch(/^invalid scoring input: pools\[1\]\.offering\.onDemandPricePerHour: no on-demand price/);
      expect((e as Error).cause).toMatchObject({ field: 'offering.onDemandPricePerHour' });
    }
    expect(() => scorePools(DEFAULT_MODEL, [m5, pool({ zone: 'us-east-1b' }, { interruptions: -1 })], context, now)).toThrow(
      expect.objectContaining({ field: 'pools[1].observations.interruptions' }),
    );
  });

  it('keeps workload-level fields unprefixed and refuses duplicate pools', () => {
    expect(() => scorePools(DEFAULT_MODEL, [m5], { shapes: [] }, now)).toThrow(expect.objectContaining({ field: 'shapes' }));
    expect(() => scorePools(DEFAULT_MODEL, [m5, pool()], context, now)).toThrow(expect.objectContaining({ field: 'pools[1]' }));
    expect(() => scorePools(DEFAULT_MODEL, [m5, pool({ zone: 'b', vcpu: 0 })], context, now)).toThrow(
      expect.objectContaining({ field: 'pools[1].offering.vcpu' }),
    );
    const candidates = [{ pricePerHour: 0.04, vcpu: 2, memoryGib: 0 }];
    expect(() => scorePools(DEFAULT_MODEL, [m5], { ...context, candidates }, now)).toThrow(
      expect.objectContaining({ field: 'candidates[0].memoryGib' }),
    );
  });

  it('returns nothing for no pools', () => {
    expect(scorePools(DEFAULT_MODEL, [], context, now)).toEqual([]);
  });
});
