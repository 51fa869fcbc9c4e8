import type { CapacityType } from './cloud-types.ts';

/**
 * What went wrong talking to the cloud, in the terms a caller acts on:
 * - capacity: the pool cannot give an instance now (InsufficientInstanceCapacity, no spot
 *   capacity or offering, spot or vCPU limits). Try another pool; the scorer counts it.
 * - not-found: the named resource does not exist (or no longer does).
 * - in-use: the resource is still referenced (an attached volume, a snapshot an image uses).
 * - unauthorized: credentials are missing, wrong, or lack the permission.
 * - throttled: the API's request rate limit, after the client's own retries.
 * - invalid-parameter: the request is wrong (malformed id, unknown type, token reused with
 *   different parameters); retrying the same request cannot help.
 * - unavailable: the service or the network failed (5xx, refused, timed out), after retries.
 * - internal: an answer we could not understand; a bug on one side or the other.
 */
export type CloudErrorCode =
  | 'capacity'
  | 'not-found'
  | 'in-use'
  | 'unauthorized'
  | 'throttled'
  | 'invalid-parameter'
  | 'unavailable'
  | 'internal';

/**
 * HTTP status the API answers when a cloud error reaches it. The hub's own credentials
 * failing is an upstream fault, not the API caller's, hence 502 for unauthorized.
 */
export const CLOUD_ERROR_STATUS: Readonly<Record<CloudErrorCode, number>> = {
  capacity: 503,
  'not-found': 404,
  'in-use': 409,
  unauthorized: 502,
  throttled: 429,
  'invalid-parameter': 400,
  unavailable: 503,
  internal: 502,
};

/** Codes worth retrying later with the same request (after a delay the caller chooses). */
const RETRYABLE: ReadonlySet<CloudErrorCode> = new Set(['capacity', 'throttled', 'unavailable']);

export interface CloudErrorDetails {
  /** The port method that failed, e.g. "launch". */
  operation: string;
  /** The provider's own error code (EC2's `Code`), when it sent one. */
  providerCode?: string;
  /** Requests made, retries included. */
  attempts?: number;
  /** For launch failures: the pool that refused, so the scorer can record it. */
  pool?: { instanceType: string; zone: string; capacityType: CapacityType };
  cause?: unknown;
}

export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly operation: string;
  readonly providerCode: string | undefined;
  readonly attempts: number | undefined;
  readonly pool: CloudErrorDetails['pool'];

  constructor(
    readonly code: CloudErrorCode,
    message: string,
    details: CloudErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.operation = details.operation;
    this.providerCode = details.providerCode;
    this.attempts = details.attempts;
    this.pool = details.pool;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  get status(): number {
    return CLOUD_ERROR_STATUS[this.code];
  }
}

export function isCloudError(err: unknown, code?: CloudErrorCode): err is CloudError {
  return err instanceof CloudError && (code === undefined || err.code === code);
}
