import type { Clock } from '@ballast/common';

/** What a probe found beyond "it answered": details to show, or why the component is degraded. */
export interface ProbeResult {
  detail?: Record<string, unknown>;
  /** Set when the component answers but is not well (a full queue, stale prices). */
  degraded?: string;
}

/**
 * One hub component's health check (ingest, store, solver, executor, catalog, …). It should
 * be cheap; it rejects when the component is down, and may report itself degraded.
 */
export interface ComponentProbe {
  name: string;
  check(): Promise<ProbeResult | undefined>;
}

export interface ComponentStatus {
  name: string;
  status: 'ok' | 'degraded' | 'down';
  /** How long the check took. */
  latencyMs: number;
  checkedAt: number;
  /** The latest failure or degradation, kept after recovery so a person can see what happened. */
  lastError: { message: string; at: number } | null;
  detail: Record<string, unknown>;
}

/**
 * Runs every probe (in parallel, each bounded by a timeout) and remembers each component's
 * last error. Latency is real elapsed time (the clock is for timestamps only).
 */
export class PipelineHealth {
  private readonly lastErrors = new Map<string, { message: string; at: number }>();
  private latest: { at: number; answer: Promise<ComponentStatus[]> } | null = null;

  /**
   * @param timeoutMs a probe not answering within it is down (default 2 s).
   * @param reuseMs callers within this long of a check share it (default 1 s), so many
   *   open consoles cost one round of probes per period.
   */
  constructor(
    private readonly probes: readonly ComponentProbe[],
    private readonly clock: Clock,
    private readonly timeoutMs = 2_000,
    private readonly reuseMs = 1_000,
  ) {}

  status(): Promise<ComponentStatus[]> {
    const now = this.clock.now();
    if (this.latest && now - this.latest.at < this.reuseMs) return this.latest.answer;
    const answer = Promise.all(this.probes.map((p) => this.run(p)));
    this.latest = { at: now, answer };
    return answer;
  }

  private async run(probe: ComponentProbe): Promise<ComponentStatus> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    let status: ComponentStatus['status'] = 'ok';
    let detail: Record<string, unknown> = {};
    try {
      const result = await Promise.race([probe.check(), timeout]);
      detail = result?.detail ?? {};
      if (result?.degraded) {
        status = 'degraded';
        this.lastErrors.set(probe.name, { message: result.degraded, at: this.clock.now() });
      }
    } catch (err) {
      status = 'down';
      this.lastErrors.set(probe.name, { message: (err as Error)?.message ?? String(err), at: this.clock.now() });
    } finally {
      clearTimeout(timer);
    }
    return {
      name: probe.name,
      status,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      checkedAt: this.clock.now(),
      lastError: this.lastErrors.get(probe.name) ?? null,
      detail,
    };
  }
}
