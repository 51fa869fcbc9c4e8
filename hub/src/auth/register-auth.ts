import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from './auth-errors.ts';
import { type AuthDeps, type AuthRuntime, createAuthRuntime } from './auth-runtime.ts';
import { authenticate } from './authenticate.ts';
import type { Principal } from './principal.ts';
import { enforce, ruleFor } from './route-policy.ts';
import { sameSecret } from './secret-token.ts';
import { CSRF_HEADER, clearSessionCookies } from './session-cookie.ts';

/** Methods that change nothing, so a forged cross-site request would gain nothing from them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Installs sign-in on an API server: cookie parsing, `request.principal`, and one
 * onRequest hook that authenticates the caller, refuses cookie-authenticated state
 * changes without the session's anti-CSRF token, and enforces the route policy — before
 * body parsing, so a refused caller costs no parsing and learns nothing from validation.
 * Call it on the root instance before registering routes (its hook covers routes
 * registered after it too, in this context and its children).
 */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<AuthRuntime> {
  const rt = createAuthRuntime(deps);
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const rule = ruleFor(rt.policy, request.method, request.routeOptions.url, request.url.split('?')[0] ?? '');
    // Public routes (sign-in, probes, the console's files) need no caller: no database read for them.
    if (rule.access === 'public') return;
    const auth = await authenticate(request, rt);
    if (auth.deadSession) clearSessionCookies(request, reply, rt.settings);
    if (!auth.principal) throw unauthenticated(auth.problem ?? undefined);
    request.principal = auth.principal;
    if (auth.principal.via === 'session' && !SAFE_METHODS.has(request.method)) checkCsrf(request, auth.principal);
    enforce(rule, auth.principal);
  });
  return rt;
}

/**
 * Session-bound double-submit: the browser must echo in X-CSRF-Token the token derived
 * from its session (given at sign-in, in the body and the readable ballast_csrf cookie).
 * Another site's page can make the browser send the cookie (SameSite=Strict already
 * stops that in current browsers) but can neither read the token nor compute it.
 */
function checkCsrf(request: FastifyRequest, principal: Principal): void {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || principal.csrfToken === null || !sameSecret(sent, principal.csrfToken)) {
    throw forbidden(
      'missing or wrong X-CSRF-Token header: send the csrfToken given at sign-in (also in the ballast_csrf cookie)',
      'X-CSRF-Token',
    );
  }
}
