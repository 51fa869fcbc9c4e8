import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONSOLE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(REPO_ROOT, '.tmp', 'console-build');

/** The console's sources and what builds them: any change to one gives a new build. */
function inputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(CONSOLE_ROOT, 'src'));
  files.push(join(CONSOLE_ROOT, 'index.html'), join(CONSOLE_ROOT, 'vite.config.ts'), join(CONSOLE_ROOT, 'package.json'));
  files.push(join(REPO_ROOT, 'package-lock.json'));
  return files;
}

function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of inputs()) {
    h.update(relative(REPO_ROOT, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * A production build of the console as its sources stand now, in `.tmp/console-build/<hash>`
 * (the hash covers every source file, the Vite config and the lockfile, so a build is never
 * stale). Test files share it: each used to build its own, 15–25 s apiece. Two processes that
 * miss at once both build; each renames its finished build into place, so a reader never sees
 * a half-written one. Callers must not write into the returned directory.
 */
export async function builtConsole(): Promise<string> {
  const dir = join(CACHE, sourceHash());
  if (existsSync(join(dir, 'index.html'))) return dir;
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await build({ root: CONSOLE_ROOT, logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another process finished first: its build is the same sources, keep it.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'index.html'))) throw err;
  }
  return dir;
}
