import { randomUUID } from 'node:crypto';
import { DEFAULT_MODEL, type ScoringModel } from '../../../hub/src/scoring/scoring-model.ts';
import { type MetadataStore, MetadataStoreError, type Migration, TenantRepository } from '../../../hub/src/state/index.ts';

export interface MetadataDatabase {
  /** A store on this database; the suite opens at most one at a time per database and closes it. */
  open(options?: { migrations?: readonly Migration[]; migrationLockTimeoutMs?: number }): Promise<MetadataStore>;
}

export interface MetadataStoreFixture {
  /** A new, empty database: no tables, not migrated. */
  createDatabase(): Promise<MetadataDatabase>;
  cleanup(): Promise<void>;
}

/** Fixed times (epoch ms): the repositories take `now` from the caller, never the database clock. */
export const T0 = Date.UTC(2026, 0, 1);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export const tag = () => randomUUID().slice(0, 8);
export const tables = [
  'clients',
  'clusters',
  'scoring_models',
  'decisions',
  'overrides',
  'audit_log',
  'jobs',
  'job_steps',
  'job_logs',
  'approvals',
];

export async function rejection(p: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MetadataStoreError) return err;
    throw new Error(`expected a MetadataStoreError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection, but it resolved');
}

export function model(name: string, version = 1): ScoringModel {
  return { ...structuredClone(DEFAULT_MODEL), name, version };
}

export const exists = async (s: MetadataStore, table: string) =>
  (await s.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0]?.t !== null;

/** What each concern's tests reach the implementation under test through. */
export interface ContractContext {
  /** The shared, migrated store; it exists only once the suite's beforeAll has run, so read it inside tests. */
  readonly store: MetadataStore;
  /** The implementation's fixture, for tests that need databases of their own. */
  readonly fixture: MetadataStoreFixture;
  /** A store on `db` that the suite closes at the end (closing it earlier is fine). */
  open(db: MetadataDatabase, options?: Parameters<MetadataDatabase['open']>[0]): Promise<MetadataStore>;
  /** A new client with the given clusters, in the shared store: tests keep apart by tenant. */
  tenant(clusters?: string[]): Promise<string>;
  /** migrate() that must fail, on a store closed afterwards (PGlite allows one store per data directory). */
  migrateOnce(db: MetadataDatabase, migrations: readonly Migration[]): Promise<MetadataStoreError>;
}

/** The context plus the suite's own set-up and tear-down, which the main function hooks to beforeAll/afterAll. */
export interface ContractLifecycle extends ContractContext {
  start(make: () => Promise<MetadataStoreFixture>): Promise<void>;
  stop(): Promise<void>;
}

export function createContractContext(): ContractLifecycle {
  let fixture: MetadataStoreFixture | undefined;
  let store: MetadataStore | undefined;
  const opened: MetadataStore[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the contract's ${what} is read before beforeAll ran`);
    return value;
  };
  const ctx: ContractLifecycle = {
    get store() {
      return started(store, 'store');
    },
    get fixture() {
      return started(fixture, 'fixture');
    },
    async open(db, options) {
      const s = await db.open(options);
      opened.push(s);
      return s;
    },
    async tenant(clusters = ['c1']) {
      const clientId = `client-${tag()}`;
      const repo = new TenantRepository(ctx.store);
      for (const c of clusters) await repo.ensureCluster(clientId, c, T0);
      return clientId;
    },
    async migrateOnce(db, migrations) {
      const s = await ctx.open(db, { migrations });
      try {
        return await rejection(s.migrate());
      } finally {
        await s.close();
      }
    },
    async start(make) {
      fixture = await make();
      store = await ctx.open(await fixture.createDatabase());
      await store.migrate();
    },
    async stop() {
      for (const s of opened) await s.close();
      await fixture?.cleanup();
    },
  };
  return ctx;
}
