import { describe, expect, it } from 'vitest';
import { savingsColumns } from '../../src/lib/savings-data.ts';

const H = 3_600;
const DAY = 86_400;

describe('savings chart columns', () => {
  it('shows one hourly bucket as the last point of a day, the day before left empty', () => {
    const t = 1_800_000_000;
    expect(savingsColumns([{ name: 'total', points: [[t, 0.3, 0.15]] }], 'total')).toEqual([
      [t - DAY, t],
      [null, 0.3],
      [null, 0.15],
    ]);
  });

  it("puts each cluster's actual cost on the union of hours, with gaps where a cluster has no bucket", () => {
    const t = 1_800_000_000;
    const a = { name: 'a', points: Array.from({ length: 30 }, (_, i): [number, number, number] => [t + i * H, 2, 1]) };
    const b = { name: 'b', points: [[t + 29 * H, 5, 4]] as Array<[number, number, number]> };
    const [xs, ca, cb] = savingsColumns([a, b], 'cluster');
    expect(xs).toHaveLength(30);
    expect(ca?.every((v) => v === 1)).toBe(true);
    expect(cb?.slice(0, 29).every((v) => v === null)).toBe(true);
    expect(cb?.at(-1)).toBe(4);
  });

  it('answers empty columns for no data', () => {
    expect(savingsColumns([], 'cluster')).toEqual([[]]);
  });
});
