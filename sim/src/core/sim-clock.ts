import type { Clock } from '@ballast/common';

/** A clock whose time may run faster than real time. */
export interface SimClock extends Clock {
  readonly speed: number;
}

type Handle = ReturnType<typeof setTimeout>;

/**
 * Virtual time that runs `speed` times faster than real time from `startMs`. Timers fire
 * after `ms / speed` real milliseconds. Used by the running simulator.
 */
export class ScaledClock implements SimClock {
  private readonly realStart = Date.now();

  constructor(
    private readonly startMs: number,
    readonly speed: number,
  ) {
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
  }

  now(): number {
    return this.startMs + (Date.now() - this.realStart) * this.speed;
  }

  setTimeout(fn: () => void, ms: number): Handle {
    return setTimeout(fn, Math.max(0, ms / this.speed));
  }

  clearTimeout(handle: Handle): void {
    clearTimeout(handle);
  }
}

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * Time that moves only when told to (`advance`). Timers fire in due-time order, then in
 * the order they were set, so a run is exactly repeatable. Used by tests and replays.
 */
export class ManualClock implements SimClock {
  readonly speed = Number.POSITIVE_INFINITY;
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Handle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id as unknown as Handle;
  }

  clearTimeout(handle: Handle): void {
    const id = handle as unknown as number;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promise callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.due;
      next.fn();
      await new Promise<void>((r) => setImmediate(r));
    }
    this.current = target;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
