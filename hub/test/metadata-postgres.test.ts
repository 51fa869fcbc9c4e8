import { freePort, metadataStoreContract, type PostgresServerHandle, startPostgresServer } from '@ballast/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetadataStore, MetadataStoreError, MIGRATIONS, openMetadataStore, resolvePostgresTls } from '../src/state/index.ts';

let server: PostgresServerHandle;
beforeAll(async () => {
  server = await startPostgresServer({ tls: true });
});
afterAll(async () => {
  await server?.stop();
});

const open = (url: string, options: { migrationLockTimeoutMs?: number } = {}) =>
  openMetadataStore({ kind: 'postgres', url, ssl: false, poolMax: 4, ...options });

metadataStoreContract('PostgreSQL', async () => ({
  createDatabase: async () => {
    const url = await server.createDatabase();
    return { open: (options) => open(url, options) };
  },
  cleanup: async () => undefined,
}));

describe('PostgreSQL', () => {
  const stores: MetadataStore[] = [];
  const track = async (s: Promise<MetadataStore>) => {
    const store = await s;
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('lets two hubs migrate one database at once: each migration applied exactly once', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([track(open(url)), track(open(url))]);
    const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
    const versions = [...ra.applied, ...rb.applied].map((m) => m.version).sort((x, y) => x - y);
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    expect(ra.version).toBe(rb.version);
  });

  it('waits for the migration lock and names its holder when it gives up', async () => {
    const url = await server.createDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      await holder.query('SELECT pg_advisory_lock(1650551916)');
      const store = await track(open(url, { migrationLockTimeoutMs: 300 }));
      const started = Date.now();
      const err = (await store.migrate().catch((e: unknown) => e)) as MetadataStoreError;
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(err.code).toBe('locked');
      expect(err.message).toContain(`held by backend pid ${pid}`);
      expect(await store.schemaVersion()).toBe(0);
      await holder.query('SELECT pg_advisory_unlock(1650551916)');
      expect((await store.migrate()).applied).toHaveLength(MIGRATIONS.length);
    } finally {
      await holder.end();
    }
  });

  it('reports an unreachable server as unavailable', async () => {
    const store = await track(open(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`));
    const err = (await store.migrate().catch((e: unknown) => e)) as MetadataStoreError;
    expect(err).toBeInstanceOf(MetadataStoreError);
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('cannot connect to postgres://postgres@127.0.0.1');
  });

  it('rejects a transaction whose connection was killed as unavailable, and goes on with a new connection', async () => {
    const url = await server.createDatabase();
    const store = await track(open(url));
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    try {
      const err = (await store
        .transaction(async (tx) => {
          const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
          await killer.query('SELECT pg_terminate_backend($1)', [pid]);
          await new Promise((r) => setTimeout(r, 200));
          await tx.query('SELECT 1');
        })
        .catch((e: unknown) => e)) as MetadataStoreError;
      expect(err).toBeInstanceOf(MetadataStoreError);
      expect(err.code).toBe('unavailable');
      for (let i = 0; i < 5; i++) expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await killer.end();
    }
  });

  describe('TLS', () => {
    const names = { url: 'url', sslMode: 'mode', caFile: 'ca', certFile: 'cert', keyFile: 'key' };
    const usesTls = async (url: string, settings: Partial<Parameters<typeof resolvePostgresTls>[1]>) => {
      const r = resolvePostgresTls(url, { sslMode: '', caFile: '', certFile: '', keyFile: '', ...settings }, names);
      const store = await track(openMetadataStore({ kind: 'postgres', url: r.url, ssl: r.ssl, poolMax: 1, connectTimeoutMs: 5_000 }));
      const { rows } = await store.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl;
    };

    it('verifies the server against the CA file, host name included (verify-full)', async () => {
      expect(await usesTls(server.url, { caFile: server.tls?.caFile ?? '' })).toBe(true);
      const viaUrl = `${server.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.tls?.caFile ?? '')}`;
      expect(await usesTls(viaUrl, {})).toBe(true);
    });

    it('encrypts without verification on require, and stays plain on disable', async () => {
      expect(await usesTls(server.url, { sslMode: 'require' })).toBe(true);
      expect(await usesTls(`${server.url}?sslmode=disable`, {})).toBe(false);
    });

    it('refuses a server certificate no trusted CA signed', async () => {
      const err = (await usesTls(server.url, { sslMode: 'verify-full' }).catch((e: unknown) => e)) as MetadataStoreError;
      expect(err).toBeInstanceOf(MetadataStoreError);
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(/certificate/i);
    });
  });
});
