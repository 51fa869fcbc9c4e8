import { CloudError } from '../cloud/cloud-error.ts';
import { ScoringError } from '../scoring/scoring-error.ts';
import { SolverError } from '../solver/solver-error.ts';
import { MetadataStoreError } from '../state/metadata-store-error.ts';
import { ApiError, type ApiErrorCode } from './api-error.ts';

const METADATA: Record<MetadataStoreError['code'], ApiErrorCode> = {
  unavailable: 'UNAVAILABLE',
  locked: 'UNAVAILABLE',
  conflict: 'CONFLICT',
  constraint: 'UNPROCESSABLE',
  invalid_input: 'BAD_PARAMETER',
  not_found: 'NOT_FOUND',
  invalid_state: 'CONFLICT',
  append_only: 'CONFLICT',
  migration_failed: 'INTERNAL',
  schema_too_new: 'INTERNAL',
  misuse: 'INTERNAL',
  query_failed: 'INTERNAL',
};

const CLOUD: Record<CloudError['code'], ApiErrorCode> = {
  capacity: 'UNAVAILABLE',
  'not-found': 'NOT_FOUND',
  'in-use': 'CONFLICT',
  unauthorized: 'UPSTREAM_FAILED',
  throttled: 'TOO_MANY_REQUESTS',
  'invalid-parameter': 'BAD_PARAMETER',
  unavailable: 'UNAVAILABLE',
  internal: 'UPSTREAM_FAILED',
};

/**
 * The API's view of an error a component threw: its registry code and a message for the
 * caller. Component errors keep their own codes (the metadata store's, the cloud's, the
 * scorer's); this is the one place that decides what each means over HTTP. Undefined for
 * errors that are not ours to explain (they become a 500).
 */
export function componentToApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ScoringError) return new ApiError('BAD_PARAMETER', err.message, err.field || undefined, { cause: err });
  if (err instanceof MetadataStoreError) return new ApiError(METADATA[err.code], err.message, undefined, { cause: err });
  if (err instanceof CloudError) return new ApiError(CLOUD[err.code], err.message, undefined, { cause: err });
  if (err instanceof SolverError) {
    return new ApiError(
      err.code === 'INVALID_INPUT' ? 'BAD_PARAMETER' : err.code === 'SHUT_DOWN' ? 'UNAVAILABLE' : 'INTERNAL',
      err.message,
      undefined,
      { cause: err },
    );
  }
  return undefined;
}
