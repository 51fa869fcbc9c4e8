import { type Clock, exponentialBackoff } from '@ballast/common';

export interface PollLoopOptions {
  clock: Clock;
  /** Start-to-start period while polls succeed. */
  intervalMs: number;
  /** First retry after a failed poll waits about this long (jittered, from half of it). */
  retryMinMs: number;
  /** Ceiling on the start-to-start gap while failing: the spot monitor keeps this ≤ 5 s. */
  retryMaxMs: number;
  /** One poll; resolves true when it succeeded. Must not reject (a rejection counts as a failure). */
  run: () => Promise<boolean>;
  random?: () => number;
}

/**
 * Runs `run` on a fixed grid of deadlines (start, start + interval, …) rather than sleeping an
 * interval after each poll, so the time a poll takes does not add up into drift. One poll at a
 * time: a poll that overruns skips the deadlines it missed instead of firing them in a burst
 * at a metadata service that is already slow. Failures move to a jittered backoff measured
 * from the failed poll's start, capped at retryMaxMs; the first success returns to the grid.
 */
export class PollLoop {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private dueMs = 0;
  private failures = 0;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: PollLoopOptions) {
    if (!(options.intervalMs > 0)) throw new Error(`poll interval must be > 0, got ${options.intervalMs}`);
    if (!(options.retryMaxMs >= options.retryMinMs && options.retryMinMs > 0)) {
      throw new Error(`poll retry bounds must satisfy 0 < min ≤ max, got ${options.retryMinMs}..${options.retryMaxMs}`);
    }
  }

  /** Polls at once (a notice already present at start-up is found without waiting an interval), then on the grid. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.dueMs = this.options.clock.now();
    this.tick();
  }

  /** Stops scheduling and waits for a poll in flight; safe before start and repeatable. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  private tick(): void {
    this.timer = null;
    if (this.state !== 'running') return;
    const started = this.options.clock.now();
    // Wrapped so a run() that throws synchronously is a failed poll too, never an uncaught exception in a timer.
    this.inFlight = new Promise<boolean>((resolve) => resolve(this.options.run()))
      .catch(() => false)
      .then((ok) => {
        this.inFlight = null;
        if (this.state !== 'running') return;
        this.scheduleAfter(ok, started);
      });
  }

  private scheduleAfter(ok: boolean, startedMs: number): void {
    const { clock, intervalMs, retryMinMs, retryMaxMs, random } = this.options;
    const now = clock.now();
    if (ok) {
      this.failures = 0;
      // Next grid point strictly after now: missed points are skipped, the phase is kept.
      const missed = Math.floor(Math.max(0, now - this.dueMs) / intervalMs);
      this.dueMs += (missed + 1) * intervalMs;
    } else {
      const delay = Math.min(retryMaxMs, exponentialBackoff(this.failures, retryMinMs, retryMaxMs, random));
      this.failures += 1;
      this.dueMs = Math.max(now, startedMs + delay);
    }
    // A wall clock stepped backwards (NTP at boot) would put the next deadline far ahead and
    // silence the monitor for the size of the step; no gap is ever longer than the longest we plan.
    const longest = ok ? intervalMs : retryMaxMs;
    if (this.dueMs - now > longest) this.dueMs = now + longest;
    this.timer = clock.setTimeout(() => this.tick(), Math.max(0, this.dueMs - now));
  }
}
