import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@ballast/common';
import type { Welcome } from '@ballast/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent.ts';
import type { Sample } from '../../src/collectors/collector.ts';
import { AGENT_CONFIG, type AgentConfig } from '../../src/config/agent-config.ts';
import { encodeStateSlot, newestStateSlot, STATE_FILE, STATE_SLOT_STRIDE } from '../../src/pipeline/agent-state.ts';
import { FakeTransport, gauge, ScriptedCollector, until } from './fakes.ts';
import { tempDirs } from './temp-dirs.ts';

const dirs = tempDirs('agent-restart');
afterAll(() => dirs.removeAll());
const log = createLogger('agent-restart-test', 'silent');

function config(overrides: Partial<AgentConfig>): AgentConfig {
  return { ...loadConfig(AGENT_CONFIG, [], {}), collectIntervalMs: 20, shutdownFlushMs: 0, bufferFsync: 'never', ...overrides };
}

/** Runs an agent until it has sent `cycles` batches, then lets the test act on it. */
async function run(cfg: AgentConfig, cycles: number, samples: (cycle: number) => Sample[]) {
  const transport = new FakeTransport();
  const collector = new ScriptedCollector(cycles, samples);
  const agent = new Agent(cfg, [collector], transport, log);
  await agent.start();
  await until(() => transport.batches.length === cycles && collector.calls > cycles, `${cycles} batches`);
  return { agent, transport };
}

describe('Agent with a buffer directory, across restarts', () => {
  it('keeps its epoch, continues the sequence, keeps series ids and replays un-acked batches as they were', async () => {
    const cfg = config({ bufferDir: dirs.make() });
    // Each cycle brings a new series, so the dictionary grows between restarts.
    const one = await run(cfg, 3, (n) => [gauge('cpu', n), gauge(`disk_${n}`, n * 10, { dev: `sd${n}` })]);
    const dictionary = one.transport.s.dictionary().map((d) => ({ ...d }));
    expect(dictionary.map((d) => d.id)).toEqual([1, 2, 3, 4]);
    one.transport.s.onAck(1n);
    const stopped = await one.agent.shutdown();
    expect(stopped).toMatchObject({ lastSequence: '3', bufferedBatches: 2, bufferKind: 'disk' });

    const two = await run(cfg, 2, (n) => [gauge('disk_3', n, { dev: 'sd3' }), gauge('cpu', n), gauge('net', n)]);
    expect(two.agent.epoch).toBe(one.agent.epoch);
    expect(two.transport.s.hello().epoch).toBe(one.agent.epoch);
    // The dictionary is the old one plus what is new; old ids mean the same series.
    expect(two.transport.s.dictionary().slice(0, 4)).toEqual(dictionary);
    expect(two.transport.s.dictionary()[4]).toMatchObject({ id: 5, metric: 'net' });
    expect(two.transport.batches.map((b) => Number(b.sequence))).toEqual([4, 5]);
    expect(two.transport.batches[0]?.seriesIds).toEqual([4, 1, 5]);
    // Un-acked batches of the first run come back first, byte for byte.
    const replayed = await two.transport.replayed();
    expect(replayed.map((b) => Number(b.sequence))).toEqual([2, 3, 4, 5]);
    expect(replayed.slice(0, 2)).toEqual(one.transport.batches.slice(1));
    for (const b of replayed) two.transport.s.onAck(b.sequence);
    const final = await two.agent.shutdown();
    expect(final).toMatchObject({ lastSequence: '5', bufferedBatches: 0, batchesAcked: 4, droppedBatches: 0, corruptRecords: 0 });
  });

  it('continues after the highest stored sequence when the state file lags the store (crash between the writes)', async () => {
    const dir = dirs.make();
    const cfg = config({ bufferDir: dir });
    const one = await run(cfg, 3, (n) => [gauge('cpu', n)]);
    await one.agent.shutdown();
    const path = join(dir, STATE_FILE);
    const state = newestStateSlot(readFileSync(path));
    expect(state).toMatchObject({ epoch: one.agent.epoch, lastSequence: 3n });
    // Only sequence 1 recorded, in the newest slot; the other slot emptied.
    const generation = (state?.generation ?? 0n) + 1n;
    const file = Buffer.alloc(2 * STATE_SLOT_STRIDE);
    encodeStateSlot({ generation, epoch: one.agent.epoch, lastSequence: 1n }, file.subarray(Number(generation % 2n) * STATE_SLOT_STRIDE));
    writeFileSync(path, file);
    const two = await run(cfg, 1, (n) => [gauge('cpu', n)]);
    expect(two.transport.batches.map((b) => Number(b.sequence))).toEqual([4]);
    await two.agent.shutdown();
  });

  it('skips past sequences the hub already has when it is ahead (state lost in a power cut)', async () => {
    const cfg = config({ bufferDir: dirs.make() });
    const one = await run(cfg, 1, (n) => [gauge('cpu', n)]);
    one.transport.s.onWelcome({ storedSequence: 10n } as Welcome);
    expect(await one.transport.replayed()).toEqual([]);
    await one.agent.shutdown();
    const two = await run(cfg, 1, (n) => [gauge('cpu', n)]);
    expect(two.transport.batches.map((b) => Number(b.sequence))).toEqual([11]);
    await two.agent.shutdown();
  });

  it('without a buffer directory each start is a new epoch whose sequences begin at 1', async () => {
    const cfg = config({ bufferDir: '' });
    const one = await run(cfg, 2, (n) => [gauge('cpu', n)]);
    const first = await one.agent.shutdown();
    const two = await run(cfg, 1, (n) => [gauge('cpu', n)]);
    expect(two.agent.epoch).not.toBe(one.agent.epoch);
    expect(two.transport.batches.map((b) => Number(b.sequence))).toEqual([1]);
    expect(first.bufferKind).toBe('memory');
    for (const b of await two.transport.replayed()) two.transport.s.onAck(b.sequence);
    await two.agent.shutdown();
  });
});
