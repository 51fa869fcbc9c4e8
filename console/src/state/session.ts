import { computed, signal } from '@preact/signals';
import type { ApiError } from '../api/api-error.ts';
import { configureHttp } from '../api/http.ts';
import type { Principal } from './roles.ts';

export type SessionStatus = 'checking' | 'signed-out' | 'signed-in';

/** Who is signed in: one store the shell, pages and API client read. */
export const principal = signal<Principal | null>(null);
export const status = signal<SessionStatus>('checking');
export const csrfToken = signal<string | undefined>(undefined);
/** Why the user is on the sign-in page when they did not choose to be (an expired session). */
export const signInNotice = signal<string | undefined>(undefined);

export const signedIn = computed(() => status.value === 'signed-in' && principal.value !== null);

export function setSession(p: Principal, csrf: string | undefined): void {
  principal.value = p;
  csrfToken.value = csrf;
  status.value = 'signed-in';
  signInNotice.value = undefined;
}

export function clearSession(notice?: string): void {
  principal.value = null;
  csrfToken.value = undefined;
  status.value = 'signed-out';
  signInNotice.value = notice;
}

configureHttp({
  csrfToken: () => csrfToken.value,
  onUnauthorized: (err: ApiError) => {
    // Only a lapse of a live session is news; the first /me probe answering 401 is not.
    if (status.value === 'signed-in') clearSession(`Your session ended (${err.message}). Sign in again.`);
    else status.value = 'signed-out';
  },
});
