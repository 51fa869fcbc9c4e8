/**
 * Why a job operation was refused. Routes turn these into API errors (see
 * job-api-errors.ts); callers branch on the code, never the message.
 * - unknown-kind: no job kind of that name is registered.
 * - bad-params: a job's parameters are malformed; `field` names the offending one.
 * - not-found: no such job or approval (for this tenant).
 * - invalid-state: the job or approval is in a state that forbids the operation.
 * - self-approval: the requester tried to approve their own request.
 * - refused: the action would touch something it must never touch (an attached volume,
 *   an AMI's snapshot, a node of a known cluster); `targets` names each.
 * - duplicate-kind: a kind of that name is already registered (a wiring bug).
 */
export type JobErrorCode = 'unknown-kind' | 'bad-params' | 'not-found' | 'invalid-state' | 'self-approval' | 'refused' | 'duplicate-kind';

export interface RefusedTarget {
  id: string;
  reason: string;
}

export class JobError extends Error {
  override readonly name = 'JobError';

  constructor(
    readonly code: JobErrorCode,
    message: string,
    readonly details: { field?: string; targets?: RefusedTarget[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get field(): string | undefined {
    return this.details.field;
  }

  get targets(): RefusedTarget[] {
    return this.details.targets ?? [];
  }
}

export function badParams(field: string, message: string): JobError {
  return new JobError('bad-params', `${field}: ${message}`, { field });
}
