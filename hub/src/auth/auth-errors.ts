import { ApiError } from '../errors/api-error.ts';

/** The registry's sign-in codes (errors/api-error.ts): 401 and 403. */
export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/** Kept as its own class so callers can tell an access refusal from any other API error. */
export class AuthError extends ApiError {
  constructor(code: AuthErrorCode, message: string, parameter?: string, options?: { cause?: unknown }) {
    super(code, message, parameter, options);
  }
}

export function unauthenticated(message = 'sign in first: send the session cookie or an Authorization: Bearer token'): AuthError {
  return new AuthError('UNAUTHENTICATED', message);
}

export function forbidden(message: string, parameter?: string): AuthError {
  return new AuthError('FORBIDDEN', message, parameter);
}
