import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metadataStoreContract, TestProcess, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/state/data-dir-lock.ts';
import { MetadataStoreError, openMetadataStore, TenantRepository } from '../src/state/index.ts';

const root = mkdtempSync(join(tmpdir(), 'ballast-pglite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
let template: Promise<string> | null = null;

/**
 * A data directory holding an empty, unmigrated cluster. initdb costs seconds in PGlite,
 * so it runs once and later directories are copies (migrations still run from scratch).
 */
async function newDir(): Promise<string> {
  template ??= (async () => {
    const path = join(root, 'template');
    await (await openMetadataStore({ kind: 'pglite', path })).close();
    return path;
  })();
  const path = join(root, `db-${++dirs}`);
  cpSync(await template, path, { recursive: true });
  return path;
}

metadataStoreContract('PGlite', async () => ({
  createDatabase: async () => {
    const path = await newDir();
    return { open: (options) => openMetadataStore({ kind: 'pglite', path, ...options }) };
  },
  cleanup: async () => undefined,
}));

describe('PGlite data directory', () => {
  it('is refused to a second store in this process, naming the directory and PID, and kept across close', async () => {
    const path = await newDir();
    const first = await openMetadataStore({ kind: 'pglite', path });
    await first.migrate();
    await new TenantRepository(first).createClient({ id: 'kept', name: 'Kept' }, 0);
    const err = await openMetadataStore({ kind: 'pglite', path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetadataStoreError);
    expect((err as MetadataStoreError).code).toBe('locked');
    expect((err as MetadataStoreError).message).toContain(path);
    expect((err as MetadataStoreError).message).toContain(`this process (PID ${process.pid})`);
    await first.close();
    expect(existsSync(join(path, LOCK_FILE))).toBe(false);

    const again = await openMetadataStore({ kind: 'pglite', path });
    expect((await again.migrate()).applied).toEqual([]);
    expect(await new TenantRepository(again).getClient('kept')).toMatchObject({ name: 'Kept' });
    await again.close();
  });

  it('is refused while another process holds it, and taken over once that process died', async () => {
    const path = await newDir();
    const script = join(root, 'hold.mts');
    const factory = fileURLToPath(new URL('../src/state/index.ts', import.meta.url));
    writeFileSync(
      script,
      `import { openMetadataStore } from ${JSON.stringify(factory)};\n` +
        `await openMetadataStore({ kind: 'pglite', path: ${JSON.stringify(path)} });\nconsole.log('holding');\nsetInterval(() => {}, 1000);\n`,
    );
    const holder = new TestProcess('holder', spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      await waitFor(
        'the holder to open the store',
        () => holder.output.includes('holding'),
        30_000,
        () => holder.tail(),
      );
      expect(JSON.parse(readFileSync(join(path, LOCK_FILE), 'utf8')).pid).toBe(holder.pid);
      const err = (await openMetadataStore({ kind: 'pglite', path }).catch((e: unknown) => e)) as MetadataStoreError;
      expect(err.code).toBe('locked');
      expect(err.message).toContain(`the metadata data directory ${path} is in use by another process (PID ${holder.pid}`);
      expect(err.message).toContain('metadataPath (--metadata-path / BALLAST_METADATA_PATH)');
    } finally {
      // SIGKILL: a crash leaves the lock file behind.
      await holder.kill();
    }
    expect(existsSync(join(path, LOCK_FILE))).toBe(true);
    const store = await openMetadataStore({ kind: 'pglite', path });
    expect(JSON.parse(readFileSync(join(path, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await store.close();
  });
});
