import { describe, expect, it } from 'vitest';
import { ADVISOR_BUCKETS } from './pool-inputs.ts';
import { DEFAULT_MODEL, evidenceWindow, volatilityWindow } from './scoring-model.ts';
import { stabilityFactor } from './stability-factor.ts';
import { HOUR_MS, observations, T0 } from './test-builders.ts';

describe('DEFAULT_MODEL', () => {
  it('is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULT_MODEL)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MODEL.weights)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MODEL.parameters.capacity)).toBe(true);
  });

  it('behaves as its documentation says for pools this fleet has not run on', () => {
    // Upper-bound monthly probabilities 6.5%, 20%, 30%, 38%, 47% and interruption scores
    // 0.87, 0.59, 0.40, 0.25, 0.05 by bucket (pinned so the doc stays true); none crosses the
    // 50% fallback line, the first two are under the 25% calm line.
    const p = DEFAULT_MODEL.parameters;
    const results = ADVISOR_BUCKETS.map((b) => stabilityFactor('spot', observations({ advisorBucket: b }), p.stability, p.thresholds, T0));
    const upper = results.map((r) => r.inputs.posterior?.upperMonthlyProbability as number);
    const scores = results.map((r) => r.interruptionScore);
    for (const [i, u] of [0.065, 0.2, 0.3, 0.38, 0.47].entries()) expect(upper[i]).toBeCloseTo(u, 2);
    for (const [i, s] of [0.87, 0.59, 0.4, 0.25, 0.05].entries()) expect(scores[i]).toBeCloseTo(s, 2);
    expect(results.map((r) => r.aboveFallbackThreshold)).toEqual([false, false, false, false, false]);
    expect(results.map((r) => r.calm)).toEqual([true, true, false, false, false]);
  });
});

describe('windows', () => {
  it('reach back from now by the model’s hours', () => {
    expect(evidenceWindow(DEFAULT_MODEL, T0)).toEqual({ fromMs: T0 - 720 * HOUR_MS, toMs: T0 });
    expect(volatilityWindow(DEFAULT_MODEL, T0)).toEqual({ fromMs: T0 - 168 * HOUR_MS, toMs: T0 });
  });
});
