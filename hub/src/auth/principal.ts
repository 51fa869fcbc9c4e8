import type { FastifyRequest } from 'fastify';
import { unauthenticated } from './auth-errors.ts';
import type { Role } from './roles.ts';

/** Who a request acts for, as the auth hook established it. */
export interface Principal {
  /** `session`: a browser signed in with a password; `token`: a program with an API token. */
  via: 'session' | 'token';
  userId: string;
  username: string;
  /** For tokens, the weaker of the token's and its owner's current role. */
  role: Role;
  /** The one tenant it may see; null: every tenant (hub staff). */
  clientId: string | null;
  /** The session id (a hash) or the token id. */
  credentialId: string;
  /** The anti-CSRF token a state-changing request of this session must echo; null for tokens. */
  csrfToken: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook before the route runs; null on public routes without credentials. */
    principal: Principal | null;
  }
}

/**
 * The caller, for routes that require one (the route policy made sure there is). Takes
 * `unknown` so it fits the `(request: unknown) => …` dependencies routes already declare.
 */
export function principalOf(request: unknown): Principal {
  const p = (request as FastifyRequest | null)?.principal;
  if (!p) throw unauthenticated();
  return p;
}

/** The tenant a request may see; null: every tenant. Routes filter by it. */
export function tenantOf(request: unknown): string | null {
  return principalOf(request).clientId;
}

/**
 * The audit log's name for the caller: the username for a person, `<username> via token
 * <id>` for a program, so a record names both the credential and who answers for it.
 */
export function actorOf(request: unknown): string {
  const p = principalOf(request);
  return p.via === 'session' ? p.username : `${p.username} via token ${p.credentialId}`;
}
