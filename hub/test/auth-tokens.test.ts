import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolmentVerifier } from '../src/auth/enrolment.ts';
import { ApiTokenRepository, AuditRepository, type UserRecord } from '../src/state/index.ts';
import {
  type AuthHarness,
  authHarness,
  type Caller,
  DAY,
  dumpAccountTables,
  type ErrorBody,
  ensureClient,
  makeUser,
  PASSWORD,
  signedIn,
  unique,
} from './auth-fixtures.ts';

let h: AuthHarness;
/** Admins sign in afresh for each request: tests move the clock past session lifetimes. */
let hubAdminUser: UserRecord;
const hubAdmin = () => signedIn(h, hubAdminUser);
beforeAll(async () => {
  h = await authHarness();
  await ensureClient(h.store, 'acme', ['prod']);
  await ensureClient(h.store, 'umbrella', ['prod', 'lab']);
  hubAdminUser = await makeUser(h.store, { role: 'admin', clientId: null });
});
afterAll(() => h?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function createToken(caller: Caller, payload: Record<string, unknown>) {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: caller.headers, payload });
  return {
    res,
    body: res.json() as { id: string; token: string; prefix: string; role: string; clientId: string | null; expiresAt: string },
  };
}

describe('API tokens', () => {
  it('are shown once at creation, listed by prefix only, stored hashed, and act for their owner with their own scope', async () => {
    const owner = await signedIn(h, await makeUser(h.store, { role: 'operator', clientId: 'acme' }));
    const { res, body } = await createToken(owner, { name: 'ci', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    expect(body).toMatchObject({ role: 'viewer', clientId: 'acme', expiresAt: new Date(h.clock.ms + 90 * DAY).toISOString() });
    expect(body.token).toMatch(/^blst_[A-Za-z0-9_-]{43}$/);
    expect(body.token.startsWith(body.prefix)).toBe(true);
    const list = await h.app.inject({ url: '/api/v1/tokens', headers: owner.headers });
    expect(list.body).not.toContain(body.token);
    expect(list.json()).toMatchObject({ tokens: [{ id: body.id, prefix: body.prefix, lastUsedAt: null, active: true }] });

    h.clock.advance(1000);
    const me = await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) });
    expect(me.json()).toMatchObject({
      via: 'token',
      role: 'viewer',
      clientId: 'acme',
      tokenId: body.id,
      user: { username: owner.user.username },
    });
    const after = (await h.app.inject({ url: '/api/v1/tokens', headers: owner.headers })).json() as { tokens: { lastUsedAt: string }[] };
    expect(after.tokens[0]?.lastUsedAt).toBe(new Date(h.clock.ms).toISOString());
    expect(await dumpAccountTables(h.store)).not.toContain(body.token);
    const audit = (await new AuditRepository(h.store).list({ clientId: 'acme', action: 'token.create', limit: 1 })).items[0];
    expect(audit).toMatchObject({
      actor: owner.user.username,
      target: `token:${body.id}`,
      details: { role: 'viewer', prefix: body.prefix },
    });
  });

  it('cannot act beyond their role: a viewer-scoped token of an admin is refused what the admin may do (403), without CSRF', async () => {
    const admin = await signedIn(h, await makeUser(h.store, { role: 'admin', clientId: 'acme' }));
    const viewerToken = (await createToken(admin, { name: 'read-only', role: 'viewer' })).body.token;
    const adminToken = (await createToken(admin, { name: 'automation' })).body.token;
    const addUser = (token: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(token),
        payload: { username: unique('bot'), password: PASSWORD, role: 'viewer' },
      });
    const refused = await addUser(viewerToken);
    expect([refused.statusCode, (refused.json() as ErrorBody).error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await addUser(adminToken)).statusCode).toBe(201);
  });

  it('are refused a role above their maker’s (403 naming role), and never mint tokens or change passwords themselves', async () => {
    const operator = await signedIn(h, await makeUser(h.store, { role: 'operator', clientId: 'acme' }));
    const before = await h.store.query('SELECT id FROM api_tokens');
    const above = await createToken(operator, { name: 'x', role: 'admin' });
    expect([above.res.statusCode, (above.res.json() as ErrorBody).error.parameter]).toEqual([403, 'role']);
    expect((await h.store.query('SELECT id FROM api_tokens')).rowCount).toBe(before.rowCount);
    const token = (await createToken(operator, { name: 'ci' })).body.token;
    const mint = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(token), payload: { name: 'child' } });
    expect(mint.statusCode).toBe(403);
    const password = await h.app.inject({ method: 'PUT', url: '/api/v1/me', headers: bearer(token), payload: { name: 'x' } });
    expect(password.statusCode).toBe(403);
  });

  it('stop at their expiry (401), following the injected clock', async () => {
    const user = await signedIn(h, await makeUser(h.store, { role: 'viewer', clientId: 'acme' }));
    const { body } = await createToken(user, { name: 'short', expiresInDays: 1 });
    expect((await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) })).statusCode).toBe(200);
    h.clock.advance(DAY);
    const expired = await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) });
    expect(expired.statusCode).toBe(401);
    expect((expired.json() as ErrorBody).error.message).toContain('expired');
  });

  it('stop once revoked (401); the revocation is audited and listed', async () => {
    const user = await signedIn(h, await makeUser(h.store, { role: 'viewer', clientId: 'acme' }));
    const { body } = await createToken(user, { name: 'to-revoke' });
    // Used first, so the hub holds it in its credential cache: the revocation must still count at once.
    expect((await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) })).statusCode).toBe(200);
    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: user.headers });
    expect(del.statusCode).toBe(204);
    const use = await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) });
    expect([use.statusCode, (use.json() as ErrorBody).error.message]).toEqual([401, expect.stringContaining('revoked')]);
    const listed = (await h.app.inject({ url: '/api/v1/tokens', headers: user.headers })).json() as {
      tokens: { id: string; active: boolean }[];
    };
    expect(listed.tokens.find((t) => t.id === body.id)?.active).toBe(false);
    const audit = (await new AuditRepository(h.store).list({ clientId: 'acme', action: 'token.revoke', limit: 1 })).items[0];
    expect(audit).toMatchObject({ actor: user.user.username, target: `token:${body.id}`, result: 'success' });
  });

  it('revoked on another hub (straight in the store) stop here once the credential cache time has passed', async () => {
    const user = await signedIn(h, await makeUser(h.store, { role: 'viewer', clientId: 'acme' }));
    const { body } = await createToken(user, { name: 'elsewhere' });
    const me = async () => (await h.app.inject({ url: '/api/v1/me', headers: bearer(body.token) })).statusCode;
    expect(await me()).toBe(200);
    await new ApiTokenRepository(h.store).revoke(body.id, h.clock.ms);
    // Within the cache time this hub has not asked the store again: one store round trip per credential per period.
    expect(await me()).toBe(200);
    h.clock.advance(h.settings.credentialCacheMs);
    expect(await me()).toBe(401);
  });

  it('shrink with their owner: a demoted owner’s admin token acts as a viewer; a deleted owner’s stops', async () => {
    const ownerUser = await makeUser(h.store, { role: 'admin', clientId: 'acme' });
    const owner = await signedIn(h, ownerUser);
    const token = (await createToken(owner, { name: 'ops' })).body.token;
    const demote = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${ownerUser.id}`,
      headers: (await hubAdmin()).headers,
      payload: { role: 'viewer' },
    });
    expect(demote.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/me', headers: bearer(token) })).json()).toMatchObject({ role: 'viewer' });
    expect((await h.app.inject({ url: '/api/v1/users', headers: bearer(token) })).statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/users/${ownerUser.id}`, headers: (await hubAdmin()).headers })).statusCode,
    ).toBe(204);
    expect((await h.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('refuse malformed Authorization headers with 401 naming the problem', async () => {
    for (const authorization of ['Basic dXNlcjpwdw==', 'Bearer', 'Bearer not-a-token', `Bearer blst_${'A'.repeat(43)}`]) {
      const r = await h.app.inject({ url: '/api/v1/me', headers: { authorization } });
      expect(r.statusCode).toBe(401);
      expect((r.json() as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('agent enrolment tokens', () => {
  const verify = () => enrolmentVerifier(h.store, h.clock.now);
  let acmeAdminUser: UserRecord;
  const acmeAdmin = () => signedIn(h, acmeAdminUser);
  beforeAll(async () => {
    acmeAdminUser = await makeUser(h.store, { role: 'admin', clientId: 'acme' });
  });
  const create = (caller: Caller, url: string, payload: Record<string, unknown> = {}) =>
    h.app.inject({ method: 'POST', url, headers: caller.headers, payload });

  it('enrol an agent into their cluster until revoked; stored hashed, shown once, audited', async () => {
    const r = await create(await acmeAdmin(), '/api/v1/clusters/prod/enrolment-tokens', { name: 'prod agents' });
    expect(r.statusCode).toBe(201);
    const t = r.json() as { id: string; token: string; clientId: string; clusterId: string; expiresAt: null };
    expect(t).toMatchObject({ clientId: 'acme', clusterId: 'prod', expiresAt: null, createdBy: acmeAdminUser.username });
    expect(t.token).toMatch(/^blse_/);
    expect(await verify()(t.token)).toEqual({ clientId: 'acme', clusterId: 'prod' });
    const list = await h.app.inject({ url: '/api/v1/clusters/prod/enrolment-tokens', headers: (await acmeAdmin()).headers });
    expect(list.body).not.toContain(t.token);
    expect(list.json()).toMatchObject({ tokens: [{ id: t.id, lastUsedAt: new Date(h.clock.ms).toISOString(), active: true }] });
    expect(await dumpAccountTables(h.store)).not.toContain(t.token);

    const revoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/clusters/prod/enrolment-tokens/${t.id}`,
      headers: (await acmeAdmin()).headers,
    });
    expect(revoke.statusCode).toBe(204);
    expect(await verify()(t.token)).toBeNull();
    const actions = (await new AuditRepository(h.store).list({ clientId: 'acme', target: `enrolment-token:${t.id}` })).items.map(
      (e) => e.action,
    );
    expect(actions).toEqual(['enrolment-token.revoke', 'enrolment-token.create']);
  });

  it('expire when asked to, and never verify what is not an enrolment token', async () => {
    const t = (await create(await acmeAdmin(), '/api/v1/clusters/prod/enrolment-tokens', { expiresInDays: 2 })).json() as { token: string };
    expect(await verify()(t.token)).not.toBeNull();
    h.clock.advance(2 * DAY);
    expect(await verify()(t.token)).toBeNull();
    expect(await verify()('')).toBeNull();
    expect(await verify()(`blse_${'x'.repeat(43)}`)).toBeNull();
    expect(await verify()(`blst_${t.token.slice(5)}`)).toBeNull();
  });

  it('name the client for hub staff when a cluster id is ambiguous or new, and refuse an unknown client', async () => {
    const ambiguous = await h.app.inject({ url: '/api/v1/clusters/prod/enrolment-tokens', headers: (await hubAdmin()).headers });
    expect([ambiguous.statusCode, (ambiguous.json() as ErrorBody).error.parameter]).toEqual([400, 'client']);
    expect((await h.app.inject({ url: '/api/v1/clusters/lab/enrolment-tokens', headers: (await hubAdmin()).headers })).statusCode).toBe(
      200,
    );
    expect(
      (await h.app.inject({ url: '/api/v1/clusters/prod/enrolment-tokens?client=umbrella', headers: (await hubAdmin()).headers }))
        .statusCode,
    ).toBe(200);
    const fresh = unique('new');
    const unnamed = await create(await hubAdmin(), `/api/v1/clusters/${fresh}/enrolment-tokens`);
    expect([unnamed.statusCode, (unnamed.json() as ErrorBody).error.parameter]).toEqual([400, 'client']);
    const unknown = await create(await hubAdmin(), `/api/v1/clusters/${fresh}/enrolment-tokens?client=nope`);
    expect([unknown.statusCode, (unknown.json() as ErrorBody).error.parameter]).toEqual([404, 'client']);
    const made = await create(await hubAdmin(), `/api/v1/clusters/${fresh}/enrolment-tokens?client=umbrella`);
    expect(made.json()).toMatchObject({ clientId: 'umbrella', clusterId: fresh });
  });

  it('register a tenant’s own cluster of an id another tenant uses, leaving the other tenant’s untouched', async () => {
    const r = await create(await acmeAdmin(), '/api/v1/clusters/lab/enrolment-tokens');
    expect(r.json()).toMatchObject({ clientId: 'acme', clusterId: 'lab' });
    const umbrella = await signedIn(h, await makeUser(h.store, { role: 'admin', clientId: 'umbrella' }));
    const theirs = (await h.app.inject({ url: '/api/v1/clusters/lab/enrolment-tokens', headers: umbrella.headers })).json() as {
      tokens: unknown[];
    };
    expect(theirs.tokens).toEqual([]);
    const foreign = await h.app.inject({
      url: '/api/v1/clusters/lab/enrolment-tokens?client=umbrella',
      headers: (await acmeAdmin()).headers,
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('are 404 when revoked through another cluster', async () => {
    const t = (await create(await acmeAdmin(), '/api/v1/clusters/prod/enrolment-tokens')).json() as { id: string; token: string };
    const wrong = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/clusters/lab/enrolment-tokens/${t.id}`,
      headers: (await acmeAdmin()).headers,
    });
    expect([wrong.statusCode, (wrong.json() as ErrorBody).error.parameter]).toEqual([404, 'tokenId']);
    expect(await verify()(t.token)).not.toBeNull();
  });
});
