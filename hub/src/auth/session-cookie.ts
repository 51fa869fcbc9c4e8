import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthSettings } from './auth-settings.ts';

export const SESSION_COOKIE = 'ballast_session';
/** Readable by the console's script, which echoes it in {@link CSRF_HEADER}. */
export const CSRF_COOKIE = 'ballast_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Secure whenever the browser reached us over TLS (a TLS-terminating proxy needs trustProxy) or config says always. */
function secure(request: FastifyRequest, settings: AuthSettings): boolean {
  return settings.secureCookies || request.protocol === 'https';
}

/**
 * The session cookie is httpOnly (no script reads it) and SameSite=Strict (no other site's
 * page sends it); it lives as long as the session may.
 */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: AuthSettings,
  cookies: { session: string; csrf: string },
): void {
  const common = {
    path: '/',
    sameSite: 'strict',
    secure: secure(request, settings),
    maxAge: Math.floor(settings.sessionTtlMs / 1000),
  } as const;
  reply.setCookie(SESSION_COOKIE, cookies.session, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, cookies.csrf, { ...common, httpOnly: false });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply, settings: AuthSettings): void {
  const common = { path: '/', sameSite: 'strict', secure: secure(request, settings) } as const;
  reply.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, { ...common, httpOnly: false });
}
