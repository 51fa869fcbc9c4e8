import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, type ScoringModel } from '../../hub/src/scoring/scoring-model.ts';
import {
  ApiTokenRepository,
  ApprovalRepository,
  type AuditEntry,
  AuditRepository,
  type DecisionRecord,
  DecisionRepository,
  EnrolmentTokenRepository,
  JobRepository,
  JobRunRepository,
  LoginFailureRepository,
  type MetadataStore,
  MetadataStoreError,
  MIGRATIONS,
  type Migration,
  type NewApiToken,
  type NewDecision,
  type NewJob,
  OverrideRepository,
  ScoringModelRepository,
  SessionRepository,
  TenantRepository,
  UserRepository,
} from '../../hub/src/state/index.ts';

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
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;

const tag = () => randomUUID().slice(0, 8);
const tables = [
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

async function rejection(p: Promise<unknown>): Promise<MetadataStoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MetadataStoreError) return err;
    throw new Error(`expected a MetadataStoreError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection, but it resolved');
}

function model(name: string, version = 1): ScoringModel {
  return { ...structuredClone(DEFAULT_MODEL), name, version };
}

/**
 * The MetadataStore contract: every implementation (PGlite, PostgreSQL) runs it. Migration
 * tests take fresh databases; the rest share one migrated database and keep apart by
 * tenant (scoring models are hub-wide, so their tests run in order on purpose).
 */
export function metadataStoreContract(name: string, make: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let fixture: MetadataStoreFixture;
    let store: MetadataStore;
    const opened: MetadataStore[] = [];
    const open = async (db: MetadataDatabase, options?: Parameters<MetadataDatabase['open']>[0]) => {
      const s = await db.open(options);
      opened.push(s);
      return s;
    };
    const tenant = async (clusters: string[] = ['c1']) => {
      const clientId = `client-${tag()}`;
      const repo = new TenantRepository(store);
      for (const c of clusters) await repo.ensureCluster(clientId, c, T0);
      return clientId;
    };
    /** migrate() that must fail, on a store closed afterwards (PGlite allows one store per data directory). */
    const migrateOnce = async (db: MetadataDatabase, migrations: readonly Migration[]) => {
      const s = await open(db, { migrations });
      try {
        return await rejection(s.migrate());
      } finally {
        await s.close();
      }
    };
    const exists = async (s: MetadataStore, table: string) =>
      (await s.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0]?.t !== null;

    beforeAll(async () => {
      fixture = await make();
      store = await open(await fixture.createDatabase());
      await store.migrate();
    });

    afterAll(async () => {
      for (const s of opened) await s.close();
      await fixture?.cleanup();
    });

    describe('migrations', () => {
      it('apply every migration once, in order, recorded in schema_migrations; a second migrate() does nothing', async () => {
        const s = await open(await fixture.createDatabase());
        expect(await s.schemaVersion()).toBe(0);
        const first = await s.migrate();
        const all = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));
        expect(first).toEqual({ applied: all, version: MIGRATIONS.at(-1)?.version });
        const { rows } = await s.query('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(rows).toEqual(all);
        for (const t of tables) expect(await exists(s, t)).toBe(true);
        expect(await s.migrate()).toEqual({ applied: [], version: first.version });
        expect(await s.schemaVersion()).toBe(first.version);
      });

      it('two migrate() calls at once on one store apply each migration exactly once', async () => {
        const s = await open(await fixture.createDatabase());
        const [a, b] = await Promise.all([s.migrate(), s.migrate()]);
        const versions = [...a.applied, ...b.applied].map((m) => m.version).sort((x, y) => x - y);
        expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
        expect((await s.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]?.n).toBe(MIGRATIONS.length);
      });

      it('apply only the migrations a database lacks as versions grow, and refuse edited, missing or newer ones', async () => {
        const db = await fixture.createDatabase();
        const old = await open(db, { migrations: MIGRATIONS.slice(0, 2) });
        expect((await old.migrate()).version).toBe(2);
        expect(await exists(old, 'decisions')).toBe(false);
        await old.close();

        const current = await open(db);
        expect((await current.migrate()).applied.map((m) => m.version)).toEqual(MIGRATIONS.slice(2).map((m) => m.version));
        await current.close();

        const edited = MIGRATIONS.map((m, i) => (i === 2 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
        const e1 = await migrateOnce(db, edited);
        expect(e1.code).toBe('migration_failed');
        expect(e1.message).toMatch(/003-decisions was changed after it was applied/);
        const e2 = await migrateOnce(
          db,
          MIGRATIONS.filter((m) => m.version !== 3),
        );
        expect(e2.code).toBe('migration_failed');
        expect(e2.message).toMatch(/applied migration 3 \(decisions\).*not among/);

        const s = await open(db);
        await s.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from-the-future', 'x')");
        const tooNew = await rejection(s.migrate());
        expect(tooNew.code).toBe('schema_too_new');
        expect(tooNew.message).toContain('schema version 999 (from-the-future)');
        expect(tooNew.message).toContain(`up to ${MIGRATIONS.at(-1)?.version}`);
      });

      it('roll a failing migration back whole, keeping the ones before it', async () => {
        const db = await fixture.createDatabase();
        const broken: Migration = { version: 900, name: 'broken', sql: 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;' };
        const s = await open(db, { migrations: [...MIGRATIONS, broken] });
        const err = await rejection(s.migrate());
        expect(err.code).toBe('migration_failed');
        expect(err.message).toContain('900-broken');
        expect(err.sqlState).toBe('22012');
        expect(await s.schemaVersion()).toBe(MIGRATIONS.at(-1)?.version);
        expect(await exists(s, 'half_done')).toBe(false);
        expect(await exists(s, 'audit_log')).toBe(true);
      });
    });

    describe('transactions', () => {
      const clientCount = async (id: string) =>
        (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM clients WHERE id = $1', [id])).rows[0]?.n;

      it('commit when the callback resolves and hand back its value', async () => {
        const id = `tx-${tag()}`;
        const value = await store.transaction(async (tx) => {
          await new TenantRepository(tx).createClient({ id, name: 'A' }, T0);
          return 42;
        });
        expect(value).toBe(42);
        expect(await clientCount(id)).toBe(1);
      });

      it("roll back when the callback throws, rethrowing the callback's own error untouched", async () => {
        const id = `tx-${tag()}`;
        const boom = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            await new TenantRepository(tx).createClient({ id, name: 'A' }, T0);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await clientCount(id)).toBe(0);
      });

      it('roll back every earlier statement when a later one is refused by the database', async () => {
        const first = `tx-${tag()}`;
        const err = await rejection(
          store.transaction(async (tx) => {
            const repo = new TenantRepository(tx);
            await repo.createClient({ id: first, name: 'A' }, T0);
            await repo.createClient({ id: first, name: 'again' }, T0);
          }),
        );
        expect(err.code).toBe('conflict');
        expect(await clientCount(first)).toBe(0);
      });

      it('nest as savepoints: an inner failure undoes only the inner work, an outer failure undoes all', async () => {
        const [a, b, c, d] = [tag(), tag(), tag(), tag()].map((t) => `tx-${t}`) as [string, string, string, string];
        await store.transaction(async (tx) => {
          const repo = new TenantRepository(tx);
          await repo.createClient({ id: a, name: 'A' }, T0);
          await expect(
            tx.transaction(async (inner) => {
              await new TenantRepository(inner).createClient({ id: b, name: 'B' }, T0);
              throw new Error('inner');
            }),
          ).rejects.toThrow('inner');
          await repo.createClient({ id: c, name: 'C' }, T0);
        });
        expect([await clientCount(a), await clientCount(b), await clientCount(c)]).toEqual([1, 0, 1]);

        await expect(
          store.transaction(async (tx) => {
            await tx.transaction((inner) => new TenantRepository(inner).createClient({ id: d, name: 'D' }, T0));
            throw new Error('outer');
          }),
        ).rejects.toThrow('outer');
        expect(await clientCount(d)).toBe(0);
      });

      it('refuse the store inside its own transaction, a tx after it ended, and the outer tx while a nested one runs', async () => {
        let leaked: Parameters<Parameters<MetadataStore['transaction']>[0]>[0] | null = null;
        const inside = await rejection(
          store.transaction(async (tx) => {
            leaked = tx;
            await store.query('SELECT 1');
          }),
        );
        expect(inside.code).toBe('misuse');
        expect((await rejection(store.transaction(async () => store.transaction(async () => 1)))).code).toBe('misuse');
        expect((await rejection((leaked as unknown as MetadataStore).query('SELECT 1'))).code).toBe('misuse');
        const interleaved = await rejection(store.transaction(async (tx) => tx.transaction(async () => tx.query('SELECT 1'))));
        expect(interleaved.code).toBe('misuse');
        expect((await store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      });

      it('keep uncommitted writes invisible to queries outside the transaction', async () => {
        const id = `tx-${tag()}`;
        let inserted!: () => void;
        const insertedP = new Promise<void>((r) => {
          inserted = r;
        });
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const tx = store.transaction(async (t) => {
          await new TenantRepository(t).createClient({ id, name: 'hidden' }, T0);
          inserted();
          await gate;
          throw new Error('abandon');
        });
        await insertedP;
        const outside = store.query('SELECT id FROM clients WHERE id = $1', [id]);
        release();
        await expect(tx).rejects.toThrow('abandon');
        expect((await outside).rows).toEqual([]);
      });

      it('reject every call after close(), which is safe twice', async () => {
        const s = await open(await fixture.createDatabase());
        await s.close();
        await s.close();
        expect((await rejection(s.query('SELECT 1'))).code).toBe('unavailable');
        expect((await rejection(s.migrate())).code).toBe('unavailable');
      });
    });

    describe('errors', () => {
      it('map unique, foreign key, check, input and syntax errors to typed codes with the constraint', async () => {
        const tenants = new TenantRepository(store);
        const id = `err-${tag()}`;
        await tenants.createClient({ id, name: 'A' }, T0);
        const dup = await rejection(tenants.createClient({ id, name: 'B' }, T0));
        expect([dup.code, dup.sqlState, dup.constraint]).toEqual(['conflict', '23505', 'clients_pkey']);
        const fk = await rejection(tenants.createCluster({ clientId: `nobody-${tag()}`, id: 'c', name: 'c' }, T0));
        expect([fk.code, fk.sqlState]).toEqual(['constraint', '23503']);
        const check = await rejection(tenants.createClient({ id: `err-${tag()}`, name: '' }, T0));
        expect([check.code, check.sqlState]).toEqual(['constraint', '23514']);
        const input = await rejection(
          new AuditRepository(store).append({ actor: 'a', action: 'x', target: 't', result: 'success', sourceIp: 'not-an-ip' }, T0),
        );
        expect([input.code, input.sqlState]).toEqual(['invalid_input', '22P02']);
        const syntax = await rejection(store.query('SELEC 1'));
        expect([syntax.code, syntax.sqlState]).toEqual(['query_failed', '42601']);
        expect(syntax.cause).toBeDefined();
      });
    });

    describe('scoring models', () => {
      const models = () => new ScoringModelRepository(store);
      const statusCount = async (status: string) =>
        (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_models WHERE status = $1', [status])).rows[0]?.n;

      it('upload as inactive, read back the same JSON, refuse a second (name, version)', async () => {
        const name = `m-${tag()}`;
        const up = await models().upload({ model: model(name, 3), createdBy: 'alice' }, T0);
        expect(up).toMatchObject({ name, version: 3, status: 'inactive', createdAt: T0, createdBy: 'alice', promotedAt: null });
        expect(await models().get(up.id)).toEqual(up);
        expect(up.model).toEqual(model(name, 3));
        expect((await models().list()).some((m) => m.id === up.id)).toBe(true);
        expect((await rejection(models().upload({ model: model(name, 3), createdBy: 'bob' }, T0))).code).toBe('conflict');
        expect(await models().get('not-a-uuid')).toBeNull();
      });

      it('keep exactly one model active across promotions, stamping promotedAt', async () => {
        const a = await models().upload({ model: model(`a-${tag()}`), createdBy: 'ops' }, T0);
        const b = await models().upload({ model: model(`b-${tag()}`), createdBy: 'ops' }, T0);
        await models().promote(a.id, T0 + MIN);
        const promoted = await models().promote(b.id, T0 + 2 * MIN);
        expect(promoted).toMatchObject({ id: b.id, status: 'active', promotedAt: T0 + 2 * MIN });
        expect((await models().get(a.id))?.status).toBe('inactive');
        expect((await models().current()).active?.id).toBe(b.id);
        expect(await statusCount('active')).toBe(1);
        expect(await models().promote(b.id, T0 + 3 * MIN)).toMatchObject({ promotedAt: T0 + 2 * MIN });
        expect((await rejection(models().promote(randomUUID(), T0))).code).toBe('not_found');
      });

      it('let the database itself refuse a second active or shadow model', async () => {
        const [x, y] = [
          await models().upload({ model: model(`x-${tag()}`), createdBy: 'ops' }, T0),
          await models().upload({ model: model(`y-${tag()}`), createdBy: 'ops' }, T0),
        ];
        await models().promote(x.id, T0);
        const active = await rejection(
          store.query("UPDATE scoring_models SET status = 'active', promoted_at = $2 WHERE id = $1", [y.id, new Date(T0)]),
        );
        expect([active.code, active.constraint]).toEqual(['conflict', 'scoring_models_one_active']);
        await models().setShadow(y.id);
        const z = await models().upload({ model: model(`z-${tag()}`), createdBy: 'ops' }, T0);
        const shadow = await rejection(store.query("UPDATE scoring_models SET status = 'shadow' WHERE id = $1", [z.id]));
        expect([shadow.code, shadow.constraint]).toEqual(['conflict', 'scoring_models_one_shadow']);
      });

      it('promote concurrently without conflicts, ending with one active model', async () => {
        const ms = await Promise.all([1, 2, 3, 4].map((i) => models().upload({ model: model(`c${i}-${tag()}`), createdBy: 'ops' }, T0)));
        const results = await Promise.all(ms.map((m, i) => models().promote(m.id, T0 + i)));
        expect(results.every((r) => r.status === 'active')).toBe(true);
        expect(await statusCount('active')).toBe(1);
        expect(ms.map((m) => m.id)).toContain((await models().current()).active?.id);
      });

      it('undo a promotion whose surrounding transaction fails', async () => {
        const before = (await models().current()).active;
        const m = await models().upload({ model: model(`t-${tag()}`), createdBy: 'ops' }, T0);
        await expect(
          store.transaction(async (tx) => {
            await new ScoringModelRepository(tx).promote(m.id, T0);
            throw new Error('audit write failed');
          }),
        ).rejects.toThrow('audit write failed');
        expect((await models().current()).active?.id).toBe(before?.id);
        expect((await models().get(m.id))?.status).toBe('inactive');
      });

      it('run one shadow at a time; promoting the shadow empties the slot; the active model cannot shadow', async () => {
        const s1 = await models().upload({ model: model(`s1-${tag()}`), createdBy: 'ops' }, T0);
        const s2 = await models().upload({ model: model(`s2-${tag()}`), createdBy: 'ops' }, T0);
        await models().setShadow(s1.id);
        await models().setShadow(s2.id);
        expect((await models().get(s1.id))?.status).toBe('inactive');
        expect((await models().current()).shadow?.id).toBe(s2.id);
        await models().promote(s2.id, T0 + HOUR);
        expect(await models().current()).toMatchObject({ active: { id: s2.id }, shadow: null });
        expect((await rejection(models().setShadow(s2.id))).code).toBe('invalid_state');
        await models().setShadow(s1.id);
        expect((await models().clearShadow())?.id).toBe(s1.id);
        expect(await models().clearShadow()).toBeNull();
        expect(await statusCount('shadow')).toBe(0);
      });
    });

    describe('decisions', () => {
      const decisions = () => new DecisionRepository(store);
      const base = (clientId: string, over: Partial<NewDecision> = {}): NewDecision => ({
        clientId,
        clusterId: 'c1',
        kind: 'replace',
        nodeName: 'node-1',
        instanceId: 'i-0abc',
        fromPool: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' },
        inputs: { price: 0.031, pods: 12 },
        ...over,
      });

      it('store a decision with its pools, inputs, breakdown and savings, readable by its tenant only', async () => {
        const clientId = await tenant();
        const m = await new ScoringModelRepository(store).upload({ model: model(`d-${tag()}`), createdBy: 'ops' }, T0);
        const d = await decisions().insert(
          base(clientId, {
            scoreBreakdown: [{ pool: 'm5.large/us-east-1b', score: 0.8 }],
            expectedSavingsPerHour: 0.0125,
            modelId: m.id,
            fromShadow: true,
          }),
          T0,
        );
        expect(d).toMatchObject({
          stage: 'candidate',
          outcome: 'pending',
          inputs: { price: 0.031, pods: 12 },
          expectedSavingsPerHour: 0.0125,
          fromShadow: true,
        });
        expect(d.fromPool).toEqual({ instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' });
        expect(d.toPool).toBeNull();
        expect(await decisions().get(clientId, d.id)).toEqual(d);
        expect(await decisions().get(await tenant(), d.id)).toBeNull();
        const shadowAct = await rejection(decisions().advance(clientId, d.id, { stage: 'approved' }, T0));
        expect([shadowAct.code, shadowAct.sqlState]).toEqual(['constraint', '23514']);
        expect((await rejection(decisions().insert(base(clientId, { clusterId: 'no-such-cluster' }), T0))).code).toBe('constraint');
      });

      it('advance only forward, recording what each stage learned; refuse other tenants', async () => {
        const clientId = await tenant();
        const d = await decisions().insert(base(clientId), T0);
        const toPool = { instanceType: 'm6i.large', availabilityZone: 'us-east-1b', capacityType: 'spot' } as const;
        const scored = await decisions().advance(
          clientId,
          d.id,
          { stage: 'scored', scoreBreakdown: { m6i: 0.9 }, expectedSavingsPerHour: 0.02 },
          T0 + MIN,
        );
        expect(scored).toMatchObject({ stage: 'scored', scoreBreakdown: { m6i: 0.9 }, updatedAt: T0 + MIN });
        const solved = await decisions().advance(clientId, d.id, { stage: 'solved', toPool }, T0 + 2 * MIN);
        expect(solved).toMatchObject({ toPool, expectedSavingsPerHour: 0.02, scoreBreakdown: { m6i: 0.9 } });
        for (const back of ['feasible', 'solved'] as const) {
          expect((await rejection(decisions().advance(clientId, d.id, { stage: back }, T0))).code).toBe('invalid_state');
        }
        expect((await rejection(decisions().advance(await tenant(), d.id, { stage: 'validated' }, T0))).code).toBe('not_found');
        expect((await rejection(decisions().advance(clientId, randomUUID(), { stage: 'validated' }, T0))).code).toBe('not_found');
      });

      it('finish once with an outcome; executed needs the executed stage, then may still be verified and earn savings', async () => {
        const clientId = await tenant();
        const dropped = await decisions().insert(base(clientId), T0);
        expect((await rejection(decisions().finish(clientId, dropped.id, { outcome: 'dropped' }, T0))).code).toBe('invalid_input');
        const ended = await decisions().finish(clientId, dropped.id, { outcome: 'dropped', reason: 'PDB budget exhausted' }, T0 + MIN);
        expect(ended).toMatchObject({ outcome: 'dropped', outcomeReason: 'PDB budget exhausted', finishedAt: T0 + MIN });
        expect((await rejection(decisions().advance(clientId, dropped.id, { stage: 'scored' }, T0))).code).toBe('invalid_state');
        expect((await rejection(decisions().finish(clientId, dropped.id, { outcome: 'failed', reason: 'x' }, T0))).code).toBe(
          'invalid_state',
        );
        expect((await rejection(decisions().recordRealizedSavings(clientId, dropped.id, 1, T0))).code).toBe('invalid_state');

        const run = await decisions().insert(base(clientId, { stage: 'approved' }), T0);
        const early = await rejection(decisions().finish(clientId, run.id, { outcome: 'executed' }, T0));
        expect([early.code, early.message]).toEqual(['invalid_state', expect.stringContaining('has not reached the executed stage')]);
        await decisions().advance(clientId, run.id, { stage: 'executed' }, T0 + MIN);
        await decisions().finish(clientId, run.id, { outcome: 'executed' }, T0 + MIN);
        expect(await decisions().advance(clientId, run.id, { stage: 'verified' }, T0 + HOUR)).toMatchObject({
          stage: 'verified',
          outcome: 'executed',
        });
        expect(await decisions().recordRealizedSavings(clientId, run.id, 3.5, T0 + 5 * HOUR)).toMatchObject({
          realizedSavings: 3.5,
          updatedAt: T0 + 5 * HOUR,
        });
      });

      it('list with tenant, cluster, kind, outcome and time filters; pages are stable under inserts', async () => {
        const clientId = await tenant(['c1', 'c2']);
        const other = await tenant();
        await decisions().insert(base(other), T0);
        const made: DecisionRecord[] = [];
        for (let i = 0; i < 7; i++) {
          // Pairs share a timestamp, so the id must break ties for a stable order.
          made.push(
            await decisions().insert(
              base(clientId, { clusterId: i % 2 ? 'c2' : 'c1', kind: i === 6 ? 'consolidate' : 'replace' }),
              T0 + Math.floor(i / 2) * MIN,
            ),
          );
        }
        await decisions().finish(clientId, (made[0] as DecisionRecord).id, { outcome: 'dropped', reason: 'price moved' }, T0 + HOUR);
        const expected = [...made].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((d) => d.id);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await decisions().list({ clientId, limit: 3, cursor });
          seen.push(...page.items.map((d) => d.id));
          cursor = page.nextCursor ?? undefined;
          if (pages++ === 0) await decisions().insert(base(clientId), T0 + 10 * HOUR);
        } while (cursor);
        expect(seen).toEqual(expected);
        expect(pages).toBe(3);

        const ids = async (f: Partial<Parameters<DecisionRepository['list']>[0]>) =>
          (await decisions().list({ clientId, limit: 100, ...f })).items.map((d) => d.id).sort();
        const pick = (...is: number[]) => is.map((i) => (made[i] as DecisionRecord).id).sort();
        expect(await ids({ clusterId: 'c2' })).toEqual(pick(1, 3, 5));
        expect(await ids({ kind: 'consolidate' })).toEqual(pick(6));
        expect(await ids({ outcome: 'dropped' })).toEqual(pick(0));
        expect(await ids({ from: T0 + MIN, to: T0 + 3 * MIN })).toEqual(pick(2, 3, 4, 5));
        expect((await decisions().list({ clientId: null, limit: 500 })).items.some((d) => d.clientId === other)).toBe(true);
        expect((await rejection(decisions().list({ clientId, cursor: 'garbage' }))).code).toBe('invalid_input');
      });

      it('count the funnel per stage in a time window: reached, dropped there, and outcomes', async () => {
        const clientId = await tenant();
        const at = async (stage: NewDecision['stage'], when = T0) => decisions().insert(base(clientId, { stage }), when);
        const c1 = await at('candidate');
        await at('feasible');
        const s = await at('scored');
        await at('validated');
        const e = await at('executed');
        await at('verified', T0 - MIN);
        await decisions().insert(base(await tenant(), { stage: 'verified' }), T0);
        await decisions().finish(clientId, c1.id, { outcome: 'dropped', reason: 'no feasible pool' }, T0);
        await decisions().finish(clientId, s.id, { outcome: 'dropped', reason: 'score below threshold' }, T0);
        await decisions().finish(clientId, e.id, { outcome: 'executed' }, T0);

        const f = await decisions().funnel({ clientId, from: T0, to: T0 + HOUR });
        expect(f.total).toBe(5);
        expect(Object.fromEntries(f.stages.map((x) => [x.stage, [x.reached, x.dropped]]))).toEqual({
          candidate: [5, 1],
          feasible: [4, 0],
          scored: [3, 1],
          solved: [2, 0],
          validated: [2, 0],
          approved: [1, 0],
          executed: [1, 0],
          verified: [0, 0],
        });
        expect(f.outcomes).toEqual({ pending: 2, dropped: 2, executed: 1, failed: 0 });
        expect((await decisions().funnel({ clientId, from: T0 - HOUR, to: T0 })).total).toBe(1);
      });
    });

    describe('overrides', () => {
      const overrides = () => new OverrideRepository(store);

      it('are active from creation until expiry (exclusive), never before; the time is the caller’s', async () => {
        const clientId = await tenant();
        const o = await overrides().create(
          { clientId, target: { level: 'cluster', clusterId: 'c1' }, reason: 'incident 42', createdBy: 'bob', expiresAt: T0 + HOUR },
          T0,
        );
        expect(o).toMatchObject({ level: 'cluster', clusterId: 'c1', targetId: 'c1', createdAt: T0, expiresAt: T0 + HOUR, liftedAt: null });
        const activeAt = async (t: number) => (await overrides().listActive({ clientId }, t)).map((x) => x.id);
        expect(await activeAt(T0 - 1)).toEqual([]);
        expect(await activeAt(T0)).toEqual([o.id]);
        expect(await activeAt(T0 + HOUR - 1)).toEqual([o.id]);
        expect(await activeAt(T0 + HOUR)).toEqual([]);
        const forever = await overrides().create({ clientId, target: { level: 'client' }, reason: 'audit', createdBy: 'bob' }, T0);
        expect(await activeAt(T0 + 1000 * HOUR)).toEqual([forever.id]);
        expect(
          (await rejection(overrides().create({ clientId, target: { level: 'client' }, reason: 'x', createdBy: 'b', expiresAt: T0 }, T0)))
            .code,
        ).toBe('constraint');
        expect(
          (
            await rejection(
              overrides().create({ clientId, target: { level: 'cluster', clusterId: 'nope' }, reason: 'x', createdBy: 'b' }, T0),
            )
          ).code,
        ).toBe('constraint');
      });

      it('lift once, ending it from that time; an expired, lifted or foreign one cannot be lifted', async () => {
        const clientId = await tenant();
        const o = await overrides().create(
          { clientId, target: { level: 'instance', clusterId: 'c1', instanceId: 'i-1' }, reason: 'debug', createdBy: 'bob' },
          T0,
        );
        const lifted = await overrides().lift(clientId, o.id, 'carol', T0 + MIN);
        expect(lifted).toMatchObject({ liftedAt: T0 + MIN, liftedBy: 'carol' });
        expect((await overrides().listActive({ clientId }, T0 + 30_000)).map((x) => x.id)).toEqual([o.id]);
        expect(await overrides().listActive({ clientId }, T0 + MIN)).toEqual([]);
        expect((await rejection(overrides().lift(clientId, o.id, 'carol', T0 + 2 * MIN))).code).toBe('invalid_state');
        const expiring = await overrides().create(
          { clientId, target: { level: 'client' }, reason: 'x', createdBy: 'b', expiresAt: T0 + MIN },
          T0,
        );
        expect((await rejection(overrides().lift(clientId, expiring.id, 'carol', T0 + MIN))).code).toBe('invalid_state');
        expect((await rejection(overrides().lift(await tenant(), expiring.id, 'carol', T0))).code).toBe('not_found');
      });

      it('apply to an instance from its client, its cluster and itself, most specific first', async () => {
        const clientId = await tenant(['c1', 'c2']);
        const mk = (target: Parameters<OverrideRepository['create']>[0]['target']) =>
          overrides().create({ clientId, target, reason: 'r', createdBy: 'b' }, T0);
        const own = await mk({ level: 'instance', clusterId: 'c1', instanceId: 'i-1' });
        const cluster = await mk({ level: 'cluster', clusterId: 'c1' });
        const client = await mk({ level: 'client' });
        await mk({ level: 'instance', clusterId: 'c1', instanceId: 'i-2' });
        await mk({ level: 'cluster', clusterId: 'c2' });
        const ids = async (q: { clusterId: string; instanceId: string }) =>
          (await overrides().applicable({ clientId, ...q }, T0 + MIN)).map((o) => o.id);
        expect(await ids({ clusterId: 'c1', instanceId: 'i-1' })).toEqual([own.id, cluster.id, client.id]);
        expect(await ids({ clusterId: 'c2', instanceId: 'i-1' })).toHaveLength(2);
        expect((await overrides().listActive({ clientId, clusterId: 'c1' }, T0)).map((o) => o.level).sort()).toEqual([
          'cluster',
          'instance',
          'instance',
        ]);
      });
    });

    describe('users, sessions and tokens', () => {
      const users = () => new UserRepository(store);
      // The repositories store what they are given: any scrypt-shaped text and 64-hex "hashes" will do.
      const HASH = '$scrypt$ln=1,r=1,p=1$c2FsdA==$aGFzaA==';
      const hex64 = () => `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
      const newUser = (clientId: string | null, role: 'admin' | 'operator' | 'viewer' = 'viewer') =>
        users().create({ username: `u-${tag()}`, name: 'U', role, clientId, passwordHash: HASH }, T0);
      const newToken = (userId: string, clientId: string | null, over: Partial<NewApiToken> = {}) =>
        new ApiTokenRepository(store).create(
          { tokenHash: hex64(), prefix: 'blst_abc', name: 'ci', userId, clientId, role: 'viewer', expiresAt: T0 + HOUR, ...over },
          T0,
        );

      it('have their tables', async () => {
        for (const t of ['users', 'login_failures', 'sessions', 'api_tokens', 'enrolment_tokens'])
          expect(await exists(store, t)).toBe(true);
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
        await new SessionRepository(store).create({ id: sessionId, userId: u.id, expiresAt: T0 + HOUR, sourceIp: '10.0.0.1' }, T0);
        const token = await newToken(u.id, null);
        expect(await users().delete(u.id)).toBe(true);
        expect(await users().delete(u.id)).toBe(false);
        expect(await new SessionRepository(store).find(sessionId)).toBeNull();
        expect(await new ApiTokenRepository(store).get(null, token.id)).toBeNull();
      });

      it('count failed sign-ins per username in one statement, locking at the limit until the window passes', async () => {
        const failures = new LoginFailureRepository(store);
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
        const sessions = new SessionRepository(store);
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
        const tokens = new ApiTokenRepository(store);
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
        const enrolment = new EnrolmentTokenRepository(store);
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
        await new TenantRepository(store).ensureCluster(clientId, shared, T0);
        expect(await enrolment.clusterOwners(shared)).toEqual([clientId, second].sort());
      });
    });

    describe('audit log', () => {
      const audit = () => new AuditRepository(store);

      it('append entries and read them back, details and source IP included', async () => {
        const clientId = await tenant();
        const e = await audit().append(
          {
            clientId,
            actor: 'alice',
            sourceIp: '10.1.2.3',
            action: 'override.create',
            target: 'override:1',
            details: { reason: 'x' },
            result: 'success',
          },
          T0,
        );
        expect(e).toMatchObject({ clientId, actor: 'alice', sourceIp: '10.1.2.3', details: { reason: 'x' }, result: 'success', at: T0 });
        const page = await audit().list({ clientId });
        expect(page).toEqual({ items: [e], nextCursor: null });
      });

      it('refuse UPDATE, DELETE and TRUNCATE in the database itself', async () => {
        const clientId = await tenant();
        const e = await audit().append({ clientId, actor: 'alice', action: 'login', target: 'hub', result: 'success' }, T0);
        for (const sql of ["UPDATE audit_log SET actor = 'mallory' WHERE id = $1", 'DELETE FROM audit_log WHERE id = $1']) {
          const err = await rejection(store.query(sql, [e.id]));
          expect([err.code, err.sqlState]).toEqual(['append_only', 'BA001']);
        }
        expect((await rejection(store.query('TRUNCATE audit_log'))).code).toBe('append_only');
        expect((await audit().list({ clientId })).items).toEqual([e]);
      });

      it('filter by actor, action and time; page newest first without gaps or repeats', async () => {
        const clientId = await tenant();
        const made: AuditEntry[] = [];
        for (let i = 0; i < 7; i++) {
          made.push(
            await audit().append(
              {
                clientId,
                actor: i % 2 ? 'bob' : 'alice',
                action: i < 3 ? 'model.promote' : 'override.lift',
                target: `t${i}`,
                result: 'success',
              },
              T0 + i * MIN,
            ),
          );
        }
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await audit().list({ clientId, limit: 2, cursor });
          seen.push(...page.items.map((x) => x.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(made.map((m) => m.id).reverse());
        const targets = async (f: Partial<Parameters<AuditRepository['list']>[0]>) =>
          (await audit().list({ clientId, ...f })).items.map((x) => x.target);
        expect(await targets({ actor: 'bob' })).toEqual(['t5', 't3', 't1']);
        expect(await targets({ action: 'model.promote', from: T0 + MIN })).toEqual(['t2', 't1']);
        expect(await targets({ to: T0 + MIN })).toEqual(['t0']);
      });

      it('keep no entry from a rolled-back transaction', async () => {
        const clientId = await tenant();
        await expect(
          store.transaction(async (tx) => {
            await new AuditRepository(tx).append({ clientId, actor: 'a', action: 'x', target: 't', result: 'failure' }, T0);
            throw new Error('change failed');
          }),
        ).rejects.toThrow('change failed');
        expect((await audit().list({ clientId })).items).toEqual([]);
      });
    });

    describe('jobs', () => {
      const jobs = () => new JobRepository(store);
      const runs = () => new JobRunRepository(store);
      /** A kind of its own per test: claims look at every tenant's jobs of the kinds a runner names. */
      const newJob = (over: Partial<NewJob> = {}): NewJob => ({
        clientId: 'c',
        kind: `k-${tag()}`,
        status: 'pending',
        dryRun: false,
        params: { ids: ['vol-1'] },
        requestedBy: 'alice',
        sourceIp: '10.0.0.7',
        note: 'tidy up',
        steps: [
          { name: 'delete-volume', target: 'vol-1' },
          { name: 'delete-volume', target: 'vol-2', input: { sizeGib: 5 } },
        ],
        ...over,
      });

      it('store a job with its steps and logs, and list a tenant’s jobs newest first, filtered and paged', async () => {
        const clientId = await tenant();
        const a = await jobs().create(newJob({ clientId }), T0);
        expect(a).toMatchObject({
          clientId,
          status: 'pending',
          stepsTotal: 2,
          stepsDone: 0,
          attempt: 1,
          sourceIp: '10.0.0.7',
          createdAt: T0,
        });
        expect((await jobs().steps(a.id)).map((x) => [x.seq, x.target, x.status, x.input])).toEqual([
          [0, 'vol-1', 'pending', {}],
          [1, 'vol-2', 'pending', { sizeGib: 5 }],
        ]);
        const b = await jobs().create(newJob({ clientId, status: 'waiting-approval', requestedBy: 'bob' }), T0 + MIN);
        await jobs().appendLog(a.id, null, 'info', 'created', T0);
        await jobs().appendLog(a.id, 1, 'warn', 'second', T0 + 1);
        expect((await jobs().logs(a.id)).map((l) => [l.stepSeq, l.level, l.message])).toEqual([
          [null, 'info', 'created'],
          [1, 'warn', 'second'],
        ]);
        expect((await jobs().list({ clientId })).items.map((j) => j.id)).toEqual([b.id, a.id]);
        expect((await jobs().list({ clientId, status: 'waiting-approval' })).items.map((j) => j.id)).toEqual([b.id]);
        expect((await jobs().list({ clientId, requestedBy: 'alice' })).items.map((j) => j.id)).toEqual([a.id]);
        const first = await jobs().list({ clientId, limit: 1 });
        expect(first.items.map((j) => j.id)).toEqual([b.id]);
        expect((await jobs().list({ clientId, limit: 1, cursor: first.nextCursor ?? '' })).items.map((j) => j.id)).toEqual([a.id]);
        expect(await jobs().get('another-tenant', a.id)).toBeNull();
        expect(await jobs().get(clientId, 'not-a-uuid')).toBeNull();
        expect((await rejection(jobs().create(newJob({ clientId, kind: 'Not Kebab' }), T0))).code).toBe('constraint');
      });

      it('give each job to one runner at a time: concurrent claims never share a job, a lease keeps others off until it expires', async () => {
        const kind = `k-${tag()}`;
        const made = [];
        for (let i = 0; i < 4; i++) made.push(await jobs().create(newJob({ kind }), T0 + i));
        await jobs().create(newJob({ kind, status: 'waiting-approval' }), T0);
        const claims = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((r) => runs().claimNext(r, [kind], T0 + MIN, MIN)));
        const got = claims.filter((c) => c !== null);
        expect(got.map((c) => c.id).sort()).toEqual(made.map((m) => m.id).sort());
        expect(got.every((c) => c.status === 'running' && c.previousStatus === 'pending')).toBe(true);
        // Held until the lease runs out; then another runner takes it over and the first one's writes are refused.
        expect(await runs().claimNext('r9', [kind], T0 + 2 * MIN - 1, MIN)).toBeNull();
        const taken = await runs().claimNext('r9', [kind], T0 + 2 * MIN, MIN);
        expect(taken?.id).toBe(made[0]?.id);
        expect(taken?.previousClaim).not.toBeNull();
        const loser = got.find((c) => c.id === taken?.id)?.claimedBy as string;
        const lost = await rejection(runs().startStep(made[0]?.id as string, loser, 0, T0 + 2 * MIN));
        expect(lost.code).toBe('invalid_state');
        expect(lost.message).toContain('no longer claimed');
        expect(await runs().renew(made[0]?.id as string, loser, T0 + 2 * MIN, MIN)).toBe(false);
        expect(await runs().claimNext('r9', [`other-${kind}`], T0 + 10 * MIN, MIN)).toBeNull();
      });

      it('track steps and progress under the claim, park a job until run_after, and finish it', async () => {
        const kind = `k-${tag()}`;
        const j = await jobs().create(newJob({ kind }), T0);
        const claimed = (await runs().claimNext('r1', [kind], T0, MIN)) as NonNullable<Awaited<ReturnType<JobRunRepository['claimNext']>>>;
        expect(claimed.id).toBe(j.id);
        const s0 = await runs().startStep(j.id, 'r1', 0, T0);
        expect([s0.status, s0.attempts]).toEqual(['running', 1]);
        await runs().recordEffect(j.id, 'r1', 0, { intent: 'delete' });
        await runs().recordEffect(j.id, 'r1', 0, { outcome: 'deleted' });
        const after0 = await runs().finishStep(j.id, 'r1', 0, 'succeeded', 'done', T0 + 1);
        expect([after0.stepsDone, after0.stepsTotal]).toEqual([1, 2]);
        expect((await runs().steps(j.id))[0]?.effect).toEqual({ intent: 'delete', outcome: 'deleted' });
        expect(await runs().release(j.id, 'r1', T0 + 2, T0 + MIN)).toBe(true);
        expect(await runs().claimNext('r2', [kind], T0 + MIN - 1, MIN)).toBeNull();
        const back = await runs().claimNext('r2', [kind], T0 + MIN, MIN);
        expect([back?.previousStatus, back?.previousRunAfter, back?.previousClaim]).toEqual(['running', T0 + MIN, null]);
        await runs().startStep(j.id, 'r2', 1, T0 + MIN);
        await runs().finishStep(j.id, 'r2', 1, 'skipped', 'attached now', T0 + MIN);
        const done = await runs().finishJob(j.id, 'r2', 'succeeded', null, T0 + MIN);
        expect(done).toMatchObject({ status: 'succeeded', stepsDone: 2, claimedBy: null, finishedAt: T0 + MIN });
        expect((await rejection(runs().finishJob(j.id, 'r2', 'failed', 'x', T0 + MIN))).code).toBe('invalid_state');
      });

      it('cancel an idle job at once, ask a running one to stop, and retry a failed one without redoing finished steps', async () => {
        const kind = `k-${tag()}`;
        const idle = await jobs().create(newJob({ kind, status: 'waiting-approval' }), T0);
        const cancelled = await jobs().cancel(null, idle.id, T0 + 1);
        expect([cancelled.cancelled, cancelled.job.status]).toEqual([true, 'cancelled']);
        expect((await jobs().steps(idle.id)).map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
        expect((await rejection(jobs().cancel(null, idle.id, T0 + 2))).code).toBe('invalid_state');
        expect((await rejection(jobs().cancel(null, randomUUID(), T0 + 2))).code).toBe('not_found');

        const busy = await jobs().create(newJob({ kind }), T0 + 1);
        await runs().claimNext('r1', [kind], T0 + 2, MIN);
        const asked = await jobs().cancel(null, busy.id, T0 + 3);
        expect([asked.cancelled, asked.job.status, asked.job.cancelRequested]).toEqual([false, 'running', true]);
        expect(await runs().cancelRequested(busy.id)).toBe(true);

        await runs().startStep(busy.id, 'r1', 0, T0 + 3);
        await runs().finishStep(busy.id, 'r1', 0, 'succeeded', null, T0 + 3);
        await runs().startStep(busy.id, 'r1', 1, T0 + 3);
        await runs().finishStep(busy.id, 'r1', 1, 'failed', 'boom', T0 + 3);
        expect((await rejection(jobs().retry(null, busy.id, 'pending', T0 + 3))).code).toBe('invalid_state');
        await runs().finishJob(busy.id, 'r1', 'failed', 'step 1 failed', T0 + 3);
        const again = await jobs().retry(null, busy.id, 'pending', T0 + 4);
        expect(again).toMatchObject({ status: 'pending', attempt: 2, error: null, cancelRequested: false, finishedAt: null, stepsDone: 1 });
        expect((await jobs().steps(busy.id)).map((x) => x.status)).toEqual(['succeeded', 'pending']);
        expect((await rejection(jobs().retry(null, busy.id, 'pending', T0 + 5))).code).toBe('invalid_state');
      });
    });

    describe('approvals', () => {
      const approvals = () => new ApprovalRepository(store);
      const job = async (clientId: string) =>
        new JobRepository(store).create(
          { clientId, kind: `k-${tag()}`, status: 'waiting-approval', dryRun: false, params: {}, requestedBy: 'alice', steps: [] },
          T0,
        );

      it('hold one pending request per job, refuse self-approval in the database, and decide once', async () => {
        const clientId = await tenant();
        const j = await job(clientId);
        const a = await approvals().create(
          { clientId, jobId: j.id, action: 'storage.delete', summary: 'delete 2', requestedBy: 'alice' },
          T0,
        );
        expect(a).toMatchObject({ status: 'pending', decidedBy: null, requestedAt: T0 });
        expect(
          (await rejection(approvals().create({ clientId, jobId: j.id, action: 'storage.delete', summary: '', requestedBy: 'alice' }, T0)))
            .code,
        ).toBe('conflict');
        const self = await rejection(approvals().decide(clientId, a.id, { status: 'approved', by: 'alice', reason: 'mine' }, T0 + 1));
        expect(self.code).toBe('constraint');
        expect((await rejection(approvals().decide(clientId, a.id, { status: 'approved', by: 'bob', reason: '' }, T0 + 1))).code).toBe(
          'constraint',
        );
        const ok = await approvals().decide(clientId, a.id, { status: 'approved', by: 'bob', reason: 'checked' }, T0 + 2);
        expect(ok).toMatchObject({ status: 'approved', decidedBy: 'bob', reason: 'checked', decidedAt: T0 + 2 });
        expect(
          (await rejection(approvals().decide(clientId, a.id, { status: 'rejected', by: 'carol', reason: 'late' }, T0 + 3))).code,
        ).toBe('invalid_state');
        expect((await rejection(approvals().decide(clientId, randomUUID(), { status: 'rejected', by: 'c', reason: 'x' }, T0))).code).toBe(
          'not_found',
        );
        expect((await approvals().list({ clientId, status: 'approved' })).items.map((x) => x.id)).toEqual([a.id]);
        expect((await approvals().list({ clientId, status: 'pending' })).items).toEqual([]);
        const again = await approvals().create(
          { clientId, jobId: j.id, action: 'storage.delete', summary: 'retry', requestedBy: 'alice' },
          T0 + 4,
        );
        expect(await approvals().cancelPending(j.id, 'alice', T0 + 5)).toMatchObject({ id: again.id, status: 'cancelled' });
        expect((await approvals().forJob(j.id)).map((x) => x.status)).toEqual(['cancelled', 'approved']);
      });
    });
  });
}
