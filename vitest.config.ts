import { defineConfig } from 'vitest/config';

// One process per test file (forks): chDB must run on a process's main thread and binds
// one data directory per process, so tests that open chDB cannot share a worker.
export default defineConfig({
  test: {
    include: ['{common,proto,agent,hub,sim,testkit,console,kube,eval}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report is what .ci/run counts passed and failed tests from.
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-report.json' },
  },
});
