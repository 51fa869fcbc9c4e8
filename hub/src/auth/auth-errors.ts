import { ApiError, type ApiErrorCode } from '../errors/api-error.ts';

/**
 * The API error codes sign-in needs. Until the registry (errors/api-error.ts) lists them,
 * {@link AuthError} carries its own status, so the API's error handler, which answers
 * every ApiError with `status` and `toBody()`, serves them unchanged today and after.
 */
export const AUTH_ERRORS = {
  /** No credentials, or ones that are wrong, expired or revoked. */
  UNAUTHENTICATED: 401,
  /** Signed in, but the role, tenant or kind of credential does not allow this. */
  FORBIDDEN: 403,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export class AuthError extends ApiError {
  constructor(code: AuthErrorCode, message: string, parameter?: string, options?: { cause?: unknown }) {
    // The registry's type does not know these codes yet; the status below does not need it to.
    super(code as unknown as ApiErrorCode, message, parameter, options);
  }

  override get status(): number {
    return AUTH_ERRORS[this.code as unknown as AuthErrorCode];
  }
}

export function unauthenticated(message = 'sign in first: send the session cookie or an Authorization: Bearer token'): AuthError {
  return new AuthError('UNAUTHENTICATED', message);
}

export function forbidden(message: string, parameter?: string): AuthError {
  return new AuthError('FORBIDDEN', message, parameter);
}
