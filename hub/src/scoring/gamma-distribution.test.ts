import { describe, expect, it } from 'vitest';
import { gammaQuantile, lnGamma, regularizedLowerGamma } from './gamma-distribution.ts';
import { ScoringError } from './scoring-error.ts';

describe('lnGamma', () => {
  it('matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12); // Γ(1) = 1
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12); // Γ(5) = 4! = 24
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12); // Γ(½) = √π
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 10); // Γ(0.1)
  });
});

describe('regularizedLowerGamma', () => {
  it('is the exponential CDF for shape 1', () => {
    // P(1, x) = 1 − e^(−x); P(1, 2) = 1 − 0.1353353 = 0.8646647
    expect(regularizedLowerGamma(1, 2)).toBeCloseTo(0.8646647167633873, 12);
  });

  it('matches the closed form for shape 2 on both sides of a + 1', () => {
    // P(2, x) = 1 − e^(−x)(1 + x)
    // x = 2 < a + 1 (series): 1 − 3e⁻² = 1 − 0.4060058 = 0.5939942
    expect(regularizedLowerGamma(2, 2)).toBeCloseTo(1 - 3 * Math.exp(-2), 12);
    // x = 5 ≥ a + 1 (continued fraction): 1 − 6e⁻⁵ = 1 − 0.0404277 = 0.9595723
    expect(regularizedLowerGamma(2, 5)).toBeCloseTo(1 - 6 * Math.exp(-5), 12);
  });

  it('is 0 at 0 and tends to 1', () => {
    expect(regularizedLowerGamma(3, 0)).toBe(0);
    expect(regularizedLowerGamma(3, 200)).toBeCloseTo(1, 12);
  });

  it('refuses a non-positive shape or a negative x, naming the argument', () => {
    expect(() => regularizedLowerGamma(0, 1)).toThrow(expect.objectContaining({ field: 'shape', code: 'INVALID_INPUT' }));
    expect(() => regularizedLowerGamma(1, -1)).toThrow(expect.objectContaining({ field: 'x' }));
  });
});

describe('gammaQuantile', () => {
  it('is −ln(1 − p) / rate for shape 1', () => {
    // 0.9-quantile of Exp(1) = ln 10 = 2.302585; with rate 2: 1.1512925
    expect(gammaQuantile(0.9, 1, 1)).toBeCloseTo(Math.LN10, 10);
    expect(gammaQuantile(0.9, 1, 2)).toBeCloseTo(Math.LN10 / 2, 10);
  });

  it('matches a chi-square table value', () => {
    // Gamma(5, 1) = χ²₁₀ / 2; χ²₁₀ at 0.95 = 18.307038, so the quantile is 9.153519
    expect(gammaQuantile(0.95, 5, 1)).toBeCloseTo(9.153519, 5);
  });

  it('inverts the CDF across shapes, including small ones', () => {
    for (const a of [0.01, 0.1, 0.5, 1, 3, 50, 1000]) {
      for (const p of [0.05, 0.5, 0.9, 0.99]) {
        const x = gammaQuantile(p, a, 1);
        expect(regularizedLowerGamma(a, x)).toBeCloseTo(p, 9);
      }
    }
  });

  it('refuses p outside (0, 1) and non-positive shape or rate', () => {
    expect(() => gammaQuantile(0, 1, 1)).toThrow(ScoringError);
    expect(() => gammaQuantile(1, 1, 1)).toThrow(expect.objectContaining({ field: 'p' }));
    expect(() => gammaQuantile(0.5, 0, 1)).toThrow(expect.objectContaining({ field: 'shape' }));
    expect(() => gammaQuantile(0.5, 1, 0)).toThrow(expect.objectContaining({ field: 'rate' }));
  });
});
