import { describe, expect, it } from 'vitest';
import { capacityFactor } from './capacity-factor.ts';
import { DEFAULT_MODEL } from './scoring-model.ts';
import type { WorkloadFit } from './shape-fit.ts';
import { T0 } from './test-builders.ts';

const params = DEFAULT_MODEL.parameters.capacity; // 180 s cool-down, 3600 s lookback, 0.25 per failure
const fit: WorkloadFit = { score: 0.8, unschedulableShare: 0, allocatableCpuMillis: 2000, allocatableMemoryMib: 8192, shapes: [] };
const S = 1000;

describe('capacityFactor', () => {
  it('avoids a pool for the cool-down after a failed launch: at +179 s, not at +180 s', () => {
    const during = capacityFactor(fit, [T0], params, T0 + 179 * S);
    expect(during).toMatchObject({ score: 0, availability: 0, avoidUntilMs: T0 + 180 * S });
    const after = capacityFactor(fit, [T0], params, T0 + 180 * S);
    expect(after.avoidUntilMs).toBeNull();
    // one failure in the last hour: availability 1 − 0.25 = 0.75; score 0.8 × 0.75 = 0.6
    expect(after.availability).toBe(0.75);
    expect(after.score).toBeCloseTo(0.6, 12);
  });

  it('forgets failures after the lookback', () => {
    // now − failure = 3600 s is not < 3600 s: not recent any more
    const f = capacityFactor(fit, [T0], params, T0 + 3600 * S);
    expect(f).toMatchObject({ availability: 1, score: 0.8, inputs: { recentFailures: 0, lastFailureMs: T0 } });
  });

  it('takes the cool-down from the latest failure and counts each recent one', () => {
    // failures at T0 and T0 + 10 min; now T0 + 20 min: no cool-down, 2 recent → 1 − 0.5 = 0.5
    const f = capacityFactor(fit, [T0 + 600 * S, T0], params, T0 + 1200 * S);
    expect(f.availability).toBe(0.5);
    expect(f.inputs.lastFailureMs).toBe(T0 + 600 * S);
    expect(capacityFactor(fit, [T0, T0 + 1000 * S], params, T0 + 1100 * S).avoidUntilMs).toBe(T0 + 1180 * S);
  });

  it('bottoms out at 0 with many failures', () => {
    const many = [0, 1, 2, 3, 4].map((i) => T0 + i * 60 * S);
    expect(capacityFactor(fit, many, params, T0 + 1800 * S).availability).toBe(0);
  });

  it('treats a failure stamped after now as just failed', () => {
    expect(capacityFactor(fit, [T0 + 5 * S], params, T0).avoidUntilMs).toBe(T0 + 185 * S);
  });

  it('is the fit alone without failures', () => {
    expect(capacityFactor(fit, [], params, T0)).toMatchObject({ score: 0.8, availability: 1, avoidUntilMs: null });
  });

  it('refuses bad times, naming the field', () => {
    expect(() => capacityFactor(fit, [Number.NaN], params, T0)).toThrow(
      expect.objectContaining({ field: 'observations.launchFailuresMs[0]' }),
    );
    expect(() => capacityFactor(fit, [], params, Number.NaN)).toThrow(expect.objectContaining({ field: 'now' }));
  });
});
