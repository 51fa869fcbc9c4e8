import { createLogger, loadConfig } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent.ts';
import { AGENT_CONFIG } from '../../src/config/agent-config.ts';
import { BatchBuffer, HEAP_BYTES_PER_POINT } from '../../src/pipeline/batch-buffer.ts';
import { MemoryLimiter } from '../../src/pipeline/memory-limiter.ts';
import { batch, nums } from './batches.ts';
import { FakeTransport, gauge, ScriptedCollector, until } from './fakes.ts';

const POINT = HEAP_BYTES_PER_POINT;

function filled(n: number, points: number): BatchBuffer {
  const store = new BatchBuffer(1_000_000);
  for (let i = 1; i <= n; i++) store.add(batch(i, points));
  return store;
}

describe('MemoryLimiter', () => {
  it('does nothing when off (limit 0) or under the limit', () => {
    const store = filled(5, 100);
    expect(new MemoryLimiter(store, { limitBytes: 0, heapUsed: () => 1e12 }).check()).toBe(0);
    const under = new MemoryLimiter(store, { limitBytes: 500 * POINT, heapUsed: () => 0 });
    expect(under.check()).toBe(0);
    expect(store.size).toBe(5);
  });

  it('sheds the OLDEST batches when the store estimate passes the limit, and counts them', () => {
    const store = filled(5, 100);
    const limiter = new MemoryLimiter(store, { limitBytes: 250 * POINT, heapUsed: () => 0 });
    expect(limiter.check()).toBe(3);
    expect(nums(store.sequences())).toEqual([4, 5]);
    expect(limiter).toMatchObject({ shedBatches: 3, shedPoints: 300 });
    // Shedding is not the size bound: the store's own drop counters stay untouched.
    expect(store.droppedBatches).toBe(0);
  });

  it('on heap pressure sheds only as much as the excess, and never the newest batch', () => {
    const store = filled(5, 100);
    let heap = 10_000 * POINT;
    const limiter = new MemoryLimiter(store, { limitBytes: 9_850 * POINT, heapUsed: () => heap });
    expect(limiter.check()).toBe(2); // 150 points over: two 100-point batches cover it
    expect(nums(store.sequences())).toEqual([3, 4, 5]);
    heap = 1e12; // far over, more than the store could ever free
    limiter.check();
    expect(nums(store.sequences())).toEqual([5]);
    expect(limiter.shedBatches).toBe(4);
  });

  it('is wired into the agent for the in-memory store and reported in stats', async () => {
    const transport = new FakeTransport();
    const collector = new ScriptedCollector(3, (n) => [gauge('cpu', n), gauge('mem', n)]);
    // 1 MiB is below any real heap: every add sheds all but the newest batch.
    const cfg = { ...loadConfig(AGENT_CONFIG, [], {}), collectIntervalMs: 20, shutdownFlushMs: 0, memoryLimitMiB: 1 };
    const agent = new Agent(cfg, [collector], transport, createLogger('t', 'silent'));
    await agent.start();
    await until(() => transport.batches.length === 3, '3 batches');
    expect(agent.stats()).toMatchObject({ bufferedBatches: 1, shedBatches: 2, shedPoints: 4, droppedBatches: 0 });
    await agent.shutdown();
  });
});
