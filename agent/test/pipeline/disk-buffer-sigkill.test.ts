import { startTsProcess, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAgentState } from '../../src/pipeline/agent-state.ts';
import { DiskBatchStore } from '../../src/pipeline/disk-buffer.ts';
import { batch, collect } from './batches.ts';
import { tempDirs } from './temp-dirs.ts';

const dirs = tempDirs('sigkill');
afterAll(() => dirs.removeAll());

/** Runs the writer until it printed at least `minAdds` adds, SIGKILLs it, and returns what it printed. */
async function writeAndKill(dir: string, minAdds: number) {
  const child = startTsProcess('writer', 'agent/test/pipeline/disk-buffer-writer.ts', {}, [dir, 'interval']);
  const adds = () => child.output.filter((l) => l.startsWith('add ')).length;
  await waitFor(
    'writer output',
    () => adds() >= minAdds || child.exitCode !== undefined,
    30_000,
    () => child.tail(),
  );
  await child.kill();
  expect(child.exitCode, child.tail()).toBeNull(); // killed by the signal, not exited
  const lines = [...child.output];
  const parse = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => Number(l.slice(prefix.length)));
  const epoch = lines.find((l) => l.startsWith('epoch '))?.slice('epoch '.length) ?? '0';
  return { epoch: BigInt(epoch), added: parse('add '), acked: new Set(parse('ack ')) };
}

describe('disk buffer under SIGKILL', () => {
  it('keeps every batch add returned for, drops every acked one, and never reuses a sequence', async () => {
    const dir = dirs.make();
    const first = await writeAndKill(dir, 300);
    // Killed again after a restart on the same directory: the second run continues the first.
    const second = await writeAndKill(dir, 200);
    expect(second.epoch).toBe(first.epoch);
    expect(second.added[0]).toBeGreaterThan(first.added.at(-1) as number);

    const state = FileAgentState.open(dir, 'never', Date.now());
    const store = new DiskBatchStore({ dir, epoch: state.epoch, maxBytes: 256 * 1024 * 1024, fsync: 'never' });
    await store.open();
    try {
      expect(state.epoch).toBe(first.epoch);
      const held = new Set(store.sequences().map(Number));
      const added = [...first.added, ...second.added];
      const acked = new Set([...first.acked, ...second.acked]);
      const missing = added.filter((s) => !acked.has(s) && !held.has(s));
      expect(missing).toEqual([]);
      expect([...acked].filter((s) => held.has(s))).toEqual([]);
      // The state (or, after a crash between the two writes, the store) covers every sequence handed out.
      const last = state.lastSequence > store.highestSequence ? state.lastSequence : store.highestSequence;
      expect(Number(last)).toBeGreaterThanOrEqual(second.added.at(-1) as number);
      // Content is intact, not just the index.
      const replayed = await collect(store.replay());
      for (const b of replayed) expect(b).toEqual(batch(Number(b.sequence), 40));
      // At most the one record being written when the signal came can be torn.
      expect(store.corruptRecords).toBeLessThanOrEqual(2);
    } finally {
      await store.close();
      await state.close();
    }
  });
});
