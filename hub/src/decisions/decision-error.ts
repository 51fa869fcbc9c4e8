/**
 * The decision engine's one error type.
 * - INVALID_POLICY: a policy value is out of range (`field` names it, e.g. `revertAfterCalmMs`);
 * - INVALID_INPUT: the engine input is malformed (a node in an unknown pool, a duplicate id…);
 * - UNKNOWN_DECISION: approve/executed/verified/failed named an id the engine does not hold;
 * - INVALID_TRANSITION: the decision is not in a status that allows the call (e.g. executing a dropped one).
 */
export type DecisionErrorCode = 'INVALID_POLICY' | 'INVALID_INPUT' | 'UNKNOWN_DECISION' | 'INVALID_TRANSITION';

export class DecisionError extends Error {
  override readonly name = 'DecisionError';
  constructor(
    readonly code: DecisionErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invalidPolicy(field: string, message: string): DecisionError {
  return new DecisionError('INVALID_POLICY', `invalid decision policy: ${field}: ${message}`, field);
}

export function invalidInput(field: string, message: string): DecisionError {
  return new DecisionError('INVALID_INPUT', `invalid decision input: ${field}: ${message}`, field);
}
