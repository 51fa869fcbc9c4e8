import { describe, expect, it } from 'vitest';
import { SequenceLedger } from './sequence-ledger.ts';

const fresh = () => new SequenceLedger({ contiguous: 0n, above: [] });

describe('SequenceLedger', () => {
  it('advances the watermark over contiguous completions', () => {
    const l = fresh();
    expect(l.watermark).toBe(0n);
    l.markDone(1n);
    l.markDone(2n);
    expect(l.watermark).toBe(2n);
    expect(l.isDone(2n)).toBe(true);
    expect(l.isDone(3n)).toBe(false);
  });

  it('handles out-of-order completion: done above a gap, watermark jumps when the gap fills', () => {
    const l = fresh();
    l.markDone(3n);
    l.markDone(5n);
    expect(l.watermark).toBe(0n);
    expect([1n, 2n, 3n, 4n, 5n, 6n].map((s) => l.isDone(s))).toEqual([false, false, true, false, true, false]);
    l.markDone(1n);
    expect(l.watermark).toBe(1n);
    l.markDone(2n);
    expect(l.watermark).toBe(3n);
    l.markDone(4n);
    expect(l.watermark).toBe(5n);
  });

  it('ignores marking something at or below the watermark', () => {
    const l = new SequenceLedger({ contiguous: 10n, above: [] });
    l.markDone(3n);
    l.markDone(10n);
    expect(l.watermark).toBe(10n);
    l.markDone(11n);
    expect(l.watermark).toBe(11n);
  });

  it('starts from stored progress: contiguous plus the set above it', () => {
    const l = new SequenceLedger({ contiguous: 2n, above: [4n, 7n] });
    expect(l.watermark).toBe(2n);
    expect([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((s) => l.isDone(s))).toEqual([true, true, false, true, false, false, true, false]);
    l.markDone(3n);
    expect(l.watermark).toBe(4n);
    l.markDone(6n);
    l.markDone(5n);
    expect(l.watermark).toBe(7n);
  });

  it('compacts stored progress whose `above` continues the contiguous run', () => {
    const l = new SequenceLedger({ contiguous: 2n, above: [3n, 4n, 6n] });
    expect(l.watermark).toBe(4n);
    expect(l.isDone(5n)).toBe(false);
    expect(l.isDone(6n)).toBe(true);
  });

  it('track: pending while running, done after success, pendingFor cleared', async () => {
    const l = fresh();
    let finish!: () => void;
    const work = new Promise<void>((r) => {
      finish = r;
    });
    const tracked = l.track(1n, work);
    expect(l.pendingFor(1n)).toBe(tracked);
    expect(l.pendingFor(2n)).toBeUndefined();
    expect(l.isDone(1n)).toBe(false);
    finish();
    await tracked;
    expect(l.isDone(1n)).toBe(true);
    expect(l.watermark).toBe(1n);
    expect(l.pendingFor(1n)).toBeUndefined();
  });

  it('track: a failure leaves the sequence not done, clears pending and rethrows', async () => {
    const l = fresh();
    const err = new Error('insert failed');
    const tracked = l.track(1n, Promise.reject(err));
    expect(l.pendingFor(1n)).toBe(tracked);
    await expect(tracked).rejects.toBe(err);
    expect(l.isDone(1n)).toBe(false);
    expect(l.watermark).toBe(0n);
    expect(l.pendingFor(1n)).toBeUndefined();
    // A retry may succeed afterwards.
    await l.track(1n, Promise.resolve());
    expect(l.watermark).toBe(1n);
  });
});
