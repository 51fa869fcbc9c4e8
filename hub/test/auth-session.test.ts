import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAuthRoutes } from '../src/api/routes/auth-routes.ts';
import { registerAuth } from '../src/auth/register-auth.ts';
import { AuditRepository, type MetadataStore, SessionRepository } from '../src/state/index.ts';
import {
  type AuthHarness,
  authHarness,
  dumpAccountTables,
  type ErrorBody,
  ensureClient,
  HOUR,
  MIN,
  makeUser,
  PASSWORD,
  signedIn,
  TEST_SCRYPT,
  unique,
} from './auth-fixtures.ts';

/** `name=value; Attr; Attr=x` → { name, value, attrs (lower-case) }. */
function parseSetCookie(header: string) {
  const [pair = '', ...attrs] = header.split(';').map((s) => s.trim());
  const [name = '', value = ''] = pair.split('=');
  return { name, value, attrs: Object.fromEntries(attrs.map((a) => [a.split('=')[0]?.toLowerCase(), a.split('=')[1] ?? true])) };
}

function cookiesOf(res: { headers: Record<string, unknown> }) {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  return Object.fromEntries(list.map((c) => parseSetCookie(String(c))).map((c) => [c.name, c]));
}

let h: AuthHarness;
let store: MetadataStore;
/** A second API server on the same store, with sign-up allowed and cookies always Secure. */
let signupHub: AuthHarness;
beforeAll(async () => {
  h = await authHarness({ maxLoginFailures: 3, lockoutMs: 15 * MIN, loginAttemptsPerMinute: 5 });
  store = h.store;
  signupHub = await authHarness({ allowSignup: true, secureCookies: true }, store);
  await ensureClient(store, 'acme', ['prod']);
});
afterAll(async () => {
  await signupHub?.close();
  await h?.close();
});

