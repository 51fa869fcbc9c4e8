import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** The file system calls agent-state.ts makes, in order (node:fs wrapped, not replaced). */
const calls = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const traced = <F extends (...args: never[]) => unknown>(name: string, f: F) =>
    ((...args: Parameters<F>) => {
      calls.push(name);
      return f(...args);
    }) as F;
  const wrapped = {
    ...fs,
    openSync: traced('open', fs.openSync),
    writeSync: traced('write', fs.writeSync),
    fdatasyncSync: traced('fdatasync', fs.fdatasyncSync),
    fsyncSync: traced('fsync', fs.fsyncSync),
    renameSync: traced('rename', fs.renameSync),
    closeSync: traced('close', fs.closeSync),
  };
  return { ...wrapped, default: wrapped };
});

const { FileAgentState } = await import('../../src/pipeline/agent-state.ts');
const { tempDirs } = await import('./temp-dirs.ts');
const dirs = tempDirs('state-sync');
afterAll(() => dirs.removeAll());
beforeEach(() => {
  calls.length = 0;
});

describe('FileAgentState syncs', () => {
  it('records a sequence with one positioned write and one fdatasync, and nothing else, under interval and always', async () => {
    for (const policy of ['interval', 'always'] as const) {
      const state = FileAgentState.open(dirs.make(), policy, 1_700_000_000_000);
      calls.length = 0;
      state.recordSequence(1n);
      state.recordSequence(2n);
      // The write is on the device before recordSequence returns, i.e. before the batch is sent.
      expect(calls).toEqual(['write', 'fdatasync', 'write', 'fdatasync']);
      await state.close();
    }
  });

  it('does not sync under never', async () => {
    const state = FileAgentState.open(dirs.make(), 'never', 1);
    calls.length = 0;
    state.recordSequence(1n);
    expect(calls).toEqual(['write']);
    await state.close();
  });

  it('creates the file whole and synced before it takes its name, and syncs the directory after', async () => {
    const state = FileAgentState.open(dirs.make(), 'interval', 1);
    const rename = calls.indexOf('rename');
    expect(rename).toBeGreaterThan(0);
    expect(calls.slice(0, rename)).toContain('fdatasync');
    // fsyncDir after the rename; then the kept-open descriptor.
    expect(calls.slice(rename)).toEqual(['rename', 'open', 'fsync', 'close', 'open']);
    await state.close();
  });
});
