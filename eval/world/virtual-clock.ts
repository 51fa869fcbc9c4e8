import type { Clock } from '@ballast/common';

type Handle = ReturnType<typeof setTimeout>;

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * Virtual time for the replay: it moves only through advanceTo(), firing due timers in
 * (due time, creation order) — the same order as the simulator's ManualClock — but
 * synchronously and from a binary heap, since a 60-day replay sets hundreds of thousands of
 * timers and cannot await a turn of the event loop for each.
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private heap: Timer[] = [];
  private readonly cancelled = new Set<number>();

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Handle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.push(timer);
    return timer.id as unknown as Handle;
  }

  clearTimeout(handle: Handle): void {
    this.cancelled.add(handle as unknown as number);
  }

  /** Moves time to `targetMs`, firing every timer due by then (timers set while firing included). */
  advanceTo(targetMs: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.due > targetMs) break;
      this.pop();
      if (this.cancelled.delete(top.id)) continue;
      this.current = Math.max(this.current, top.due);
      top.fn();
    }
    this.current = Math.max(this.current, targetMs);
  }

  get pending(): number {
    return this.heap.length - this.cancelled.size;
  }

  private before(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i] as Timer, h[p] as Timer)) break;
      [h[i], h[p]] = [h[p] as Timer, h[i] as Timer];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l] as Timer, h[m] as Timer)) m = l;
      if (r < h.length && this.before(h[r] as Timer, h[m] as Timer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
      i = m;
    }
  }
}
