import type { Clock } from '@ballast/common';

export interface RefreshError {
  message: string;
  /** The CloudError or CatalogInputError code/name, when there is one. */
  code: string | null;
  at: number;
}

/** What the pipeline-status page shows for one refresh. */
export interface RefreshStatus {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  /** The latest failure; kept after a later success so the page can show it, with its time. */
  lastError: RefreshError | null;
  consecutiveFailures: number;
  nextRunAt: number | null;
  running: boolean;
}

export interface RefreshSchedule {
  everyMs: number;
  /** After a failure the next try comes sooner: min(everyMs, retryMs). */
  retryMs: number;
}

/**
 * Runs `work` now and then every `everyMs` on the injected clock, one run at a time: a
 * run asked for while one is in flight joins it. The next run is timed from the end of
 * the previous one, so a slow refresh never piles up behind itself.
 */
export class RefreshTask {
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private inFlight: Promise<boolean> | undefined;
  private stopped = true;
  private readonly state: RefreshStatus = {
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastError: null,
    consecutiveFailures: 0,
    nextRunAt: null,
    running: false,
  };

  constructor(
    private readonly clock: Clock,
    private readonly schedule: RefreshSchedule,
    private readonly work: () => Promise<void>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Starts the schedule with a run now; resolves when that first run ends (true if it succeeded). */
  start(): Promise<boolean> {
    this.stopped = false;
    return this.runNow();
  }

  /** Starts the schedule with the first run one period from now (for data loaded another way at start). */
  startLater(): void {
    this.stopped = false;
    if (this.inFlight || this.timer !== undefined) return;
    this.state.nextRunAt = this.clock.now() + this.schedule.everyMs;
    this.timer = this.clock.setTimeout(() => void this.runNow(), this.schedule.everyMs);
  }

  /** Runs now (or joins the run in flight); never rejects: failures land in status(). */
  runNow(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state.nextRunAt = null;
    this.state.running = true;
    this.state.lastAttemptAt = this.clock.now();
    this.inFlight = this.work().then(
      () => this.finish(true),
      (err: unknown) => {
        this.state.lastError = { message: err instanceof Error ? err.message : String(err), code: codeOf(err), at: this.clock.now() };
        this.onError(err);
        return this.finish(false);
      },
    );
    return this.inFlight;
  }

  /** Stops the schedule and waits for a run in flight; safe before start and twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state.nextRunAt = null;
    await this.inFlight;
  }

  /** Resolves when no run is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  status(): RefreshStatus {
    return { ...this.state, lastError: this.state.lastError && { ...this.state.lastError } };
  }

  private finish(ok: boolean): boolean {
    this.state.running = false;
    if (ok) {
      this.state.lastSuccessAt = this.clock.now();
      this.state.consecutiveFailures = 0;
    } else this.state.consecutiveFailures++;
    this.inFlight = undefined;
    if (!this.stopped) {
      const delay = ok ? this.schedule.everyMs : Math.min(this.schedule.everyMs, this.schedule.retryMs);
      this.state.nextRunAt = this.clock.now() + delay;
      this.timer = this.clock.setTimeout(() => void this.runNow(), delay);
    }
    return ok;
  }
}

function codeOf(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; name?: unknown };
  return typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : null;
}
