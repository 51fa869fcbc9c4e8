import type { FastifyInstance } from 'fastify';
import type { Principal } from './principal.ts';

/**
 * Makes every request act as one fixed principal, with no credentials asked. Only for
 * in-process tools and tests whose subject is not access (they call the routes directly,
 * never over a network); the hub itself always installs sign-in (registerAuth).
 */
export function registerTrustedPrincipal(app: FastifyInstance, principal: Principal): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = principal;
  });
}

/** A hub-wide admin by session, for {@link registerTrustedPrincipal}. */
export const HUB_ADMIN_FOR_TESTS: Principal = {
  via: 'session',
  userId: '00000000-0000-4000-8000-000000000000',
  username: 'api',
  role: 'admin',
  clientId: null,
  credentialId: 'trusted',
  csrfToken: null,
};
