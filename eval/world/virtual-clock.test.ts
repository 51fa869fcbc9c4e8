import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('fires timers in due order, ties in creation order, including timers set while firing', () => {
    const c = new VirtualClock(0);
    const seen: string[] = [];
    c.setTimeout(() => seen.push('b@20'), 20);
    c.setTimeout(() => {
      seen.push('a@10');
      c.setTimeout(() => seen.push('c@15'), 5);
    }, 10);
    c.setTimeout(() => seen.push('d@20'), 20);
    c.advanceTo(19);
    expect(seen).toEqual(['a@10', 'c@15']);
    expect(c.now()).toBe(19);
    c.advanceTo(100);
    expect(seen).toEqual(['a@10', 'c@15', 'b@20', 'd@20']);
  });

  it('does not fire cleared timers and never goes back in time', () => {
    const c = new VirtualClock(50);
    const h = c.setTimeout(() => {
      throw new Error('cleared');
    }, 10);
    c.clearTimeout(h);
    c.advanceTo(100);
    c.advanceTo(80);
    expect(c.now()).toBe(100);
    expect(c.pending).toBe(0);
  });
});
