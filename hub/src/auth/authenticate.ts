import type { FastifyRequest } from 'fastify';
import { ApiTokenRepository } from '../state/repositories/api-token-repository.ts';
import { SessionRepository } from '../state/repositories/session-repository.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import type { Principal } from './principal.ts';
import { weakerRole } from './roles.ts';
import { csrfTokenFor, hashSecret, looksLike } from './secret-token.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

export type Authentication =
  | { principal: Principal; problem: null; deadSession: false }
  /** `problem`: why the credentials given do not count (null: none given); `deadSession`: clear the cookies. */
  | { principal: null; problem: string | null; deadSession: boolean };

/** Last-use stamps are written at most this often per credential: one write per request would double the load. */
const TOUCH_EVERY_MS = 60_000;

const NONE: Authentication = { principal: null, problem: null, deadSession: false };

/**
 * Who the request's credentials name: an `Authorization: Bearer` API token, else the
 * session cookie. A bearer header wins when both come, so a program is never mistaken
 * for the browser it runs in.
 */
export async function authenticate(request: FastifyRequest, rt: AuthRuntime): Promise<Authentication> {
  const header = request.headers.authorization;
  if (header !== undefined) return bearer(header, rt);
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? session(cookie, rt) : NONE;
}

async function bearer(header: string, rt: AuthRuntime): Promise<Authentication> {
  const m = /^Bearer +(\S+) *$/i.exec(header);
  const fail = (problem: string): Authentication => ({ principal: null, problem, deadSession: false });
  if (!m?.[1]) return fail('the Authorization header must be "Bearer <API token>"');
  if (!looksLike('api', m[1])) return fail('not a Ballast API token');
  const hash = hashSecret(m[1]);
  const found = await rt.tokens.get(hash, () => new ApiTokenRepository(rt.store).findByHash(hash));
  const now = rt.now();
  if (!found) return fail('unknown API token');
  const { token, owner } = found;
  if (token.revokedAt !== null) return fail(`API token ${token.prefix}… was revoked`);
  if (token.expiresAt <= now) return fail(`API token ${token.prefix}… expired at ${new Date(token.expiresAt).toISOString()}`);
  if (owner.disabled) return fail(`the owner of API token ${token.prefix}… is disabled`);
  // A token never outgrows its owner: one moved to another tenant stops, one demoted shrinks.
  if (owner.clientId !== null && owner.clientId !== token.clientId)
    return fail(`API token ${token.prefix}… no longer fits its owner's client`);
  if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_EVERY_MS) {
    await new ApiTokenRepository(rt.store).touch(token.id, now);
    rt.tokens.update(hash, (f) => ({ ...f, token: { ...f.token, lastUsedAt: now } }));
  }
  return {
    principal: {
      via: 'token',
      userId: owner.id,
      username: owner.username,
      role: weakerRole(token.role, owner.role),
      clientId: token.clientId,
      credentialId: token.id,
      csrfToken: null,
    },
    problem: null,
    deadSession: false,
  };
}

async function session(secret: string, rt: AuthRuntime): Promise<Authentication> {
  const dead = (problem: string): Authentication => ({ principal: null, problem, deadSession: true });
  if (!looksLike('session', secret)) return dead('malformed session cookie: sign in again');
  const sessions = new SessionRepository(rt.store);
  const id = hashSecret(secret);
  const found = await rt.sessions.get(id, () => sessions.find(id));
  if (!found) return dead('the session ended: sign in again');
  const { session: s, user } = found;
  const now = rt.now();
  const problem =
    s.expiresAt <= now
      ? 'the session expired: sign in again'
      : s.lastSeenAt + rt.settings.sessionIdleMs <= now
        ? 'the session ended after being idle: sign in again'
        : user.disabled
          ? 'the account is disabled'
          : null;
  if (problem) {
    await sessions.delete(s.id);
    rt.sessions.forget(id);
    return dead(problem);
  }
  if (now - s.lastSeenAt >= Math.min(TOUCH_EVERY_MS, rt.settings.sessionIdleMs / 10)) {
    await sessions.touch(s.id, now);
    rt.sessions.update(id, (f) => ({ ...f, session: { ...f.session, lastSeenAt: now } }));
  }
  return {
    principal: {
      via: 'session',
      userId: user.id,
      username: user.username,
      role: user.role,
      clientId: user.clientId,
      credentialId: s.id,
      csrfToken: csrfTokenFor(secret),
    },
    problem: null,
    deadSession: false,
  };
}
