/**
 * The engine's memory of risk over time, which the scores alone do not have: since when a
 * pool (or an instance type, key `type:<name>`) has been calm, and when it last was above the
 * fallback threshold. Reverting to spot waits until the target has been calm for a while:
 * the hysteresis that keeps the fleet from flapping between spot and on-demand when a
 * pool's risk hovers near a threshold.
 *
 * Three states per key, from the scorer's two thresholds (fallback above, calm below):
 * risky, calm, or in between. In between holds no "calm since": a pool must drop below the
 * calm threshold, not merely under the fallback one, before its calm time starts counting.
 */
export interface RiskFlags {
  key: string;
  /** Above the fallback threshold. */
  risky: boolean;
  /** Below the calm threshold. */
  calm: boolean;
}

interface KeyState {
  risky: boolean;
  calmSinceMs: number | null;
  lastRiskyMs: number | null;
}

export class RiskTracker {
  private readonly keys = new Map<string, KeyState>();
  private lastFallbackMs: number | null = null;

  /** Records the flags seen at `nowMs`. Keys not mentioned keep their state. */
  observe(nowMs: number, flags: Iterable<RiskFlags>): void {
    for (const f of flags) {
      const s = this.keys.get(f.key) ?? { risky: false, calmSinceMs: null, lastRiskyMs: null };
      s.risky = f.risky;
      if (f.risky) s.lastRiskyMs = nowMs;
      if (f.calm && !f.risky) s.calmSinceMs ??= nowMs;
      else s.calmSinceMs = null;
      this.keys.set(f.key, s);
    }
  }

  /** Records that a fallback to on-demand was decided: every revert waits a full calm period after it. */
  fallbackDecided(nowMs: number): void {
    this.lastFallbackMs = Math.max(this.lastFallbackMs ?? nowMs, nowMs);
  }

  isRisky(key: string): boolean {
    return this.keys.get(key)?.risky ?? false;
  }

  /** How long the key has been calm without a break; 0 when it is not calm or was never seen. */
  calmForMs(key: string, nowMs: number): number {
    const since = this.keys.get(key)?.calmSinceMs ?? null;
    return since === null ? 0 : Math.max(0, nowMs - since);
  }

  /** Since the last fallback decision; Infinity when there was none. */
  sinceLastFallbackMs(nowMs: number): number {
    return this.lastFallbackMs === null ? Number.POSITIVE_INFINITY : Math.max(0, nowMs - this.lastFallbackMs);
  }

  /**
   * Whether going back to spot in this pool is allowed: the pool and its type calm for at
   * least `calmMs`, and no fallback decided within `calmMs`.
   */
  revertAllowed(poolKey: string, typeKey: string, nowMs: number, calmMs: number): boolean {
    return (
      this.calmForMs(poolKey, nowMs) >= calmMs && this.calmForMs(typeKey, nowMs) >= calmMs && this.sinceLastFallbackMs(nowMs) >= calmMs
    );
  }
}

export function typeKey(instanceType: string): string {
  return `type:${instanceType}`;
}
