import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The scoring code must see only what a real fleet sees. The simulator knows the true
 * interruption hazard; if scoring could import it, a replay would flatter Ballast. This
 * guards the boundary at the source level, and keeps the clock injected.
 */
const dir = new URL('.', import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, dir), 'utf8') }));

describe('scoring boundary', () => {
  it('imports nothing from the simulator', () => {
    expect(sources.length).toBeGreaterThan(10);
    for (const { file, text } of sources) {
      const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).not.toMatch(/@ballast\/sim|(^|\/)sim(\/|$)/);
    }
  });

  it('only imports its own files (pure maths, no I/O)', () => {
    for (const { file, text } of sources) {
      for (const m of text.matchAll(/from\s+['"]([^'"]+)['"]/g)) expect(m[1], file).toMatch(/^\.\/[\w-]+\.ts$/);
    }
  });

  it('never reads the system clock', () => {
    for (const { file, text } of sources) expect(text, file).not.toMatch(/Date\.now\(|new Date\(\)|performance\.now\(/);
  });
});
