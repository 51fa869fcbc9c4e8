import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { LoginFailureRepository } from '../state/repositories/login-failure-repository.ts';
import { SessionRepository } from '../state/repositories/session-repository.ts';
import { type UserRecord, UserRepository } from '../state/repositories/user-repository.ts';
import { recordAudit, sourceIp, typedUsername } from './audit-trail.ts';
import { forbidden, unauthenticated } from './auth-errors.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.ts';
import { csrfTokenFor, newSecret } from './secret-token.ts';

export interface SignedIn {
  user: UserRecord;
  /** The cookie's secret: goes to the browser only. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: number;
}

/**
 * Checks a username and password and opens a session. In order: the per-IP+username rate
 * limit (429), the username's lockout (429, without checking the password, so a locked
 * account cannot be probed), then the password — against a decoy hash when the user is
 * unknown, so timing does not tell unknown users from wrong passwords. Every outcome is
 * audited; the password never is.
 */
export async function signIn(
  rt: AuthRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
  typed: string,
  password: string,
): Promise<SignedIn> {
  const username = typed.toLowerCase();
  const actor = typedUsername(username);
  const now = rt.now();
  const deny = async (reason: string, retryMs: number, message: string) => {
    await recordAudit(
      rt.store,
      request,
      { action: 'auth.login', target: `user:${actor}`, result: 'denied', clientId: null, actor, details: { reason } },
      now,
    );
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryMs / 1000))));
    return new ApiError('TOO_MANY_REQUESTS', message);
  };
  const wait = rt.throttle.take(`${request.ip}\n${username}`);
  if (wait > 0) throw await deny('rate-limited', wait, 'too many sign-in attempts for this username from your address: wait a minute');
  const failures = new LoginFailureRepository(rt.store);
  const lock = (await failures.get(username))?.lockedUntil ?? null;
  if (lock !== null && lock > now) {
    throw await deny('locked', lock - now, `too many failed sign-ins for this username: try again after ${new Date(lock).toISOString()}`);
  }

  const users = new UserRepository(rt.store);
  const found = await users.credentials(username);
  const matches = await verifyPassword(password, found?.passwordHash ?? (await rt.decoyHash()));
  if (!found || !matches || found.user.disabled) {
    const reason = !found ? 'unknown user' : !matches ? 'wrong password' : 'disabled';
    await rt.store.transaction(async (tx) => {
      const rule = { maxFailures: rt.settings.maxLoginFailures, windowMs: rt.settings.lockoutMs };
      const state = await new LoginFailureRepository(tx).recordFailure(username, rule, now);
      const details = { reason, failures: state.failures, locked: state.lockedUntil !== null };
      const clientId = found?.user.clientId ?? null;
      await recordAudit(tx, request, { action: 'auth.login', target: `user:${actor}`, result: 'failure', clientId, actor, details }, now);
    });
    throw unauthenticated('wrong username or password');
  }

  const user = found.user;
  const secret = newSecret('session');
  const expiresAt = now + rt.settings.sessionTtlMs;
  const rehash = needsRehash(found.passwordHash, rt.settings.scrypt) ? await hashPassword(password, rt.settings.scrypt) : null;
  await rt.store.transaction(async (tx) => {
    await new LoginFailureRepository(tx).clear(username);
    await new SessionRepository(tx).create({ id: secret.hash, userId: user.id, expiresAt, sourceIp: sourceIp(request) }, now);
    if (rehash) await new UserRepository(tx).replaceHash(user.id, rehash);
    await recordAudit(
      tx,
      request,
      { action: 'auth.login', target: `user:${user.id}`, result: 'success', clientId: user.clientId, actor: user.username },
      now,
    );
  });
  await rt.sweepNow();
  return { user, sessionToken: secret.token, csrfToken: csrfTokenFor(secret.token), expiresAt };
}

/**
 * The current password of a signed-in user changing theirs. A wrong one counts toward the
 * same lockout as sign-in: a borrowed session must not become a password oracle.
 */
export async function checkCurrentPassword(
  rt: AuthRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
  username: string,
  password: string,
): Promise<void> {
  const now = rt.now();
  const failures = new LoginFailureRepository(rt.store);
  const lock = (await failures.get(username))?.lockedUntil ?? null;
  if (lock !== null && lock > now) {
    reply.header('retry-after', String(Math.ceil((lock - now) / 1000)));
    throw new ApiError('TOO_MANY_REQUESTS', `too many wrong passwords for this username: try again after ${new Date(lock).toISOString()}`);
  }
  const found = await new UserRepository(rt.store).credentials(username);
  if (found && (await verifyPassword(password, found.passwordHash))) return;
  await rt.store.transaction(async (tx) => {
    const rule = { maxFailures: rt.settings.maxLoginFailures, windowMs: rt.settings.lockoutMs };
    const state = await new LoginFailureRepository(tx).recordFailure(username, rule, now);
    const details = { reason: 'wrong current password', failures: state.failures, locked: state.lockedUntil !== null };
    await recordAudit(
      tx,
      request,
      {
        action: 'me.update',
        target: `user:${found?.user.id ?? username}`,
        result: 'failure',
        clientId: found?.user.clientId ?? null,
        details,
      },
      now,
    );
  });
  throw forbidden('wrong current password', 'currentPassword');
}
