/**
 * The solver's one error type. `code` says what went wrong; `field` names the input field
 * for INVALID_INPUT (e.g. `pools[3].vcpu`), so the API can map it to a 400 that points at it.
 *
 * - INVALID_INPUT: the problem is malformed (checked before any solving starts);
 * - WORKER_FAILED: the worker thread crashed or could not start (`cause` has the reason);
 * - SHUT_DOWN: solve() was called on, or was pending in, a solver that was shut down.
 *
 * An infeasible problem or a HiGHS failure is not an error: solve() reports it in the
 * result's status (and falls back to first-fit-decreasing where it can).
 */
export type SolverErrorCode = 'INVALID_INPUT' | 'WORKER_FAILED' | 'SHUT_DOWN';

export class SolverError extends Error {
  override readonly name = 'SolverError';
  constructor(
    readonly code: SolverErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invalidInput(field: string, message: string, cause?: unknown): SolverError {
  return new SolverError(
    'INVALID_INPUT',
    `invalid placement problem: ${field}: ${message}`,
    field,
    cause === undefined ? undefined : { cause },
  );
}

/** The plain form that crosses the worker boundary (structured clone drops the class). */
export interface SolverErrorData {
  code: SolverErrorCode;
  message: string;
  field?: string;
}

export function toErrorData(e: SolverError): SolverErrorData {
  return { code: e.code, message: e.message, ...(e.field === undefined ? {} : { field: e.field }) };
}

export function fromErrorData(d: SolverErrorData): SolverError {
  return new SolverError(d.code, d.message, d.field);
}
