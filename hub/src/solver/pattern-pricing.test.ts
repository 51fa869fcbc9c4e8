import { describe, expect, it } from 'vitest';
import { bestPattern, type KnapsackItem } from './pattern-pricing.ts';

/** Every pattern by enumeration: the reference for small cases. */
function bruteForce(items: KnapsackItem[], cpu: number, mem: number): number {
  let best = 0;
  const walk = (i: number, c: number, m: number, v: number) => {
    if (i === items.length) {
      best = Math.max(best, v);
      return;
    }
    const it = items[i] as KnapsackItem;
    for (let k = 0; k <= it.max && k * it.cpu <= c && k * it.mem <= m; k++) walk(i + 1, c - k * it.cpu, m - k * it.mem, v + k * it.value);
  };
  walk(0, cpu, mem, 0);
  return best;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const item = (shape: number, value: number, cpu: number, mem: number, max = 10): KnapsackItem => ({ shape, value, cpu, mem, max });

describe('bestPattern (pricing knapsack)', () => {
  it('finds the hand-computed best node on a two-resource case', () => {
    // 2000m / 8 GiB node. A: 1000m/1 GiB worth 3; B: 500m/4 GiB worth 2.5; C: 250m/512 MiB worth 0.5.
    // 2A = 2000m/2 GiB → 6; A + 2B = 2000m/9 GiB (too much memory); A + B + 2C = 2000m/6 GiB → 6.5.
    const r = bestPattern([item(0, 3, 1000, 1024), item(1, 2.5, 500, 4096), item(2, 0.5, 250, 512)], 2000, 8192);
    expect(r.value).toBeCloseTo(6.5, 9);
    expect(r.counts).toEqual([1, 1, 2]);
    expect(r.exact).toBe(true);
  });

  it('respects per-item limits and skips items that do not fit a node', () => {
    const r = bestPattern([item(0, 1, 100, 100, 3), item(1, 50, 5000, 100)], 1000, 1000);
    expect(r.counts).toEqual([3, 0]);
    expect(r.value).toBe(3);
  });

  it('matches enumeration on random cases, with CPU- or memory-proportional values (the tie-heavy case) and mixed ones', () => {
    const rand = rng(7);
    for (let t = 0; t < 60; t++) {
      const n = 2 + Math.floor(rand() * 4);
      const mode = t % 3;
      const items = Array.from({ length: n }, (_, i) => {
        const cpu = [100, 250, 500, 1000, 1500][Math.floor(rand() * 5)] as number;
        const mem = [256, 512, 1024, 3072][Math.floor(rand() * 4)] as number;
        const value = mode === 0 ? cpu / 1000 : mode === 1 ? mem / 1024 : rand();
        return item(i, value, cpu, mem, 1 + Math.floor(rand() * 6));
      });
      const r = bestPattern(items, 3800, 7168);
      expect(r.value).toBeCloseTo(bruteForce(items, 3800, 7168), 9);
      // The counts found are a valid node worth what is claimed.
      let [cpu, mem, value] = [0, 0, 0];
      r.counts.forEach((k, i) => {
        const it = items[i] as KnapsackItem;
        cpu += k * it.cpu;
        mem += k * it.mem;
        value += k * it.value;
      });
      const used = [cpu, mem, value] as const;
      expect(used[0]).toBeLessThanOrEqual(3800);
      expect(used[1]).toBeLessThanOrEqual(7168);
      expect(used[2]).toBeCloseTo(r.value, 9);
      expect(r.upperBound).toBeGreaterThanOrEqual(r.value - 1e-12);
    }
  });

  it('with a target it only proves that nothing beats it, and says so in the upper bound', () => {
    const items = [item(0, 1, 1000, 1024), item(1, 1, 1000, 1024)];
    const r = bestPattern(items, 2000, 8192, { target: 5 });
    expect(r.exact).toBe(true);
    expect(r.upperBound).toBeLessThanOrEqual(5);
  });
});
