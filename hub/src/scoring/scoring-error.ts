/**
 * The scoring code's one error type. `code` says what went wrong; `field` names the
 * offending field as a path (e.g. `pools[3].offering.onDemandPricePerHour` or
 * `parameters.stability.priorStrengthInstanceHours`), so the API can answer a 400 that
 * points at it.
 *
 * - INVALID_INPUT: a pool's observations or the workload are malformed (a negative price,
 *   a missing on-demand price, unsorted price history, a shape without requests…);
 * - INVALID_MODEL: a scoring model is refused (bad JSON, unknown key, negative weight…).
 *
 * `cause` carries the underlying error where there is one (the JSON parser's error, or
 * the pool-level error wrapped by scorePools).
 */
export type ScoringErrorCode = 'INVALID_INPUT' | 'INVALID_MODEL';

export class ScoringError extends Error {
  override readonly name = 'ScoringError';
  constructor(
    readonly code: ScoringErrorCode,
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invalidInput(field: string, message: string, cause?: unknown): ScoringError {
  return new ScoringError(
    'INVALID_INPUT',
    `invalid scoring input: ${field}: ${message}`,
    field,
    cause === undefined ? undefined : { cause },
  );
}

export function invalidModel(field: string, message: string, cause?: unknown): ScoringError {
  return new ScoringError(
    'INVALID_MODEL',
    `invalid scoring model: ${field}: ${message}`,
    field,
    cause === undefined ? undefined : { cause },
  );
}
