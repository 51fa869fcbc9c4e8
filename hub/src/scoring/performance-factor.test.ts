import { describe, expect, it } from 'vitest';
import { performanceFactor } from './performance-factor.ts';
import { DEFAULT_MODEL } from './scoring-model.ts';

const params = DEFAULT_MODEL.parameters.performance;

describe('performanceFactor', () => {
  it('is neutral without metrics', () => {
    expect(performanceFactor(undefined, params)).toMatchObject({ score: 1, neutral: true });
    expect(performanceFactor({ cpuStealPct: null }, { ...params, neutral: 0.8 })).toMatchObject({ score: 0.8, neutral: true });
  });

  it('averages the components present (hand-computed)', () => {
    // steal 2% / 10% → 0.8; throttling 0.1 / 0.5 → 0.8; latency 1.5× with ceiling 2 → 1 − 0.5/1 = 0.5;
    // error rate 0.5× (better than median) → 1. Mean = (0.8 + 0.8 + 0.5 + 1)/4 = 3.1/4 = 0.775
    const f = performanceFactor({ cpuStealPct: 2, cpuThrottlingRatio: 0.1, latencyRatio: 1.5, errorRateRatio: 0.5 }, params);
    expect(f.components.cpuSteal).toBeCloseTo(0.8, 12);
    expect(f.components.cpuThrottling).toBeCloseTo(0.8, 12);
    expect(f.components.latency).toBeCloseTo(0.5, 12);
    expect(f.components.errorRate).toBe(1);
    expect(f.score).toBeCloseTo(0.775, 12);
    expect(f.neutral).toBe(false);
    expect(f.inputs).toEqual({ cpuStealPct: 2, cpuThrottlingRatio: 0.1, latencyRatio: 1.5, errorRateRatio: 0.5 });
  });

  it('uses only what is there', () => {
    // steal 5% / 10% → 0.5
    const f = performanceFactor({ cpuStealPct: 5 }, params);
    expect(f.score).toBeCloseTo(0.5, 12);
    expect(f.components).toMatchObject({ cpuThrottling: null, latency: null, errorRate: null });
  });

  it('bottoms out at 0 beyond the ceilings', () => {
    // error rate 3× with ceiling 3 → 1 − 2/2 = 0; latency 4× → clamped to 0
    expect(performanceFactor({ cpuStealPct: 40, latencyRatio: 4, errorRateRatio: 3 }, params).score).toBe(0);
  });

  it('refuses impossible metrics, naming the field', () => {
    expect(() => performanceFactor({ cpuStealPct: 120 }, params)).toThrow(
      expect.objectContaining({ field: 'observations.performance.cpuStealPct' }),
    );
    expect(() => performanceFactor({ cpuThrottlingRatio: 1.5 }, params)).toThrow(
      expect.objectContaining({ field: 'observations.performance.cpuThrottlingRatio' }),
    );
    expect(() => performanceFactor({ latencyRatio: -1 }, params)).toThrow(
      expect.objectContaining({ field: 'observations.performance.latencyRatio' }),
    );
  });
});
