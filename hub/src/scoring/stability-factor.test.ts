import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from './scoring-model.ts';
import { stabilityFactor } from './stability-factor.ts';
import { EXPONENTIAL_PRIOR, HOUR_MS, observations, T0 } from './test-builders.ts';

const defaults = DEFAULT_MODEL.parameters.stability;
const thresholds = DEFAULT_MODEL.parameters.thresholds;
// Prior Gamma(1, 730): with no evidence the 0.9 upper bound is a 0.9 monthly probability (see the posterior tests).
const handParams = {
  ...defaults,
  ...EXPONENTIAL_PRIOR,
  credibleLevel: 0.9,
  interruptionProbabilityCeiling: 1,
  volatilityCvCeiling: 1,
  volatilityShare: 0.25,
  volatilityWindowHours: 2,
};
const now = T0 + 2 * HOUR_MS;
const twoSteps = [
  { timeMs: T0, price: 1 },
  { timeMs: T0 + HOUR_MS, price: 2 },
];

describe('stabilityFactor', () => {
  it('combines interruption risk and volatility (hand-computed)', () => {
    // interruption: u = 0.9, ceiling 1 → 1 − 0.9 = 0.1
    // volatility: CV = 1/3 (1.0 then 2.0 for an hour each), ceiling 1 → 1 − 1/3 = 0.6666667
    // score = 0.75 × 0.1 + 0.25 × 0.6666667 = 0.075 + 0.1666667 = 0.2416667
    const f = stabilityFactor('spot', observations({ advisorBucket: null, priceHistory: twoSteps }), handParams, thresholds, now);
    expect(f.interruptionScore).toBeCloseTo(0.1, 10);
    expect(f.volatilityScore).toBeCloseTo(2 / 3, 12);
    expect(f.score).toBeCloseTo(0.2416667, 6);
    expect(f.inputs.posterior?.upperMonthlyProbability).toBeCloseTo(0.9, 10);
    expect(f.inputs.volatility?.coefficientOfVariation).toBeCloseTo(1 / 3, 12);
  });

  it('uses the interruption score alone without price history', () => {
    const f = stabilityFactor('spot', observations({ advisorBucket: null }), handParams, thresholds, now);
    expect(f.volatilityScore).toBeNull();
    expect(f.score).toBeCloseTo(0.1, 10);
  });

  it('flags the fallback and calm thresholds on the upper bound', () => {
    const obs = observations({ advisorBucket: null });
    const hot = stabilityFactor(
      'spot',
      obs,
      handParams,
      { fallbackMonthlyInterruptionProbability: 0.85, calmMonthlyInterruptionProbability: 0.2 },
      now,
    );
    expect(hot).toMatchObject({ aboveFallbackThreshold: true, calm: false });
    const mild = stabilityFactor(
      'spot',
      obs,
      handParams,
      { fallbackMonthlyInterruptionProbability: 0.95, calmMonthlyInterruptionProbability: 0.92 },
      now,
    );
    expect(mild).toMatchObject({ aboveFallbackThreshold: false, calm: true });
  });

  it('gives on-demand pools 1 with nothing estimated', () => {
    const f = stabilityFactor('on-demand', observations({ advisorBucket: '>20%', interruptions: 9 }), defaults, thresholds, now);
    expect(f).toMatchObject({ score: 1, calm: true, aboveFallbackThreshold: false });
    expect(f.inputs.posterior).toBeNull();
  });

  it('ranks the advisor buckets when nothing was observed', () => {
    const scores = (['<5%', '5-10%', '10-15%', '15-20%', '>20%'] as const).map(
      (b) => stabilityFactor('spot', observations({ advisorBucket: b }), defaults, thresholds, now).score,
    );
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1] as number);
  });

  it('falls with interruptions and rises with calm hours', () => {
    const s = (o: Parameters<typeof observations>[0]) => stabilityFactor('spot', observations(o), defaults, thresholds, now).score;
    const base = s({ advisorBucket: '10-15%', instanceHours: 2000 });
    expect(s({ advisorBucket: '10-15%', instanceHours: 2000, interruptions: 2 })).toBeLessThan(base);
    expect(s({ advisorBucket: '10-15%', instanceHours: 2000, rebalanceRecommendations: 2 })).toBeLessThan(base);
    expect(s({ advisorBucket: '10-15%', instanceHours: 20000 })).toBeGreaterThan(base);
  });

  it('reports field paths under the given prefix', () => {
    expect(() => stabilityFactor('spot', observations({ instanceHours: -5 }), defaults, thresholds, now, 'pools[2].observations')).toThrow(
      expect.objectContaining({ field: 'pools[2].observations.instanceHours' }),
    );
    expect(() => stabilityFactor('spot', observations({ priceHistory: [{ timeMs: T0, price: -1 }] }), defaults, thresholds, now)).toThrow(
      expect.objectContaining({ field: 'observations.priceHistory[0].price' }),
    );
  });
});
