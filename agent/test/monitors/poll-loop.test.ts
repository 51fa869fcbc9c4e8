import type { Clock } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { PollLoop } from '../../src/monitors/poll-loop.ts';

/** Time that moves only when told to, and which a poll can move forward to "take" time. */
class FakeClock implements Clock {
  t = 0;
  private timers: { id: number; due: number; fn: () => void }[] = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ id, due: this.t + ms, fn });
    return id as unknown as ReturnType<typeof setTimeout>;
  };
  clearTimeout = (h: ReturnType<typeof setTimeout>) => {
    this.timers = this.timers.filter((x) => x.id !== (h as unknown as number));
  };
  async runUntil(target: number): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r)); // let finished polls schedule their next timer
      const next = this.timers.filter((x) => x.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = Math.max(this.t, target);
  }
}

function loop(clock: FakeClock, behaviour: { workMs?: number; ok?: (n: number) => boolean }, timing = {}) {
  const starts: number[] = [];
  const l = new PollLoop({
    clock,
    intervalMs: 100,
    retryMinMs: 100,
    retryMaxMs: 500,
    random: () => 0.999,
    ...timing,
    run: async () => {
      starts.push(clock.now());
      clock.t += behaviour.workMs ?? 0;
      return behaviour.ok ? behaviour.ok(starts.length) : true;
    },
  });
  return { l, starts };
}

describe('PollLoop', () => {
  it('polls at once, then on a fixed grid however long each poll takes (no drift)', async () => {
    const clock = new FakeClock();
    const { l, starts } = loop(clock, { workMs: 30 });
    l.start();
    await clock.runUntil(1_000);
    expect(starts).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
    await l.stop();
  });

  it('skips the deadlines an overrunning poll missed instead of bursting, and keeps the phase', async () => {
    const clock = new FakeClock();
    const { l, starts } = loop(clock, { workMs: 250 });
    l.start();
    await clock.runUntil(1_000);
    expect(starts).toEqual([0, 300, 600, 900]);
    await l.stop();
  });

  it('backs off while failing, never beyond retryMaxMs start-to-start, then returns to the interval', async () => {
    const clock = new FakeClock();
    const { l, starts } = loop(clock, { ok: (n) => n > 6 });
    l.start();
    await clock.runUntil(3_000);
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
    // Full-jitter ceilings with random≈1: 99, 199, 399, then capped just under 500.
    expect(gaps.slice(0, 6)).toEqual([99, 199, 399, 499, 499, 499]);
    expect(gaps.slice(6).every((g) => g === 100)).toBe(true);
    await l.stop();
  });

  it('measures the retry from the failed poll’s start, so a slow failure does not stretch the gap', async () => {
    const clock = new FakeClock();
    const { l, starts } = loop(clock, { workMs: 400, ok: () => false });
    l.start();
    await clock.runUntil(3_000);
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(500);
    await l.stop();
  });

  it('keeps polling when the wall clock steps back an hour mid-poll', async () => {
    const clock = new FakeClock();
    clock.t = 3_600_000;
    let stepped = false;
    const starts: number[] = [];
    const l = new PollLoop({
      clock,
      intervalMs: 100,
      retryMinMs: 100,
      retryMaxMs: 500,
      run: async () => {
        starts.push(clock.now());
        if (starts.length === 3 && !stepped) {
          stepped = true;
          clock.t -= 3_600_000;
        }
        return true;
      },
    });
    l.start();
    await clock.runUntil(3_600_200);
    await clock.runUntil(clock.t + 1_000);
    expect(starts.slice(3, 6)).toEqual([100, 200, 300].map((d) => (starts[2] as number) - 3_600_000 + d));
    await l.stop();
  });

  it('treats a poll that throws or rejects as a failure and keeps going', async () => {
    const clock = new FakeClock();
    let n = 0;
    const l = new PollLoop({
      clock,
      intervalMs: 100,
      retryMinMs: 100,
      retryMaxMs: 100,
      run: () => {
        n += 1;
        if (n % 2) throw new Error('sync boom');
        return Promise.reject(new Error('async boom'));
      },
    });
    l.start();
    await clock.runUntil(1_000);
    expect(n).toBeGreaterThanOrEqual(10);
    await l.stop();
  });

  it('stop is safe before start and twice, waits for the poll in flight, and nothing runs after', async () => {
    const clock = new FakeClock();
    await new PollLoop({ clock, intervalMs: 100, retryMinMs: 1, retryMaxMs: 1, run: async () => true }).stop();

    let release: () => void = () => {};
    let runs = 0;
    const l = new PollLoop({
      clock,
      intervalMs: 100,
      retryMinMs: 100,
      retryMaxMs: 100,
      run: () => {
        runs += 1;
        return new Promise<boolean>((r) => {
          release = () => r(true);
        });
      },
    });
    l.start();
    let stopped = false;
    const stopping = l.stop().then(() => {
      stopped = true;
    });
    await new Promise<void>((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await l.stop();
    await clock.runUntil(1_000);
    expect(runs).toBe(1);
    l.start(); // a stopped loop does not restart
    expect(runs).toBe(1);
  });

  it('refuses nonsense timing', () => {
    const clock = new FakeClock();
    expect(() => new PollLoop({ clock, intervalMs: 0, retryMinMs: 1, retryMaxMs: 1, run: async () => true })).toThrow(/interval/);
    expect(() => new PollLoop({ clock, intervalMs: 1, retryMinMs: 5, retryMaxMs: 1, run: async () => true })).toThrow(/retry/);
  });
});
