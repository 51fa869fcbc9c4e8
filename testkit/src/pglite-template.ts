import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, openMetadataStore } from '../../hub/src/state/index.ts';

const PGLITE_VERSION = String(
  JSON.parse(readFileSync(new URL('../../hub/package.json', import.meta.url), 'utf8')).dependencies['@electric-sql/pglite'],
);
let template: Promise<string> | null = null;

/**
 * Fills `target` with a migrated PGlite data directory. PGlite's initdb and the migrations
 * cost 10–20 s on a busy 2-core machine, more than a hub test should wait at every start,
 * so a template keyed by the PGlite version and the migrations' SQL is built once per
 * machine (appearing by rename, so a half-built one is never used) and copied.
 */
export async function seedMigratedPglite(target: string): Promise<void> {
  template ??= (async () => {
    const key = createHash('sha256')
      .update(PGLITE_VERSION)
      .update(MIGRATIONS.map((m) => m.sql).join('\0'))
      .digest('hex')
      .slice(0, 16);
    const path = join(tmpdir(), `ballast-hub-pglite-${key}`);
    if (existsSync(path)) return path;
    const building = mkdtempSync(join(tmpdir(), 'ballast-hub-pglite-building-'));
    const store = await openMetadataStore({ kind: 'pglite', path: building });
    await store.migrate();
    await store.close();
    try {
      renameSync(building, path);
    } catch {
      rmSync(building, { recursive: true, force: true });
    }
    return path;
  })();
  cpSync(await template, target, { recursive: true });
}
