import type { FastifyInstance } from 'fastify';
import { recordAudit, typedUsername } from '../../auth/audit-trail.ts';
import { forbidden, unauthenticated } from '../../auth/auth-errors.ts';
import type { AuthRuntime } from '../../auth/auth-runtime.ts';
import { hashPassword } from '../../auth/password-hash.ts';
import { principalOf } from '../../auth/principal.ts';
import { anyPassword, clientId, displayName, newPassword, object, username } from '../../auth/schemas.ts';
import { clearSessionCookies, setSessionCookies } from '../../auth/session-cookie.ts';
import { checkCurrentPassword, signIn } from '../../auth/sign-in.ts';
import { changeDetails } from '../../auth/user-changes.ts';
import { userView } from '../../auth/views.ts';
import { ApiError, badParameter } from '../../errors/api-error.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { SessionRepository } from '../../state/repositories/session-repository.ts';
import { TenantRepository } from '../../state/repositories/tenant-repository.ts';
import { type UserChange, UserRepository } from '../../state/repositories/user-repository.ts';
import { strictlyValidated } from '../strict-body.ts';

const loginBody = object({ username: { type: 'string', minLength: 1, maxLength: 200 }, password: anyPassword }, ['username', 'password']);

const signupBody = object(
  { username, password: newPassword, name: displayName, clientId, clientName: { type: 'string', minLength: 1, maxLength: 200 } },
  ['username', 'password', 'clientId', 'clientName'],
);

const meBody = object({ name: displayName, password: newPassword, currentPassword: anyPassword }, [], { minProperties: 1 });

/**
 * POST /api/v1/auth/login, /logout and /signup, and GET/PUT /api/v1/me. Sign-in answers the user and the
 * anti-CSRF token and sets the session cookies; sign-up (when config allows it) creates a
 * client account: the client and its first admin, who then signs in.
 */
export function registerAuthRoutes(app: FastifyInstance, rt: AuthRuntime): void {
  app.post('/api/v1/auth/login', strictlyValidated({ body: loginBody }), async (request, reply) => {
    const { username: typed, password } = request.body as { username: string; password: string };
    const s = await signIn(rt, request, reply, typed, password);
    setSessionCookies(request, reply, rt.settings, { session: s.sessionToken, csrf: s.csrfToken });
    return { user: userView(s.user), csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString() };
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    // It takes no body (the console sends {}): anything else is a client bug, refused before the session goes.
    BodyReader.of(request.body, []);
    const p = principalOf(request);
    const now = rt.now();
    await rt.store.transaction(async (tx) => {
      await new SessionRepository(tx).delete(p.credentialId);
      await recordAudit(tx, request, { action: 'auth.logout', target: `user:${p.userId}`, result: 'success', clientId: p.clientId }, now);
    });
    rt.forgetCredentials();
    clearSessionCookies(request, reply, rt.settings);
    return reply.code(204).send();
  });

  app.post('/api/v1/auth/signup', strictlyValidated({ body: signupBody }), async (request, reply) => {
    const b = request.body as { username: string; password: string; name?: string; clientId: string; clientName: string };
    const now = rt.now();
    const actor = typedUsername(b.username);
    if (!rt.settings.allowSignup) {
      await recordAudit(
        rt.store,
        request,
        { action: 'auth.signup', target: `client:${b.clientId}`, result: 'denied', clientId: null, actor },
        now,
      );
      throw forbidden('sign-up is disabled on this hub: ask its admin for an account');
    }
    // The same budget as sign-in: sign-up hashes a password too, and creates rows.
    const wait = rt.throttle.take(`${request.ip}\nsignup`);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new ApiError('TOO_MANY_REQUESTS', 'too many sign-ups from your address: wait a minute');
    }
    const passwordHash = await hashPassword(b.password, rt.settings.scrypt);
    const user = await rt.store.transaction(async (tx) => {
      if (await new TenantRepository(tx).getClient(b.clientId))
        throw new ApiError('CONFLICT', `client id ${b.clientId} is taken`, 'clientId');
      if (await new UserRepository(tx).credentials(b.username))
        throw new ApiError('CONFLICT', `username ${b.username} is taken`, 'username');
      await new TenantRepository(tx).createClient({ id: b.clientId, name: b.clientName }, now);
      const u = await new UserRepository(tx).create(
        { username: b.username, name: b.name ?? '', role: 'admin', clientId: b.clientId, passwordHash },
        now,
      );
      await recordAudit(
        tx,
        request,
        {
          action: 'auth.signup',
          target: `client:${b.clientId}`,
          result: 'success',
          clientId: b.clientId,
          actor: u.username,
          details: { userId: u.id },
        },
        now,
      );
      return u;
    });
    return reply.code(201).send({ user: userView(user) });
  });

  app.get('/api/v1/me', strictlyValidated({ querystring: object({}) }), async (request) => {
    const p = principalOf(request);
    const user = await new UserRepository(rt.store).get(null, p.userId);
    if (!user) throw unauthenticated('the account no longer exists');
    return {
      user: userView(user),
      via: p.via,
      // A token's role and client are its own, capped by its owner's: what this caller may do now.
      role: p.role,
      clientId: p.clientId,
      ...(p.via === 'session' ? { csrfToken: p.csrfToken } : { tokenId: p.credentialId }),
    };
  });

  // A new password needs the current one (a borrowed session must not take the account over)
  // and ends the user's other sessions.
  app.put('/api/v1/me', strictlyValidated({ body: meBody }), async (request, reply) => {
    const b = request.body as { name?: string; password?: string; currentPassword?: string };
    const p = principalOf(request);
    if (b.password !== undefined) {
      if (b.currentPassword === undefined) throw badParameter('currentPassword', 'is required to change the password');
      await checkCurrentPassword(rt, request, reply, p.username, b.currentPassword);
    }
    const now = rt.now();
    const change: UserChange = { name: b.name };
    if (b.password !== undefined) change.passwordHash = await hashPassword(b.password, rt.settings.scrypt);
    const user = await rt.store.transaction(async (tx) => {
      const u = await new UserRepository(tx).update(p.userId, change, now);
      if (change.passwordHash) await new SessionRepository(tx).deleteForUser(p.userId, p.credentialId);
      await recordAudit(
        tx,
        request,
        { action: 'me.update', target: `user:${p.userId}`, result: 'success', clientId: u.clientId, details: changeDetails(change) },
        now,
      );
      return u;
    });
    // A new password ends the user's other sessions: none may live on in the cache.
    rt.forgetCredentials();
    return userView(user);
  });
}
