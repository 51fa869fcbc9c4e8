import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { autoResolution, autoStep, chooseResolution } from './resolution.ts';

const H = 3600;
const D = 86_400;
const ALL = ['raw', '1m', '5m', '1h'] as const;

describe('autoResolution', () => {
  it.each([
    [7 * D, 3600, '1h'],
    [2 * D + 1, 2 * H, '1h'],
    [2 * D, 3600, '5m'], // not more than 2 days; whole 5 minutes
    [7 * D, 5400, '5m'], // 1.5 h is whole 5 minutes but not whole hours
    [7 * D, 300, '5m'],
    [6 * H + 1, 300, '5m'],
    [6 * H, 300, 'raw'], // not more than 6 hours
    [7 * D, 3660, '1m'], // 61 min is whole minutes but not whole 5 minutes
    [6 * H + 1, 60, '1m'],
    [6 * H, 60, 'raw'], // not more than 6 hours
    [7 * D, 90, 'raw'], // 90 s is no whole number of minutes
    [7 * D, 30, 'raw'],
    [H, 3600, 'raw'],
  ] as const)('range %is, step %is → %s', (range, step, resolution) => {
    expect(autoResolution(range, step)).toBe(resolution);
  });
});

describe('chooseResolution', () => {
  it('auto falls back to the next finer resolution that exists', () => {
    expect(chooseResolution('auto', 7 * D, H, ALL)).toBe('1h');
    expect(chooseResolution('auto', 7 * D, H, ['raw', '1m', '5m'])).toBe('5m');
    expect(chooseResolution('auto', 7 * D, H, ['raw', '1m'])).toBe('1m');
    expect(chooseResolution('auto', 7 * D, 300, ['raw', '1m', '1h'])).toBe('1m');
    expect(chooseResolution('auto', 7 * D, H, ['raw'])).toBe('raw');
  });

  it('an explicit choice wins over the rule', () => {
    expect(chooseResolution('raw', 7 * D, H, ALL)).toBe('raw');
    expect(chooseResolution('1h', H, H, ALL)).toBe('1h');
  });

  it('an explicit rollup needs a step that is a multiple of its bucket, and the table', () => {
    const refuse = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        return err as ApiError;
      }
      throw new Error('expected a refusal');
    };
    const step = refuse(() => chooseResolution('1m', D, 90, ALL));
    expect(step.parameter).toBe('resolution');
    expect(step.message).toMatch(/multiple of 60s; the step is 90s/);
    expect(refuse(() => chooseResolution('5m', D, 120, ALL)).message).toMatch(/multiple of 300s; the step is 120s/);
    expect(chooseResolution('5m', D, 600, ALL)).toBe('5m');
    const missing = refuse(() => chooseResolution('1h', 7 * D, H, ['raw']));
    expect(missing.parameter).toBe('resolution');
    expect(missing.message).toMatch(/1h is not available on this hub \(available: raw\)/);
  });
});

describe('chooseResolution: percentiles', () => {
  it('always read raw samples, whatever the range', () => {
    for (const agg of ['p50', 'p95', 'p99'] as const) {
      expect(chooseResolution('auto', 30 * D, H, ALL, agg)).toBe('raw');
      expect(chooseResolution('raw', 30 * D, H, ALL, agg)).toBe('raw');
    }
    expect(chooseResolution('auto', 30 * D, H, ALL, 'avg')).toBe('1h');
  });

  it('refuse an explicit rollup with a 400 naming the resolution', () => {
    try {
      chooseResolution('1m', 7 * D, 300, ALL, 'p95');
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).parameter).toBe('resolution');
      expect((err as ApiError).message).toMatch(/p95 is computed from raw samples only; use resolution=raw or auto, not 1m/);
    }
  });
});

describe('autoStep', () => {
  it('aims at 250 points and rounds long steps to whole minutes, 5 minutes or hours', () => {
    expect(autoStep(10_000)).toBe(1);
    expect(autoStep(H * 1000)).toBe(14);
    expect(autoStep(D * 1000)).toBe(360);
    expect(autoStep(4 * D * 1000)).toBe(1440); // 24 min: whole minutes
    expect(autoStep(7 * D * 1000)).toBe(2700); // 40.3 min → 45
    expect(autoStep(30 * D * 1000)).toBe(3 * H);
    expect(autoResolution(30 * D, autoStep(30 * D * 1000))).toBe('1h');
    expect(autoResolution(7 * D, autoStep(7 * D * 1000))).toBe('5m');
    expect(autoResolution(D, autoStep(D * 1000))).toBe('1m');
  });
});
