import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../src/auth/first-admin.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from '../src/auth/password-hash.ts';
import { AuditRepository, type MetadataStore, UserRepository } from '../src/state/index.ts';
import { type AuthHarness, authHarness, PASSWORD, T0, TEST_SCRYPT } from './auth-fixtures.ts';

let h: AuthHarness;
let store: MetadataStore;
beforeAll(async () => {
  h = await authHarness();
  store = h.store;
});
afterAll(() => h?.close());

describe('password hashes', () => {
  it('use scrypt with the default cost, a per-user salt, and the parameters stored with the hash', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD.normalize('NFD'), a)).toBe(true);
  });

  it('verify against the cost stored in the hash, flag weaker ones for rehashing, and reject hashes this code did not write', async () => {
    const cheap = await hashPassword(PASSWORD, TEST_SCRYPT);
    expect(await verifyPassword(PASSWORD, cheap)).toBe(true);
    expect(needsRehash(cheap, DEFAULT_SCRYPT_COST)).toBe(true);
    expect(needsRehash(cheap, TEST_SCRYPT)).toBe(false);
    for (const bad of ['', 'plaintext', '$scrypt$ln=99,r=8,p=1$AAAA$AAAA', cheap.replace(/.{4}=$/, 'AAA=')]) {
      expect(await verifyPassword(PASSWORD, bad)).toBe(false);
    }
  });

  it('are upgraded to the configured cost at the next sign-in', async () => {
    const strong = await authHarness({ scrypt: { logN: 11, r: 8, p: 1 } }, store);
    try {
      const username = 'upgrade-me';
      await new UserRepository(store).create(
        { username, name: '', role: 'viewer', clientId: null, passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT) },
        T0,
      );
      const before = (await new UserRepository(store).credentials(username))?.user.passwordChangedAt;
      const login = await strong.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
      expect(login.statusCode).toBe(200);
      const after = await new UserRepository(store).credentials(username);
      expect(after?.passwordHash).toMatch(/^\$scrypt\$ln=11,/);
      expect(after?.user.passwordChangedAt).toBe(before);
    } finally {
      await strong.close();
    }
  });
});

describe('the first admin', () => {
  beforeEach(async () => {
    // Each case starts from a hub without users (deleting users ends their sessions and tokens).
    await store.query('DELETE FROM users');
  });

  it('gets a generated password, printed once, when none is configured; later starts change nothing', async () => {
    const first = await ensureFirstAdmin(store, { scrypt: TEST_SCRYPT }, T0);
    if (!first.created) throw new Error('expected the first admin to be created');
    expect(first.username).toBe('admin');
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(first.message).toContain(first.generatedPassword);
    const user = await new UserRepository(store).credentials('admin');
    expect(user?.user).toMatchObject({ role: 'admin', clientId: null, disabled: false });
    expect(await verifyPassword(first.generatedPassword as string, user?.passwordHash ?? '')).toBe(true);
    expect(JSON.stringify((await store.query('SELECT * FROM users')).rows)).not.toContain(first.generatedPassword);
    const audit = (await new AuditRepository(store).list({ clientId: null, action: 'user.create', actor: 'hub', limit: 1 })).items[0];
    expect(audit?.details).toMatchObject({ username: 'admin', firstAdmin: true });
    expect(JSON.stringify(audit)).not.toContain(first.generatedPassword);

    expect(await ensureFirstAdmin(store, { scrypt: TEST_SCRYPT, password: 'a configured password' }, T0)).toEqual({ created: false });
    expect(await verifyPassword('a configured password', (await new UserRepository(store).credentials('admin'))?.passwordHash ?? '')).toBe(
      false,
    );
  });

  it('takes BALLAST_ADMIN_USER and BALLAST_ADMIN_PASSWORD when set, and can sign in with them', async () => {
    const made = await ensureFirstAdmin(
      store,
      { username: 'Ops@Example.com', password: 'the configured admin password', scrypt: TEST_SCRYPT },
      T0,
    );
    expect(made).toMatchObject({ created: true, username: 'ops@example.com', generatedPassword: null });
    expect((made as { message: string }).message).not.toContain('the configured admin password');
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ops@example.com', password: 'the configured admin password' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ user: { role: 'admin', clientId: null } });
  });

  it('is made once when two hubs start at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureFirstAdmin(store, { scrypt: TEST_SCRYPT }, T0)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await new UserRepository(store).count()).toBe(1);
  });

  it('refuses an unusable configured username or password, naming the variable', async () => {
    await expect(ensureFirstAdmin(store, { username: 'has space' }, T0)).rejects.toThrow(/BALLAST_ADMIN_USER/);
    await expect(ensureFirstAdmin(store, { password: 'short' }, T0)).rejects.toThrow(/BALLAST_ADMIN_PASSWORD must be 12/);
    expect(await new UserRepository(store).count()).toBe(0);
  });
});
