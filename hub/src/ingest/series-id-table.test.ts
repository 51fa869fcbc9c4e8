import { describe, expect, it } from 'vitest';
import type { SampleBlock } from '../store/metrics-store.ts';
import { SeriesIdTable } from './series-id-table.ts';

const block = (n: number): SampleBlock => ({
  length: n,
  seriesLo: new Uint32Array(n),
  seriesHi: new Uint32Array(n),
  timestampsMs: new Float64Array(n),
  values: new Float64Array(n),
});

describe('SeriesIdTable', () => {
  it('maps dense, grown and sparse ids; unknown ids are refused', () => {
    const t = new SeriesIdTable();
    t.set(1, 10, 11);
    t.set(5_000, 20, 21); // beyond the first capacity: grows
    t.set(2 ** 32 - 1, 30, 31); // sparse
    t.set(1, 12, 13); // redefinition replaces, does not count twice
    expect(t.size).toBe(3);
    const b = block(4);
    expect([t.fill(1, b, 0), t.fill(5_000, b, 1), t.fill(2 ** 32 - 1, b, 2), t.fill(2, b, 3)]).toEqual([true, true, true, false]);
    expect([...b.seriesLo]).toEqual([12, 20, 30, 0]);
    expect([...b.seriesHi]).toEqual([13, 21, 31, 0]);
    expect([t.has(0), t.has(1), t.has(4_999), t.has(2 ** 31), t.has(2 ** 32 - 1)]).toEqual([false, true, false, false, true]);
    expect(t.fill(1_000_000_000, b, 0)).toBe(false);
  });
});
