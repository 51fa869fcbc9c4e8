import type { Clock, Logger } from '@ballast/common';
import type { OverrideService } from './override-service.ts';

/**
 * Notices overrides that expired (on the injected clock) or were lifted, and has each
 * one's revert-to-spot job started once. Start/Shutdown lifecycle; Shutdown is safe before
 * Start and twice.
 */
export class OverrideSweeper {
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly service: OverrideService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly everyMs = 60_000,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.arm();
  }

  /** One sweep now; resolves with the reverts it started. */
  async sweepNow() {
    const run = this.service.sweep();
    this.running = run.catch(() => undefined);
    return run;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.sweepNow()
        .then((jobs) => {
          if (jobs.length > 0) this.log.info('overrides ended: revert jobs started', { jobs: jobs.map((j) => j.id) });
        })
        .catch((err) => this.log.warn('override sweep failed; trying again at the next tick', { err }))
        .finally(() => {
          if (!this.stopped) this.arm();
        });
    }, this.everyMs);
  }
}
