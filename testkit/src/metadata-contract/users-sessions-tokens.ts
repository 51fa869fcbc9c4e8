import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ApiTokenRepository,
  EnrolmentTokenRepository,
  LoginFailureRepository,
  type NewApiToken,
  SessionRepository,
  TenantRepository,
  UserRepository,
} from '../../../hub/src/state/index.ts';
import { type ContractContext, exists, HOUR, MIN, rejection, T0, tag } from './context.ts';

export function describeUsersSessionsAndTokens(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('users, sessions and tokens', () => {
    const users = () => new UserRepository(ctx.store);
    // The repositories store what they are given: any scrypt-shaped text and 64-hex "hashes" will do.
    const HASH = '$scrypt$ln=1,r=1,p=1$c2FsdA==$aGFzaA==';
    const hex64 = () => `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
    const newUser = (clientId: string | null, role: 'admin' | 'operator' | 'viewer' = 'viewer') =>
      users().create({ username: `u-${tag()}`, name: 'U', role, clientId, passwordHash: HASH }, T0);
    const newToken = (userId: string, clientId: string | null, over: Partial<NewApiToken> = {}) =>
      new ApiTokenRepository(ctx.store).create(
        { tokenHash: hex64(), prefix: 'blst_abc', name: 'ci', userId, clientId, role: 'viewer', expiresAt: T0 + HOUR, ...over },
        T0,
      );

    it('have their tables', async () => {
      for (const t of ['users', 'login_failures', 'sessions', 'api_tokens', 'enrolment_tokens'])
        expect(await exists(ctx.store, t)).toBe(true);
    });

    it('store users scoped to a tenant, the hash readable only through credentials(); refuse taken, malformed or unknown-client ones', async () => {
      const clientId = await tenant();
      const u = await newUser(clientId, 'operator');
      expect(u).toMatchObject({ clientId, role: 'operator', disabled: false, createdAt: T0, updatedAt: T0, passwordChangedAt: T0 });
      expect(JSON.stringify(u)).not.toContain(HASH);
      expect(await users().get(clientId, u.id)).toEqual(u);
      expect(await users().get(null, u.id)).toEqual(u);
      expect(await users().get(await tenant(), u.id)).toBeNull();
      expect(await users().get(null, 'not-a-uuid')).toBeNull();
      expect(await users().credentials(u.username)).toEqual({ user: u, passwordHash: HASH });
      expect((await users().list(clientId)).map((x) => x.id)).toEqual([u.id]);
      const again = { username: u.username, name: '', role: 'viewer' as const, clientId: null, passwordHash: HASH };
      expect((await rejection(users().create(again, T0))).code).toBe('conflict');
      expect((await rejection(users().create({ ...again, username: 'Upper Case' }, T0))).code).toBe('constraint');
      expect((await rejection(users().create({ ...again, username: `x-${tag()}`, clientId: `nobody-${tag()}` }, T0))).code).toBe(
        'constraint',
      );
    });

    it('update only the given fields, stamping a password change; delete a user with their sessions and tokens', async () => {
      const u = await newUser(await tenant());
      expect(await users().update(u.id, { name: 'New' }, T0 + MIN)).toMatchObject({
        name: 'New',
        role: 'viewer',
        updatedAt: T0 + MIN,
        passwordChangedAt: T0,
      });
      const moved = await users().update(u.id, { passwordHash: `${HASH}2`, clientId: null, role: 'admin', disabled: true }, T0 + 2 * MIN);
      expect(moved).toMatchObject({ clientId: null, role: 'admin', disabled: true, passwordChangedAt: T0 + 2 * MIN });
      expect((await users().credentials(u.username))?.passwordHash).toBe(`${HASH}2`);
      expect((await rejection(users().update(randomUUID(), { name: 'x' }, T0))).code).toBe('not_found');
      const sessionId = hex64();
      await new SessionRepository(ctx.store).create({ id: sessionId, userId: u.id, expiresAt: T0 + HOUR, sourceIp: '10.0.0.1' }, T0);
      const token = await newToken(u.id, null);
      expect(await users().delete(u.id)).toBe(true);
      expect(await users().delete(u.id)).toBe(false);
      expect(await new SessionRepository(ctx.store).find(sessionId)).toBeNull();
      expect(await new ApiTokenRepository(ctx.store).get(null, token.id)).toBeNull();
    });

    it('count failed sign-ins per username in one statement, locking at the limit until the window passes', async () => {
      const failures = new LoginFailureRepository(ctx.store);
      const name = `who-${tag()}`;
      const rule = { maxFailures: 3, windowMs: HOUR };
      await Promise.all([1, 2, 3].map(() => failures.recordFailure(name, rule, T0)));
      expect(await failures.get(name)).toEqual({ failures: 3, lockedUntil: T0 + HOUR });
      expect(await failures.recordFailure(name, rule, T0 + HOUR)).toEqual({ failures: 1, lockedUntil: null });
      expect(await failures.recordFailure(name, rule, T0 + 3 * HOUR)).toEqual({ failures: 1, lockedUntil: null });
      await failures.clear(name);
      expect(await failures.get(name)).toBeNull();
      await failures.recordFailure(name, rule, T0);
      expect(await failures.sweep(HOUR, T0 + 2 * HOUR)).toBeGreaterThanOrEqual(1);
      expect(await failures.get(name)).toBeNull();
    });

    it('keep sessions by hash with their user as the user is now; touch, end one or all but one, sweep the dead', async () => {
      const sessions = new SessionRepository(ctx.store);
      const u = await newUser(await tenant());
      const [a, b, c] = [hex64(), hex64(), hex64()];
      for (const id of [a, b, c]) await sessions.create({ id, userId: u.id, expiresAt: T0 + HOUR, sourceIp: null }, T0);
      await users().update(u.id, { role: 'operator' }, T0);
      expect(await sessions.find(a)).toMatchObject({
        session: { id: a, userId: u.id, lastSeenAt: T0, expiresAt: T0 + HOUR },
        user: { role: 'operator' },
      });
      await sessions.touch(a, T0 + MIN);
      await sessions.touch(a, T0);
      expect((await sessions.find(a))?.session.lastSeenAt).toBe(T0 + MIN);
      expect(await sessions.delete(b)).toBe(true);
      expect(await sessions.deleteForUser(u.id, a)).toBe(1);
      expect(await sessions.countForUser(u.id)).toBe(1);
      expect((await rejection(sessions.create({ id: a, userId: u.id, expiresAt: T0 + HOUR, sourceIp: null }, T0))).code).toBe('conflict');
      expect((await rejection(sessions.create({ id: 'not-hex', userId: u.id, expiresAt: T0 + HOUR, sourceIp: null }, T0))).code).toBe(
        'constraint',
      );
      expect(await sessions.sweep(30 * MIN, T0 + 40 * MIN)).toBeGreaterThanOrEqual(1);
      expect(await sessions.find(a)).toBeNull();
    });

    it('find API tokens by hash with their owner, list them by tenant and user, revoke once, stamp the last use', async () => {
      const tokens = new ApiTokenRepository(ctx.store);
      const clientId = await tenant();
      const u = await newUser(clientId, 'admin');
      const hash = hex64();
      const t = await newToken(u.id, clientId, { tokenHash: hash, role: 'operator' });
      expect(t).toMatchObject({
        userId: u.id,
        username: u.username,
        clientId,
        role: 'operator',
        expiresAt: T0 + HOUR,
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(await tokens.findByHash(hash)).toEqual({ token: t, owner: u });
      expect(await tokens.findByHash(hex64())).toBeNull();
      const other = await newToken((await newUser(clientId)).id, clientId);
      expect((await tokens.list({ clientId })).map((x) => x.id).sort()).toEqual([t.id, other.id].sort());
      expect((await tokens.list({ clientId, userId: u.id })).map((x) => x.id)).toEqual([t.id]);
      expect(await tokens.get(await tenant(), t.id)).toBeNull();
      await tokens.touch(t.id, T0 + MIN);
      expect((await tokens.revoke(t.id, T0 + 2 * MIN))?.revokedAt).toBe(T0 + 2 * MIN);
      expect(await tokens.revoke(t.id, T0 + 3 * MIN)).toMatchObject({ revokedAt: T0 + 2 * MIN, lastUsedAt: T0 + MIN });
      expect(await tokens.revoke(randomUUID(), T0)).toBeNull();
      expect((await rejection(newToken(u.id, clientId, { tokenHash: hash }))).code).toBe('conflict');
      expect((await rejection(newToken(u.id, clientId, { expiresAt: T0 }))).code).toBe('constraint');
    });

    it('enrol by hash until revoked or expired, revoke only through the token’s own cluster, and name a cluster id’s clients', async () => {
      const enrolment = new EnrolmentTokenRepository(ctx.store);
      const clientId = await tenant(['c1', 'c2']);
      const make = (clusterId: string, expiresAt: number | null, tokenHash = hex64()) =>
        enrolment.create({ tokenHash, prefix: 'blse_abc', clientId, clusterId, name: 'agents', createdBy: 'alice', expiresAt }, T0);
      const hash = hex64();
      const t = await make('c1', null, hash);
      expect(t).toMatchObject({ clientId, clusterId: 'c1', createdBy: 'alice', expiresAt: null, revokedAt: null });
      expect(await enrolment.use(hash, T0 + MIN)).toEqual({ id: t.id, clientId, clusterId: 'c1' });
      expect((await enrolment.list(clientId, 'c1'))[0]?.lastUsedAt).toBe(T0 + MIN);
      expect(await enrolment.revoke(clientId, 'c2', t.id, T0)).toBeNull();
      expect((await enrolment.revoke(clientId, 'c1', t.id, T0 + 2 * MIN))?.revokedAt).toBe(T0 + 2 * MIN);
      expect(await enrolment.use(hash, T0 + 3 * MIN)).toBeNull();
      const expiringHash = hex64();
      await make('c2', T0 + HOUR, expiringHash);
      expect(await enrolment.use(expiringHash, T0 + HOUR - 1)).not.toBeNull();
      expect(await enrolment.use(expiringHash, T0 + HOUR)).toBeNull();
      expect((await rejection(make('no-such-cluster', null))).code).toBe('constraint');
      const shared = `shared-${tag()}`;
      const second = await tenant([shared]);
      await new TenantRepository(ctx.store).ensureCluster(clientId, shared, T0);
      expect(await enrolment.clusterOwners(shared)).toEqual([clientId, second].sort());
    });
  });
}
