import { describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration } from '../../../hub/src/state/index.ts';
import { type ContractContext, exists, rejection, tables } from './context.ts';

export function describeMigrations(ctx: ContractContext): void {
  const { open, migrateOnce } = ctx;
  describe('migrations', () => {
    it('apply every migration once, in order, recorded in schema_migrations; a second migrate() does nothing', async () => {
      const s = await open(await ctx.fixture.createDatabase());
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
      const s = await open(await ctx.fixture.createDatabase());
      const [a, b] = await Promise.all([s.migrate(), s.migrate()]);
      const versions = [...a.applied, ...b.applied].map((m) => m.version).sort((x, y) => x - y);
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      expect((await s.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]?.n).toBe(MIGRATIONS.length);
    });

    it('apply only the migrations a database lacks as versions grow, and refuse edited, missing or newer ones', async () => {
      const db = await ctx.fixture.createDatabase();
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
      const db = await ctx.fixture.createDatabase();
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
}
