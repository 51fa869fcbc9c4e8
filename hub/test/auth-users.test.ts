import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, SessionRepository, type UserRecord, UserRepository } from '../src/state/index.ts';
import {
  type AuthHarness,
  authHarness,
  countRows,
  dumpAccountTables,
  type ErrorBody,
  ensureClient,
  makeUser,
  PASSWORD,
  signedIn,
  unique,
} from './auth-fixtures.ts';

let h: AuthHarness;
let rootUser: UserRecord;
/** The only hub-wide admin at first; signs in afresh for every request. */
const root = async () => (await signedIn(h, rootUser)).headers;

beforeAll(async () => {
  h = await authHarness();
  await ensureClient(h.store, 'acme', ['prod']);
  rootUser = await makeUser(h.store, { role: 'admin', clientId: null, username: 'root' });
});
afterAll(() => h?.close());

interface Bad {
  method: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';
  url: string;
  payload?: unknown;
  /** The field the 400 must name. */
  field: string;
}

describe('malformed requests', () => {
  it('are refused with 400 naming the field, before anything changes (no row, no audit record)', async () => {
    const victim = await makeUser(h.store, { role: 'viewer', clientId: 'acme' });
    const cases: Bad[] = [
      { method: 'POST', url: '/api/v1/auth/login', payload: {}, field: 'username' },
      { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'root' }, field: 'password' },
      { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'root', password: PASSWORD, remember: true }, field: 'remember' },
      { method: 'POST', url: '/api/v1/auth/login', payload: [], field: 'body' },
      { method: 'POST', url: '/api/v1/auth/login', payload: { username: { $ne: '' }, password: PASSWORD }, field: 'username' },
      { method: 'POST', url: '/api/v1/users', payload: { username: 'new-user', password: PASSWORD }, field: 'role' },
      { method: 'POST', url: '/api/v1/users', payload: { username: 'new-user', password: PASSWORD, role: 'root' }, field: 'role' },
      { method: 'POST', url: '/api/v1/users', payload: { username: 'new-user', password: 'short', role: 'viewer' }, field: 'password' },
      { method: 'POST', url: '/api/v1/users', payload: { username: 'Not Valid', password: PASSWORD, role: 'viewer' }, field: 'username' },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'new-user', password: PASSWORD, role: 'viewer', isAdmin: true },
        field: 'isAdmin',
      },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'new-user', password: PASSWORD, role: 'viewer', clientId: {} },
        field: 'clientId',
      },
      { method: 'PATCH', url: `/api/v1/users/${victim.id}`, payload: {}, field: 'body' },
      { method: 'PATCH', url: `/api/v1/users/${victim.id}`, payload: { disabled: 'yes' }, field: 'disabled' },
      { method: 'PATCH', url: '/api/v1/users/not-a-uuid', payload: { name: 'x' }, field: 'id' },
      { method: 'DELETE', url: '/api/v1/users/42', field: 'id' },
      { method: 'GET', url: '/api/v1/users?bogus=1', field: 'bogus' },
      { method: 'POST', url: '/api/v1/tokens', payload: { name: '' }, field: 'name' },
      { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci', expiresInDays: 0 }, field: 'expiresInDays' },
      { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci', expiresInDays: 1.5 }, field: 'expiresInDays' },
      { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci', role: 'owner' }, field: 'role' },
      {
        method: 'POST',
        url: '/api/v1/clusters/prod/enrolment-tokens?client=acme',
        payload: { expiresInDays: 'soon' },
        field: 'expiresInDays',
      },
      { method: 'POST', url: '/api/v1/clusters/prod/enrolment-tokens?client=acme&cluster=prod', payload: {}, field: 'cluster' },
      { method: 'POST', url: '/api/v1/clusters/bad%20id/enrolment-tokens?client=acme', payload: {}, field: 'id' },
      { method: 'POST', url: '/api/v1/clients', payload: { id: 'has space', name: 'X' }, field: 'id' },
      { method: 'POST', url: '/api/v1/clients', payload: { id: 'newco' }, field: 'name' },
      { method: 'PUT', url: '/api/v1/me', payload: { password: 'short', currentPassword: PASSWORD }, field: 'password' },
      { method: 'PUT', url: '/api/v1/me', payload: { nickname: 'x' }, field: 'nickname' },
    ];
    const before = await countRows(h.store);
    const problems: string[] = [];
    for (const c of cases) {
      const res = await h.app.inject({
        method: c.method,
        url: c.url,
        headers: await root(),
        ...(c.payload === undefined ? {} : { payload: c.payload as object }),
      });
      const error = (res.json() as ErrorBody).error;
      if (
        res.statusCode !== 400 ||
        error?.code !== 'BAD_PARAMETER' ||
        error.parameter !== c.field ||
        !error.message.startsWith(`${c.field}: `)
      ) {
        problems.push(`${c.method} ${c.url} ${JSON.stringify(c.payload)}: ${res.statusCode} ${res.body}`);
      }
    }
    expect(problems).toEqual([]);
    const after = await countRows(h.store);
    // Only the sessions this test made to call with differ.
    expect({ ...after, sessions: 0 }).toEqual({ ...before, sessions: 0 });
    expect(await dumpAccountTables(h.store)).not.toContain('short');
  });

  it('refuses a body that is not JSON with 400, and anonymous malformed requests with 401 before validating them', async () => {
    const notJson = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect([notJson.statusCode, (notJson.json() as ErrorBody).error.code]).toEqual([400, 'BAD_PARAMETER']);
    const anonymous = await h.app.inject({ method: 'POST', url: '/api/v1/users', payload: { nonsense: true } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('user administration', () => {
  const patch = async (id: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: await root(), payload });

  it('creates users with a hashed password, never shown, and audits who did it from where', async () => {
    const username = unique('alice');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await root(),
      remoteAddress: '192.0.2.7',
      payload: { username, name: 'Alice', password: 'alice has a long password', role: 'operator', clientId: 'acme' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain('$scrypt$');
    const user = res.json() as { id: string };
    const stored = await new UserRepository(h.store).credentials(username);
    expect(stored?.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await dumpAccountTables(h.store)).not.toContain('alice has a long password');
    const entry = (await new AuditRepository(h.store).list({ clientId: 'acme', target: `user:${user.id}` })).items[0];
    expect(entry).toMatchObject({
      actor: 'root',
      sourceIp: '192.0.2.7',
      action: 'user.create',
      result: 'success',
      details: { username, role: 'operator' },
    });
    const dup = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await root(),
      payload: { username, password: PASSWORD, role: 'viewer' },
    });
    expect([dup.statusCode, (dup.json() as ErrorBody).error.parameter]).toEqual([409, 'username']);
  });

  it('never leaves the hub without an enabled hub-wide admin, and no admin deletes themselves', async () => {
    for (const change of [{ role: 'operator' }, { disabled: true }, { clientId: 'acme' }]) {
      const r = await patch(rootUser.id, change);
      expect([r.statusCode, (r.json() as ErrorBody).error.code]).toEqual([409, 'CONFLICT']);
    }
    const self = await h.app.inject({ method: 'DELETE', url: `/api/v1/users/${rootUser.id}`, headers: await root() });
    expect(self.statusCode).toBe(409);
    const second = await makeUser(h.store, { role: 'admin', clientId: null });
    expect((await patch(second.id, { role: 'operator' })).statusCode).toBe(200);
    expect((await patch(second.id, { role: 'admin' })).statusCode).toBe(200);
    expect((await patch(rootUser.id, { name: 'Root' })).statusCode).toBe(200);
    // With two, either may go, but not both at once.
    const [a, b] = await Promise.all([patch(second.id, { disabled: true }), patch(rootUser.id, { disabled: true })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect((await new UserRepository(h.store).lockHubAdmins()).length).toBe(1);
  });

  it('ends a user’s sessions when an admin resets the password, and audits the change without the password', async () => {
    const user = await makeUser(h.store, { role: 'viewer', clientId: 'acme' });
    const session = await signedIn(h, user);
    const reset = await patch(user.id, { password: 'reset by the admin, long' });
    expect(reset.statusCode).toBe(200);
    expect(await new SessionRepository(h.store).countForUser(user.id)).toBe(0);
    expect((await h.app.inject({ url: '/api/v1/me', headers: session.headers })).statusCode).toBe(401);
    const entry = (await new AuditRepository(h.store).list({ clientId: 'acme', target: `user:${user.id}`, action: 'user.update' }))
      .items[0];
    expect(entry?.details).toEqual({ fields: ['password'] });
  });

  it('keeps a tenant’s admin inside the tenant: no hub-wide users, no moves to another client', async () => {
    await ensureClient(h.store, 'umbrella');
    const tenantAdmin = await signedIn(h, await makeUser(h.store, { role: 'admin', clientId: 'acme' }));
    const user = await makeUser(h.store, { role: 'viewer', clientId: 'acme' });
    const call = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: tenantAdmin.headers, payload });
    expect((await call({ clientId: null })).statusCode).toBe(403);
    expect((await call({ clientId: 'umbrella' })).statusCode).toBe(404);
    expect((await call({ role: 'admin' })).statusCode).toBe(200);
  });
});
