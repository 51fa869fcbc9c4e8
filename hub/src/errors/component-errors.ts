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
 * Fastify's own refusals of a body before any route sees it: each as the registry's code,
 * naming the part at fault (the body, or its content type), so every 4xx has the one shape
 * and a code whose registry status is the answer's.
 */
const FASTIFY_BODY: Record<string, { code: ApiErrorCode; parameter: string; message: string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_PARAMETER', parameter: 'body', message: 'is empty but the content type says JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_PARAMETER', parameter: 'body', message: 'is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_PARAMETER', parameter: 'body', message: 'does not match its Content-Length' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', parameter: 'body', message: 'is larger than the limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', parameter: 'content-type', message: 'must be application/json' },
};

function fastifyBodyError(err: unknown): ApiError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? FASTIFY_BODY[code] : undefined;
  // Fastify's JSON parser also reports a __proto__ key (prototype poisoning) as invalid JSON.
  return known && new ApiError(known.code, `${known.parameter}: ${known.message}`, known.parameter, { cause: err });
}

/**
 * The API's view of an error a component threw: its registry code and a message for the
 * caller. Component errors keep their own codes (the metadata store's, the cloud's, the
 * scorer's, Fastify's body parser's); this is the one place that decides what each means over HTTP. Undefined for
 * errors that are not ours to explain (they become a 500).
 */
export function componentToApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const body = fastifyBodyError(err);
  if (body) return body;
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
