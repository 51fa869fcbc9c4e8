import { invalidInput } from './scoring-error.ts';

/**
 * Input checks shared by the factor functions. Each throws a ScoringError (INVALID_INPUT)
 * naming `field` and returns the value, so a check reads as an assignment.
 */

export function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidInput(field, `must be a finite number (got ${describe(value)})`);
  return value;
}

export function nonNegative(value: unknown, field: string): number {
  const v = finite(value, field);
  if (v < 0) throw invalidInput(field, `must be ≥ 0 (got ${v})`);
  return v;
}

export function positive(value: unknown, field: string): number {
  const v = finite(value, field);
  if (v <= 0) throw invalidInput(field, `must be > 0 (got ${v})`);
  return v;
}

/** A fraction in [0, 1]. */
export function unitInterval(value: unknown, field: string): number {
  const v = finite(value, field);
  if (v < 0 || v > 1) throw invalidInput(field, `must be within [0, 1] (got ${v})`);
  return v;
}

export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput(field, `must be a non-empty string (got ${describe(value)})`);
  return value;
}

/** Clamps to [0, 1]; every factor and component goes through this before it is reported. */
export function clamp01(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

/** `1 − x / ceiling`, clamped: 1 at x = 0, falling linearly to 0 at x = ceiling and beyond. */
export function linearPenalty(x: number, ceiling: number): number {
  return clamp01(1 - x / ceiling);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
