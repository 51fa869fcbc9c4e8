import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PROTO_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));
// npm may install the plugin under proto/ or hoist it to the root; buf finds it on PATH.
const LOCAL_BIN = fileURLToPath(new URL('../node_modules/.bin', import.meta.url));
const env = { ...process.env, PATH: `${LOCAL_BIN}:${BIN}:${process.env.PATH}` };

function files(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('proto/', () => {
  const out = mkdtempSync(join(tmpdir(), 'ballast-proto-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has committed generated code identical to a fresh buf generate', () => {
    execFileSync(join(BIN, 'buf'), ['generate', '--output', out], { cwd: PROTO_DIR, env, stdio: 'pipe' });
    const fresh = files(join(out, 'gen'));
    const committed = files(join(PROTO_DIR, 'gen'));
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [path, text] of fresh) expect(committed.get(path), `${path} is stale: run npm run proto:gen`).toBe(text);
  });

  it('passes buf lint', () => {
    const result = execFileSync(join(BIN, 'buf'), ['lint'], { cwd: PROTO_DIR, env, stdio: 'pipe' }).toString();
    expect(result).toBe('');
  });
});
