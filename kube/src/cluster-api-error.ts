/**
 * Why a ClusterApi call failed, as a caller decides what to do next:
 * - `not-found`: the object does not exist (404).
 * - `conflict`: a precondition (resourceVersion, uid) no longer holds (409, 410); re-read and retry.
 * - `forbidden`: authentication or RBAC refused the call (401, 403); retrying will not help.
 * - `unavailable`: the API server could not be reached, timed out, throttled (429) or failed
 *   (5xx); retrying later may help.
 * - `invalid`: the request or the cluster's configuration is wrong (400, 405, 415, 422, and a
 *   pod matched by more than one PodDisruptionBudget).
 */
export type ClusterApiErrorKind = 'not-found' | 'conflict' | 'forbidden' | 'unavailable' | 'invalid';

export class ClusterApiError extends Error {
  constructor(
    readonly kind: ClusterApiErrorKind,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClusterApiError';
  }
}

export function isClusterApiError(err: unknown, kind?: ClusterApiErrorKind): err is ClusterApiError {
  return err instanceof ClusterApiError && (kind === undefined || err.kind === kind);
}

export function kindForStatus(status: number): ClusterApiErrorKind {
  if (status === 404) return 'not-found';
  // 410 Gone: a resourceVersion too old to resume from; like a conflict, re-read and go on.
  if (status === 409 || status === 410) return 'conflict';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'invalid';
}