describe('sign-in with sessions', () => {
  const login = (username: string, password: string, ip = '10.0.0.1') =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });

  it('sets an httpOnly, SameSite=Strict session cookie (not Secure over plain HTTP), answers the user and the CSRF token', async () => {
    const user = await makeUser(store, { role: 'operator', clientId: 'acme' });
    const res = await login(user.username.toUpperCase(), PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { user: { username: string; role: string; clientId: string }; csrfToken: string; expiresAt: string };
    expect(body.user).toMatchObject({ username: user.username, role: 'operator', clientId: 'acme' });
    expect(JSON.stringify(body)).not.toContain('$scrypt$');
    const c = cookiesOf(res);
    expect(c.ballast_session?.attrs).toMatchObject({ httponly: true, samesite: 'Strict', path: '/', 'max-age': String(12 * 3600) });
    expect(c.ballast_session?.attrs.secure).toBeUndefined();
    expect(c.ballast_csrf?.value).toBe(body.csrfToken);
    expect(c.ballast_csrf?.attrs.httponly).toBeUndefined();
    expect(new Date(body.expiresAt).getTime()).toBe(h.clock.ms + 12 * HOUR);

    const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: `ballast_session=${c.ballast_session?.value}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ via: 'session', role: 'operator', clientId: 'acme', csrfToken: body.csrfToken });
    // Stored hashed: the cookie's value is in no table.
    expect(await dumpAccountTables(store)).not.toContain(c.ballast_session?.value);
  });

  it('refuses a wrong password and an unknown user alike (401), auditing both, never the password', async () => {
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    const wrong = await login(user.username, 'not the password at all', '10.0.1.1');
    const unknown = await login('nobody-here', PASSWORD, '10.0.1.1');
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect((r.json() as ErrorBody).error).toEqual({ code: 'UNAUTHENTICATED', message: 'wrong username or password' });
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const audit = (await new AuditRepository(store).list({ clientId: null, action: 'auth.login', limit: 10 })).items;
    expect(audit.find((e) => e.actor === user.username)).toMatchObject({
      result: 'failure',
      sourceIp: '10.0.1.1',
      clientId: 'acme',
      details: { reason: 'wrong password', failures: 1, locked: false },
    });
    expect(audit.find((e) => e.actor === 'nobody-here')).toMatchObject({ result: 'failure', details: { reason: 'unknown user' } });
    expect(await dumpAccountTables(store)).not.toContain('not the password at all');
    expect(await dumpAccountTables(store)).not.toContain(PASSWORD);
  });

  it('locks a username after N failures for the lockout period, even for the right password, then lets it in again', async () => {
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    // Each attempt from its own address: the lockout counts per username, whoever tries.
    for (let i = 0; i < 3; i++) expect((await login(user.username, `wrong-${i}-password`, `10.0.2.${i}`)).statusCode).toBe(401);
    const locked = await login(user.username, PASSWORD, '10.0.2.9');
    expect(locked.statusCode).toBe(429);
    expect((locked.json() as ErrorBody).error.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
    const denied = (await new AuditRepository(store).list({ clientId: null, actor: user.username, limit: 1 })).items[0];
    expect(denied).toMatchObject({ result: 'denied', details: { reason: 'locked' } });
    h.clock.advance(15 * MIN);
    expect((await login(user.username, PASSWORD, '10.0.2.9')).statusCode).toBe(200);
    // Success forgets the failures: the count starts again.
    expect((await login(user.username, 'wrong-again-password', '10.0.2.10')).statusCode).toBe(401);
    expect((await login(user.username, PASSWORD, '10.0.2.11')).statusCode).toBe(200);
  });

  it('locks guessed usernames too, so a lockout does not tell which accounts exist', async () => {
    const ghost = unique('ghost');
    for (let i = 0; i < 3; i++) expect((await login(ghost, `wrong-${i}-password`, `10.0.3.${i}`)).statusCode).toBe(401);
    expect((await login(ghost, PASSWORD, '10.0.3.9')).statusCode).toBe(429);
  });

  it('rate-limits attempts per IP address and username (429), not other addresses or usernames', async () => {
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    const other = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    for (let i = 0; i < 5; i++) expect((await login(user.username, PASSWORD, '10.0.4.1')).statusCode).toBe(200);
    const limited = await login(user.username, PASSWORD, '10.0.4.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(user.username, PASSWORD, '10.0.4.2')).statusCode).toBe(200);
    expect((await login(other.username, PASSWORD, '10.0.4.1')).statusCode).toBe(200);
    h.clock.advance(MIN);
    expect((await login(user.username, PASSWORD, '10.0.4.1')).statusCode).toBe(200);
  });

  it('refuses a cookie-authenticated change without the right X-CSRF-Token (403), and changes nothing', async () => {
    const caller = await signedIn(h, await makeUser(store, { role: 'viewer', clientId: 'acme' }));
    const cookie = caller.headers.cookie as string;
    const put = (headers: Record<string, string>) =>
      h.app.inject({ method: 'PUT', url: '/api/v1/me', headers, payload: { name: 'Changed' } });
    const attempts: Record<string, string>[] = [{ cookie }, { cookie, 'x-csrf-token': 'forged' }];
    for (const headers of attempts) {
      const r = await put(headers);
      expect(r.statusCode).toBe(403);
      expect((r.json() as ErrorBody).error).toMatchObject({ code: 'FORBIDDEN', parameter: 'X-CSRF-Token' });
    }
    // The token of another session does not fit this one.
    const otherSession = await signedIn(h, caller.user);
    expect((await put({ cookie, 'x-csrf-token': otherSession.headers['x-csrf-token'] as string })).statusCode).toBe(403);
    expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie } })).json()).toMatchObject({ user: { name: caller.user.name } });
    expect((await put(caller.headers)).statusCode).toBe(200);
  });

  it('ends a session at its expiry and after the idle timeout, clearing the cookies; activity keeps it alive meanwhile', async () => {
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    const idle = await signedIn(h, user);
    const active = await signedIn(h, user);
    const me = (c: { headers: Record<string, string> }) => h.app.inject({ url: '/api/v1/me', headers: c.headers });
    for (let i = 0; i < 3; i++) {
      h.clock.advance(20 * MIN);
      expect((await me(active)).statusCode).toBe(200);
    }
    const gone = await me(idle);
    expect(gone.statusCode).toBe(401);
    expect((gone.json() as ErrorBody).error.message).toContain('idle');
    expect(cookiesOf(gone).ballast_session?.value).toBe('');
    h.clock.advance(12 * HOUR);
    const expired = await me(active);
    expect(expired.statusCode).toBe(401);
    expect((expired.json() as ErrorBody).error.message).toContain('expired');
    expect(await new SessionRepository(store).countForUser(user.id)).toBe(0);
  });

  it('signs out: the session row is deleted, the cookies cleared, the sign-out audited', async () => {
    const caller = await signedIn(h, await makeUser(store, { role: 'admin', clientId: 'acme' }));
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: caller.headers });
    expect(out.statusCode).toBe(204);
    expect(cookiesOf(out).ballast_session).toMatchObject({ value: '', attrs: { httponly: true, samesite: 'Strict' } });
    expect(await new SessionRepository(store).countForUser(caller.user.id)).toBe(0);
    expect((await h.app.inject({ url: '/api/v1/me', headers: caller.headers })).statusCode).toBe(401);
    const entry = (await new AuditRepository(store).list({ clientId: 'acme', action: 'auth.logout', limit: 1 })).items[0];
    expect(entry).toMatchObject({ actor: caller.user.username, target: `user:${caller.user.id}`, result: 'success' });
  });

  it('changes the own password only with the current one, ending the other sessions but this one', async () => {
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    const here = await signedIn(h, user);
    const elsewhere = await signedIn(h, user);
    const put = (payload: Record<string, unknown>) => h.app.inject({ method: 'PUT', url: '/api/v1/me', headers: here.headers, payload });
    const missing = await put({ password: 'a brand new password' });
    expect([missing.statusCode, (missing.json() as ErrorBody).error.parameter]).toEqual([400, 'currentPassword']);
    const wrong = await put({ password: 'a brand new password', currentPassword: 'not it at all' });
    expect([wrong.statusCode, (wrong.json() as ErrorBody).error.parameter]).toEqual([403, 'currentPassword']);
    const ok = await put({ password: 'a brand new password', currentPassword: PASSWORD, name: 'Renamed' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Renamed' });
    expect((await h.app.inject({ url: '/api/v1/me', headers: here.headers })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/me', headers: elsewhere.headers })).statusCode).toBe(401);
    expect((await login(user.username, PASSWORD, '10.0.5.1')).statusCode).toBe(401);
    expect((await login(user.username, 'a brand new password', '10.0.5.1')).statusCode).toBe(200);
    const entry = (await new AuditRepository(store).list({ clientId: 'acme', action: 'me.update', actor: user.username, limit: 1 }))
      .items[0];
    expect(entry?.details).toEqual({ fields: ['name', 'password'] });
    expect(await dumpAccountTables(store)).not.toContain('a brand new password');
  });

  it('refuses a disabled user at sign-in and ends their sessions', async () => {
    const admin = await signedIn(h, await makeUser(store, { role: 'admin', clientId: 'acme' }));
    const user = await makeUser(store, { role: 'viewer', clientId: 'acme' });
    const session = await signedIn(h, user);
    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: admin.headers,
      payload: { disabled: true },
    });
    expect(patch.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/me', headers: session.headers })).statusCode).toBe(401);
    expect((await login(user.username, PASSWORD, '10.0.6.1')).statusCode).toBe(401);
  });

  it('refuses sign-up unless config allows it', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { username: unique('founder'), password: PASSWORD, clientId: unique('newco'), clientName: 'NewCo' },
    });
    expect(r.statusCode).toBe(403);
    expect((r.json() as ErrorBody).error.code).toBe('FORBIDDEN');
  });
});

describe('sign-up and cookie security settings', () => {
  it('creates a client account (the client and its admin) when allowed; the founder signs in as that client’s admin', async () => {
    const username = unique('founder');
    const clientId = unique('newco');
    const r = await signupHub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { username, password: PASSWORD, clientId, clientName: 'NewCo' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ user: { username, role: 'admin', clientId } });
    const again = await signupHub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { username: unique('x'), password: PASSWORD, clientId, clientName: 'Again' },
    });
    expect([again.statusCode, (again.json() as ErrorBody).error.parameter]).toEqual([409, 'clientId']);
    const login = await signupHub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    // secureCookies: Secure even over plain HTTP.
    expect(cookiesOf(login).ballast_session?.attrs.secure).toBe(true);
    expect(cookiesOf(login).ballast_csrf?.attrs.secure).toBe(true);
  });

  it('are Secure when the request came over TLS (here through a trusted proxy), without config', async () => {
    const app = Fastify({ trustProxy: true });
    try {
      const rt = await registerAuth(app, { store: h.store, now: h.clock.now, settings: { scrypt: TEST_SCRYPT } });
      registerAuthRoutes(app, rt);
      const user = await makeUser(h.store, { role: 'viewer', clientId: null });
      const login = (proto: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'x-forwarded-proto': proto },
          payload: { username: user.username, password: PASSWORD },
        });
      expect(cookiesOf(await login('https')).ballast_session?.attrs.secure).toBe(true);
      expect(cookiesOf(await login('http')).ballast_session?.attrs.secure).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
