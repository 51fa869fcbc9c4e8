import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { hubHarness } from './hub-harness.ts';

// Its own file: a hub opens chDB, and chDB binds one data directory per process.
describe('a hub given a wrong decision policies file', () => {
  it('refuses to start, naming the file and the field', async () => {
    const dir = tempDir('bad-policies');
    try {
      const file = join(dir.path, 'policies.json');
      writeFileSync(file, '{"discountPreference": 1.5}');
      await expect(hubHarness(undefined, { decisionPoliciesFile: file })).rejects.toThrow(
        /decisionPoliciesFile .*policies\.json .*discountPreference: must be within \[0, 1\]/,
      );
    } finally {
      dir.remove();
    }
  });
});
