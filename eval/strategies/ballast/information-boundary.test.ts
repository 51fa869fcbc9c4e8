import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The simulator's true interruption rates must not be readable by Ballast: its strategy code
 * and the hub code it runs (scoring, solver, decisions) see prices, the advisor bucket and the
 * fleet's own events only. This guards the source: nothing there names the simulator's market,
 * its hazard, its capacity model or the AWS-side view the baselines get.
 */
const FORBIDDEN = ['interruptionHazardPerHour', 'awsView', 'AwsView', 'SpotMarket', 'CapacityModel', 'InterruptionEngine', 'sim/src'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('information boundary', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  const dirs = ['eval/strategies/ballast', 'hub/src/decisions', 'hub/src/scoring', 'hub/src/solver'];
  for (const dir of dirs) {
    it(`${dir} never names the simulator's market internals`, () => {
      for (const file of sources(join(root, dir))) {
        const text = readFileSync(file, 'utf8');
        for (const word of FORBIDDEN) expect({ file, found: text.includes(word) ? word : null }).toEqual({ file, found: null });
      }
    });
  }
});
