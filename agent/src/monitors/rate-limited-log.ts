import type { Clock, Logger } from '@ballast/common';

/**
 * Warns at most once per window per key. A metadata service that fails every second would
 * otherwise write 86,400 identical lines a day; each line that does get out says how many
 * were held back since the last one, so nothing is silently lost from the count.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly windowMs = 30_000,
  ) {}

  warn(key: string, msg: string, fields: Record<string, unknown> = {}): void {
    const now = this.clock.now();
    const seen = this.last.get(key);
    if (seen && now - seen.atMs < this.windowMs) {
      seen.suppressed += 1;
      return;
    }
    this.last.set(key, { atMs: now, suppressed: 0 });
    this.log.warn(msg, seen?.suppressed ? { ...fields, suppressed: seen.suppressed } : fields);
  }

  /** Forgets the window, so the next problem after a recovery is reported at once. */
  reset(): void {
    this.last.clear();
  }
}
