import { invalidInput } from './scoring-error.ts';

/**
 * The Gamma distribution's CDF and quantile, for the interruption-rate posterior's upper
 * credible bound. Hand-written because the hub has no statistics dependency and needs only
 * these two functions; the algorithms are the textbook ones (Numerical Recipes §6.2):
 * Lanczos for ln Γ, the power series below a + 1 and Lentz's continued fraction above it for
 * the regularized incomplete gamma function, and bisection on ln x for its inverse (the CDF
 * is monotone, so bisection cannot fail, and ~60 steps cost microseconds).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];
const EPS = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 10_000;

/** ln Γ(x) for x > 0 (Lanczos, |relative error| < 1e-14). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * P(a, x) = γ(a, x) / Γ(a): the CDF at x of a Gamma with shape a and rate 1.
 * Errors (INVALID_INPUT): a ≤ 0, x < 0, or either not finite.
 */
export function regularizedLowerGamma(a: number, x: number): number {
  if (!(Number.isFinite(a) && a > 0)) throw invalidInput('shape', `must be a finite number > 0 (got ${a})`);
  if (!(Number.isFinite(x) && x >= 0)) throw invalidInput('x', `must be a finite number ≥ 0 (got ${x})`);
  if (x === 0) return 0;
  const logPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series: P = e^(−x) x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)); converges fast below a + 1.
    let term = 1 / a;
    let sum = term;
    let ap = a;
    for (let n = 0; n < MAX_TERMS; n++) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q = 1 − P (modified Lentz); converges fast above a + 1.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

/**
 * The p-quantile of Gamma(shape, rate): the x with P(shape, x·rate) = p.
 * Errors (INVALID_INPUT): p outside (0, 1), shape or rate not a finite number > 0.
 */
export function gammaQuantile(p: number, shape: number, rate: number): number {
  if (!(Number.isFinite(p) && p > 0 && p < 1)) throw invalidInput('p', `must be within (0, 1) (got ${p})`);
  if (!(Number.isFinite(shape) && shape > 0)) throw invalidInput('shape', `must be a finite number > 0 (got ${shape})`);
  if (!(Number.isFinite(rate) && rate > 0)) throw invalidInput('rate', `must be a finite number > 0 (got ${rate})`);
  // Bracket in log space: small shapes put low quantiles hundreds of orders of magnitude
  // below 1, where bisecting x itself would stall. Start above the mean by a few standard
  // deviations, then widen downwards until the bracket holds p.
  let hi = shape + 10 * Math.sqrt(shape) + 10;
  while (regularizedLowerGamma(shape, hi) < p) hi *= 2;
  let logHi = Math.log(hi);
  let logLo = logHi - 1;
  while (regularizedLowerGamma(shape, Math.exp(logLo)) >= p) {
    logLo = logHi - 2 * (logHi - logLo);
    // Below the smallest double: the quantile is 0 for all practical purposes.
    if (Math.exp(logLo) === 0) return 0;
  }
  for (let i = 0; i < 200 && logHi - logLo > 1e-13; i++) {
    const mid = (logLo + logHi) / 2;
    if (regularizedLowerGamma(shape, Math.exp(mid)) < p) logLo = mid;
    else logHi = mid;
  }
  return Math.exp((logLo + logHi) / 2) / rate;
}
