import type { Clock } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

function manualClock() {
  let now = 0;
  const clock: Clock = { now: () => now, setTimeout: () => 0 as never, clearTimeout: () => {} };
  const advance = (ms: number) => {
    now += ms;
  };
  return { clock, advance };
}

describe('TtlCache', () => {
  it('shares one computation among concurrent callers and reuses it until it expires', async () => {
    const { clock, advance } = manualClock();
    const cache = new TtlCache<number>(clock, 1_000);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await Promise.all([cache.get('k', compute), cache.get('k', compute)])).toEqual([1, 1]);
    advance(999);
    expect(await cache.get('k', compute)).toBe(1);
    advance(1);
    expect(await cache.get('k', compute)).toBe(2);
    expect(await cache.get('other', compute)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const { clock } = manualClock();
    const cache = new TtlCache<number>(clock, 1_000);
    await expect(cache.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 7)).toBe(7);
  });

  it('evicts the oldest key beyond its bound', async () => {
    const { clock } = manualClock();
    const cache = new TtlCache<string>(clock, 1_000, 2);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('c', async () => 'c1');
    expect(await cache.get('a', async () => 'a2')).toBe('a2');
    expect(await cache.get('c', async () => 'c2')).toBe('c1');
  });
});
