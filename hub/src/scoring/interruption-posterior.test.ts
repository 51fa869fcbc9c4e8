import { describe, expect, it } from 'vitest';
import { gammaQuantile } from './gamma-distribution.ts';
import {
  HOURS_PER_MONTH,
  type InterruptionEvidence,
  interruptionPosterior,
  monthlyProbabilityToRate,
  rateToMonthlyProbability,
} from './interruption-posterior.ts';
import { DEFAULT_MODEL } from './scoring-model.ts';
import { EXPONENTIAL_PRIOR } from './test-builders.ts';

const params = DEFAULT_MODEL.parameters.stability;
const none: InterruptionEvidence = { advisorBucket: '<5%', instanceHours: 0, interruptions: 0, rebalanceRecommendations: 0 };

describe('monthly probability ↔ rate', () => {
  it('reads a monthly probability as a Poisson rate per hour', () => {
    // p = 0.25: λ = −ln(0.75) / 730 = 0.2876821 / 730 = 3.940851e-4 per hour
    expect(monthlyProbabilityToRate(0.25)).toBeCloseTo(3.940851e-4, 9);
    expect(rateToMonthlyProbability(monthlyProbabilityToRate(0.25))).toBeCloseTo(0.25, 12);
    expect(HOURS_PER_MONTH).toBe(730);
  });
});

describe('interruptionPosterior', () => {
  it('is the prior when nothing was observed', () => {
    // '<5%' → p = 0.025; λ₀ = −ln(0.975)/730 = 0.0253178/730 = 3.468197e-5 per hour;
    // α₀ = λ₀ × 2920 = 4 × 0.0253178 = 0.1012712, β₀ = 2920; mean = α₀/β₀ = λ₀
    const p = interruptionPosterior(none, params);
    expect(p.priorRatePerHour).toBeCloseTo(3.468197e-5, 10);
    expect(p.posteriorShape).toBeCloseTo(0.1012712, 6);
    expect(p.posteriorRate).toBe(2920);
    expect(p.meanRatePerHour).toBeCloseTo(p.priorRatePerHour, 15);
    expect(p.meanMonthlyProbability).toBeCloseTo(0.025, 12);
    expect(p.upperMonthlyProbability).toBeGreaterThan(p.meanMonthlyProbability);
  });

  it('updates a Gamma(1, 730) prior by hand', () => {
    // Prior α₀ = 1, β₀ = 730 (see EXPONENTIAL_PRIOR). Evidence: 3 notices + 2 rebalances at
    // weight 0.5 = 4 events over 1270 h → α = 5, β = 2000; mean = 5/2000 = 0.0025 per hour;
    // 0.95 upper bound = χ²₁₀(0.95)/2 / 2000 = 9.153519 / 2000 = 4.5767595e-3 per hour.
    const p = interruptionPosterior(
      { advisorBucket: null, instanceHours: 1270, interruptions: 3, rebalanceRecommendations: 2 },
      { ...params, ...EXPONENTIAL_PRIOR, rebalanceWeight: 0.5, credibleLevel: 0.95 },
    );
    expect(p.effectiveEvents).toBe(4);
    expect(p.posteriorShape).toBeCloseTo(5, 12);
    expect(p.posteriorRate).toBe(2000);
    expect(p.meanRatePerHour).toBeCloseTo(0.0025, 12);
    expect(p.upperRatePerHour).toBeCloseTo(4.5767595e-3, 8);
    // monthly: 1 − e^(−0.0025 × 730) = 1 − e^(−1.825) = 1 − 0.1652989 × 0.9753099 = 1 − 0.1612176 = 0.8387824
    expect(p.meanMonthlyProbability).toBeCloseTo(0.8387824, 6);
  });

  it('with a Gamma(1, 730) prior and no evidence, the 0.9 bound is a 90% monthly probability', () => {
    // α = 1, β = 730: upper = ln 10 / 730 per hour; monthly = 1 − e^(−ln 10) = 0.9
    const p = interruptionPosterior({ ...none, advisorBucket: null }, { ...params, ...EXPONENTIAL_PRIOR, credibleLevel: 0.9 });
    expect(p.upperMonthlyProbability).toBeCloseTo(0.9, 10);
  });

  it('moves to the evidence when the fleet has observed far more than the prior weighs', () => {
    // 100 notices over 1,000,000 h: mean = (0.1012712 + 100) / (1,000,000 + 2920) = 9.98e-5 ≈ 100/1e6
    const p = interruptionPosterior({ ...none, instanceHours: 1_000_000, interruptions: 100 }, params);
    expect(p.meanRatePerHour).toBeCloseTo((0.1012712 + 100) / 1_002_920, 10);
    expect(Math.abs(p.meanRatePerHour - 1e-4) / 1e-4).toBeLessThan(0.01);
    // The bound tightens around the mean with that much evidence.
    expect(p.upperRatePerHour / p.meanRatePerHour).toBeLessThan(1.15);
  });

  it('calm hours lower the estimate, interruptions raise it', () => {
    const prior = interruptionPosterior({ ...none, advisorBucket: '>20%' }, params);
    const calm = interruptionPosterior({ ...none, advisorBucket: '>20%', instanceHours: 10_000 }, params);
    const rough = interruptionPosterior({ ...none, advisorBucket: '>20%', instanceHours: 10_000, interruptions: 20 }, params);
    expect(calm.meanRatePerHour).toBeLessThan(prior.meanRatePerHour);
    expect(calm.upperRatePerHour).toBeLessThan(prior.upperRatePerHour);
    expect(rough.meanRatePerHour).toBeGreaterThan(calm.meanRatePerHour);
    expect(rough.upperRatePerHour).toBeGreaterThan(calm.upperRatePerHour);
  });

  it('weighs rebalance recommendations by rebalanceWeight (0 ignores them)', () => {
    const ev = { ...none, instanceHours: 1000, rebalanceRecommendations: 10 };
    expect(interruptionPosterior(ev, { ...params, rebalanceWeight: 0 }).meanRatePerHour).toBeCloseTo(
      interruptionPosterior({ ...ev, rebalanceRecommendations: 0 }, params).meanRatePerHour,
      15,
    );
    // 10 × 0.3 = 3 effective events
    expect(interruptionPosterior(ev, params).effectiveEvents).toBeCloseTo(3, 12);
  });

  it('uses the unknown-bucket probability for types the advisor does not list', () => {
    const p = interruptionPosterior({ ...none, advisorBucket: null }, params);
    expect(p.priorMonthlyProbability).toBe(0.1);
    expect(p.meanMonthlyProbability).toBeCloseTo(0.1, 12);
  });

  it('reports the upper bound as the posterior quantile', () => {
    const p = interruptionPosterior({ ...none, instanceHours: 500, interruptions: 1 }, params);
    expect(p.upperRatePerHour).toBeCloseTo(gammaQuantile(0.9, p.posteriorShape, p.posteriorRate), 15);
  });

  it('refuses malformed evidence, naming the field', () => {
    expect(() => interruptionPosterior({ ...none, instanceHours: -1 }, params)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'observations.instanceHours' }),
    );
    expect(() => interruptionPosterior({ ...none, interruptions: Number.NaN }, params)).toThrow(
      expect.objectContaining({ field: 'observations.interruptions' }),
    );
    expect(() => interruptionPosterior({ ...none, advisorBucket: '>30%' as never }, params)).toThrow(
      expect.objectContaining({ field: 'observations.advisorBucket' }),
    );
  });
});
