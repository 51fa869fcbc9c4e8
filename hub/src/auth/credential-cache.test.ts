import { describe, expect, it } from 'vitest';
import { CredentialCache } from './credential-cache.ts';

describe('CredentialCache', () => {
  it('reuses a lookup (a miss too) for ttlMs of the clock, then asks again', async () => {
    let now = 0;
    let loads = 0;
    const cache = new CredentialCache<{ v: number }>(() => now, 1_000);
    const load = async () => (++loads % 2 === 1 ? { v: loads } : null);
    expect(await cache.get('a', load)).toEqual({ v: 1 });
    now = 999;
    expect(await cache.get('a', load)).toEqual({ v: 1 });
    now = 1_000;
    expect(await cache.get('a', load)).toBeNull();
    now = 1_500;
    expect(await cache.get('a', load)).toBeNull();
    expect(loads).toBe(2);
  });

  it('updates a kept value in place, forgets one key or all, and keeps nothing with ttlMs 0', async () => {
    const cache = new CredentialCache<{ seen: number }>(() => 0, 1_000);
    await cache.get('a', async () => ({ seen: 1 }));
    cache.update('a', (x) => ({ seen: x.seen + 1 }));
    expect(await cache.get('a', async () => ({ seen: 99 }))).toEqual({ seen: 2 });
    cache.forget('a');
    expect(await cache.get('a', async () => ({ seen: 3 }))).toEqual({ seen: 3 });
    cache.clear();
    expect(await cache.get('a', async () => ({ seen: 4 }))).toEqual({ seen: 4 });
    const off = new CredentialCache<{ seen: number }>(() => 0, 0);
    await off.get('a', async () => ({ seen: 1 }));
    expect(await off.get('a', async () => ({ seen: 2 }))).toEqual({ seen: 2 });
  });

  it('keeps at most maxKeys entries, dropping the oldest', async () => {
    const cache = new CredentialCache<number>(() => 0, 1_000, 2);
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(await cache.get('b', load)).toBe(2);
    expect(await cache.get('a', load)).toBe(4);
  });
});
