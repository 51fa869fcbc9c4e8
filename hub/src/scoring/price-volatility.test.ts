import { describe, expect, it } from 'vitest';
import { priceVolatility } from './price-volatility.ts';
import { HOUR_MS, T0 } from './test-builders.ts';

const at = (h: number, price: number) => ({ timeMs: T0 + h * HOUR_MS, price });

describe('priceVolatility', () => {
  it('weighs prices by how long they held', () => {
    // 1.0 for 1 h then 2.0 for 1 h: mean 1.5, variance ((−0.5)² + 0.5²)/2 = 0.25, sd 0.5, CV 1/3
    const v = priceVolatility([at(0, 1), at(1, 2)], T0, T0 + 2 * HOUR_MS);
    expect(v?.meanPrice).toBeCloseTo(1.5, 12);
    expect(v?.stdDevPrice).toBeCloseTo(0.5, 12);
    expect(v?.coefficientOfVariation).toBeCloseTo(1 / 3, 12);
    expect(v?.changes).toBe(1);
  });

  it('handles unequal durations', () => {
    // 0.10 for 3 h, 0.20 for 1 h: mean (0.3 + 0.2)/4 = 0.125;
    // variance (3 × 0.025² + 1 × 0.075²)/4 = (0.001875 + 0.005625)/4 = 0.001875;
    // sd = 0.0433013, CV = 0.0433013 / 0.125 = 0.3464102 (= √3/5)
    const v = priceVolatility([at(0, 0.1), at(3, 0.2)], T0, T0 + 4 * HOUR_MS);
    expect(v?.meanPrice).toBeCloseTo(0.125, 12);
    expect(v?.coefficientOfVariation).toBeCloseTo(Math.sqrt(3) / 5, 12);
  });

  it('takes the price in effect at the window start from an older point', () => {
    // 9.0 until −10 h, then 1.0 from −10 h (in effect at the start), 2.0 from 1 h: as the first case
    const v = priceVolatility([at(-20, 9), at(-10, 1), at(1, 2)], T0, T0 + 2 * HOUR_MS);
    expect(v?.fromMs).toBe(T0);
    expect(v?.coefficientOfVariation).toBeCloseTo(1 / 3, 12);
    expect(v?.changes).toBe(1);
  });

  it('starts at the first point when the history begins inside the window', () => {
    const v = priceVolatility([at(1, 1), at(2, 2)], T0, T0 + 3 * HOUR_MS);
    expect(v?.fromMs).toBe(T0 + HOUR_MS);
    expect(v?.meanPrice).toBeCloseTo(1.5, 12);
  });

  it('never looks past now', () => {
    const v = priceVolatility([at(0, 1), at(5, 100)], T0, T0 + 2 * HOUR_MS);
    expect(v?.coefficientOfVariation).toBe(0);
    expect(v?.meanPrice).toBe(1);
    expect(v?.changes).toBe(0);
  });

  it('is null when nothing is known at now', () => {
    expect(priceVolatility([], T0, T0 + HOUR_MS)).toBeNull();
    expect(priceVolatility([at(5, 1)], T0, T0 + HOUR_MS)).toBeNull();
  });

  it('gives CV 0 for a constant, a zero, or a just-set price', () => {
    expect(priceVolatility([at(0, 0.5), at(1, 0.5)], T0, T0 + 2 * HOUR_MS)?.coefficientOfVariation).toBe(0);
    expect(priceVolatility([at(0, 0)], T0, T0 + HOUR_MS)?.coefficientOfVariation).toBe(0);
    const justSet = priceVolatility([at(1, 0.7)], T0, T0 + HOUR_MS);
    expect(justSet).toMatchObject({ meanPrice: 0.7, coefficientOfVariation: 0 });
  });

  it('refuses unordered points and bad prices, naming the point', () => {
    expect(() => priceVolatility([at(1, 1), at(0, 1)], T0, T0 + HOUR_MS)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'priceHistory[1].timeMs' }),
    );
    expect(() => priceVolatility([at(0, -1)], T0, T0 + HOUR_MS)).toThrow(expect.objectContaining({ field: 'priceHistory[0].price' }));
    expect(() => priceVolatility([{ timeMs: Number.NaN, price: 1 }], T0, T0 + HOUR_MS)).toThrow(
      expect.objectContaining({ field: 'priceHistory[0].timeMs' }),
    );
  });
});
