import { systemClock } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.ts';

function recorder(fail?: (items: number[]) => boolean) {
  const runs: number[][] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const run = async (items: number[]) => {
    runs.push(items);
    if (gate) await gate;
    if (fail?.(items)) throw new Error(`run of ${items.join(',')} failed`);
    return items.map((i) => i * 10);
  };
  return {
    runs,
    run,
    hold() {
      gate = new Promise((r) => {
        release = r;
      });
    },
    release() {
      gate = null;
      release?.();
    },
  };
}

describe('Coalescer', () => {
  it('items added together share one run and each gets its own result', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, systemClock, { maxItems: 100, delayMs: 5 });
    expect(await Promise.all([1, 2, 3].map((i) => c.add(i)))).toEqual([10, 20, 30]);
    expect(r.runs).toEqual([[1, 2, 3]]);
  });

  it('a full run starts at once; the rest waits for the next', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, systemClock, { maxItems: 2, delayMs: 60_000 });
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => c.add(i)));
    // 5 waits for company for a minute unless another item fills its run.
    const sixth = c.add(6);
    expect(await all).toEqual([10, 20, 30, 40, 50]);
    expect(await sixth).toBe(60);
    expect(r.runs).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('one run at a time: items arriving during a run form the next run', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, systemClock, { maxItems: 100, delayMs: 1 });
    r.hold();
    const first = c.add(1);
    await new Promise((res) => setTimeout(res, 20));
    const later = [2, 3, 4].map((i) => c.add(i));
    await new Promise((res) => setTimeout(res, 20));
    expect(r.runs).toEqual([[1]]);
    expect(c.waiting).toBe(3);
    r.release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(r.runs).toEqual([[1], [2, 3, 4]]);
  });

  it('a failed run rejects exactly its items; the next run goes on', async () => {
    const r = recorder((items) => items.includes(2));
    const c = new Coalescer(r.run, systemClock, { maxItems: 2, delayMs: 1 });
    const results = await Promise.allSettled([1, 2, 3].map((i) => c.add(i)));
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('run of 1,2 failed');
    expect(await c.add(4)).toBe(40);
  });

  it('a run that returns the wrong number of results rejects its items', async () => {
    const c = new Coalescer(async (items: number[]) => items.slice(1), systemClock, { maxItems: 10, delayMs: 1 });
    await expect(Promise.all([c.add(1), c.add(2)])).rejects.toThrow('coalesced run returned 1 results for 2 items');
  });

  it('refuses maxItems below 1', () => {
    expect(() => new Coalescer(async () => [], systemClock, { maxItems: 0, delayMs: 1 })).toThrow('maxItems must be >= 1, got 0');
  });
});
