/**
 * The one error registry of the REST API: every error a route can return has a code here,
 * with its HTTP status. The body is always `{ error: { code, message, parameter? } }`.
 */
export const API_ERRORS = {
  BAD_PARAMETER: 400,
  /** No credentials, or ones that are wrong, expired or revoked. */
  UNAUTHENTICATED: 401,
  /** Signed in, but the role, tenant or kind of credential does not allow this. */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** A body over the size limit (1 MiB), refused before it is parsed. */
  PAYLOAD_TOO_LARGE: 413,
  /** A body in a content type the API does not take (it takes application/json). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  LIMIT_EXCEEDED: 422,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  UPSTREAM_FAILED: 502,
  STORE_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly parameter?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return API_ERRORS[this.code];
  }

  toBody(): { error: { code: ApiErrorCode; message: string; parameter?: string } } {
    // An empty name is still a name: a JSON body may have a "" key, and the caller must learn that it was that one.
    return { error: { code: this.code, message: this.message, ...(this.parameter !== undefined ? { parameter: this.parameter } : {}) } };
  }
}

export function badParameter(parameter: string, message: string): ApiError {
  return new ApiError('BAD_PARAMETER', `${parameter === '' ? '""' : parameter}: ${message}`, parameter);
}
