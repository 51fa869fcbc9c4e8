import { describe, expect, it } from 'vitest';
import type { SeriesRecord, SeriesSelector } from './metrics-store.ts';
import { SeriesCache } from './series-cache.ts';

const record = (id: bigint, over: Partial<SeriesRecord> = {}): SeriesRecord => ({
  id,
  tenant: 't',
  cluster: 'c',
  node: 'n',
  metric: 'm',
  labels: {},
  kind: 'gauge',
  unit: '',
  ...over,
});
const selector = (over: Partial<SeriesSelector> = {}): SeriesSelector => ({ tenant: 't', metric: 'm', matchers: [], limit: 10, ...over });

/** A loader that counts its calls and answers what `rows` holds at call time. */
function loader(rows: SeriesRecord[]) {
  const calls = { n: 0 };
  const load = () => {
    calls.n += 1;
    return Promise.resolve([...rows]);
  };
  return { calls, load };
}

describe('SeriesCache', () => {
  it('answers a repeated selector from memory, each caller with its own array', async () => {
    const cache = new SeriesCache();
    const { calls, load } = loader([record(1n)]);
    const a = await cache.find(selector(), load);
    a.push(record(9n));
    expect(await cache.find(selector(), load)).toEqual([record(1n)]);
    expect(calls.n).toBe(1);
    // Matchers, limit, tenant and metric are all part of the key.
    await cache.find(selector({ matchers: [{ label: 'node', op: '=', value: 'n' }] }), load);
    await cache.find(selector({ matchers: [{ label: 'node', op: '!=', value: 'n' }] }), load);
    await cache.find(selector({ limit: 11 }), load);
    await cache.find(selector({ tenant: 'u' }), load);
    await cache.find(selector({ metric: 'x' }), load);
    expect(calls.n).toBe(6);
  });

  it('a series of the same tenant and metric invalidates; other scopes stay cached', async () => {
    const cache = new SeriesCache();
    const rows = [record(1n)];
    const { calls, load } = loader(rows);
    await cache.find(selector(), load);
    await cache.find(selector({ metric: 'x' }), load);
    cache.invalidate([record(5n, { metric: 'other' }), record(6n, { tenant: 'u' })]);
    await cache.find(selector(), load);
    expect(calls.n).toBe(2);
    rows.push(record(2n));
    cache.invalidate([record(2n)]);
    expect(await cache.find(selector(), load)).toEqual([record(1n), record(2n)]);
    await cache.find(selector({ metric: 'x' }), load);
    expect(calls.n).toBe(3);
  });

  it('does not keep a lookup that ran while its scope was written, nor a failed one', async () => {
    const cache = new SeriesCache();
    let release: (rows: SeriesRecord[]) => void = () => undefined;
    const slow = () => new Promise<SeriesRecord[]>((r) => (release = r));
    const pending = cache.find(selector(), slow);
    cache.invalidate([record(2n)]);
    release([record(1n)]);
    expect(await pending).toEqual([record(1n)]);
    const { calls, load } = loader([record(1n), record(2n)]);
    expect(await cache.find(selector(), load)).toEqual([record(1n), record(2n)]);
    expect(calls.n).toBe(1);

    const failing = () => Promise.reject(new Error('regex'));
    await expect(cache.find(selector({ limit: 3 }), failing)).rejects.toThrow('regex');
    await expect(cache.find(selector({ limit: 3 }), load)).resolves.toHaveLength(2);
  });

  it('concurrent lookups of one selector share one load', async () => {
    const cache = new SeriesCache();
    const { calls, load } = loader([record(1n)]);
    const both = await Promise.all([cache.find(selector(), load), cache.find(selector(), load)]);
    expect(both).toEqual([[record(1n)], [record(1n)]]);
    expect(calls.n).toBe(1);
  });

  it('keeps at most maxEntries selectors and maxRecords records, dropping the least recently used', async () => {
    const cache = new SeriesCache({ maxEntries: 2, maxRecords: 3 });
    const { calls, load } = loader([record(1n)]);
    await cache.find(selector({ limit: 1 }), load);
    await cache.find(selector({ limit: 2 }), load);
    await cache.find(selector({ limit: 1 }), load); // used again: now the newest
    await cache.find(selector({ limit: 3 }), load); // evicts limit 2
    expect(cache.size).toBe(2);
    expect(calls.n).toBe(3);
    await cache.find(selector({ limit: 1 }), load);
    expect(calls.n).toBe(3);
    await cache.find(selector({ limit: 2 }), load);
    expect(calls.n).toBe(4);
    // An answer larger than maxRecords is never kept.
    const big = loader([record(1n), record(2n), record(3n), record(4n)]);
    await cache.find(selector({ limit: 9 }), big.load);
    await cache.find(selector({ limit: 9 }), big.load);
    expect(big.calls.n).toBe(2);
  });
});
