/**
 * Sign-in attempts per key (IP address + username) in a sliding minute, in memory: it
 * stops one client hammering one account, cheaply, before any password is hashed. Each
 * hub process counts its own; the lockout (in the database) is what holds across hubs.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts an attempt; returns 0 when allowed, else the milliseconds until one is. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const recent = (this.attempts.get(key) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.perMinute) {
      this.attempts.set(key, recent);
      return (recent[0] as number) + 60_000 - now;
    }
    recent.push(now);
    this.attempts.set(key, recent);
    return 0;
  }

  /** Drops keys idle for a minute, at most once a minute, so memory follows current traffic. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, times] of this.attempts) if ((times.at(-1) ?? 0) <= now - 60_000) this.attempts.delete(key);
  }
}
