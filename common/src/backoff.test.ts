import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from './backoff.ts';

const MIN = 100;
const MAX = 10_000;
const ALMOST_ONE = 1 - Number.EPSILON;

describe('exponentialBackoff', () => {
  it.each(Array.from({ length: 11 }, (_, a) => a))('attempt %i stays within [min/2, min(max, min*2^attempt))', (attempt) => {
    const ceiling = Math.min(MAX, MIN * 2 ** attempt);
    const low = exponentialBackoff(attempt, MIN, MAX, () => 0);
    const high = exponentialBackoff(attempt, MIN, MAX, () => ALMOST_ONE);
    expect(low).toBe(MIN / 2);
    expect(high).toBe(ceiling - 1);
    for (const r of [0.1, 0.25, 0.5, 0.9]) {
      const v = exponentialBackoff(attempt, MIN, MAX, () => r);
      expect(v).toBeGreaterThanOrEqual(MIN / 2);
      expect(v).toBeLessThan(ceiling);
      expect(Number.isInteger(v)).toBe(true);
    }
  });

  it('doubles the ceiling per attempt until the cap', () => {
    const highs = Array.from({ length: 11 }, (_, a) => exponentialBackoff(a, MIN, MAX, () => ALMOST_ONE));
    expect(highs).toEqual([99, 199, 399, 799, 1599, 3199, 6399, 9999, 9999, 9999, 9999]);
  });

  it('never exceeds max, even for huge attempts', () => {
    expect(exponentialBackoff(1000, MIN, MAX, () => ALMOST_ONE)).toBeLessThan(MAX);
    expect(exponentialBackoff(1000, MIN, MAX, () => 0.5)).toBe(MAX / 2);
  });

  it('treats a negative attempt like attempt 0', () => {
    expect(exponentialBackoff(-3, MIN, MAX, () => ALMOST_ONE)).toBe(MIN - 1);
  });

  it('uses Math.random by default and stays in bounds', () => {
    for (let i = 0; i < 50; i++) {
      const v = exponentialBackoff(4, MIN, MAX);
      expect(v).toBeGreaterThanOrEqual(MIN / 2);
      expect(v).toBeLessThan(MIN * 16);
    }
  });
});
