import { type Clock, type Logger, systemClock } from '@ballast/common';
import { type ImdsAnswer, ImdsError } from '../imds/imds-client.ts';
import type { Monitor, MonitorName } from './monitor.ts';
import { countError, emptyStats, type MonitorErrorReason, type MonitorStats } from './monitor-stats.ts';
import type { Notice, NoticeSink } from './notices.ts';
import { PollLoop } from './poll-loop.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

/** What a monitor needs of the IMDS client (an ImdsClient; a fake in unit tests). */
export interface ImdsGetter {
  get(path: string): Promise<ImdsAnswer>;
}

export interface ImdsMonitorOptions {
  imds: ImdsGetter;
  onNotice: NoticeSink;
  log: Logger;
  /** Schedules the polls and stamps detectedAtMs; the real clock in production. */
  clock?: Clock;
  intervalMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Window of the per-reason warning rate limit. */
  logWindowMs?: number;
}

/** Outcome of reading one answer: `ok: false` fails the poll (backoff); `notices` are keyed for deduplication. */
export interface Reading {
  ok: boolean;
  notices: { key: string; notice: Notice }[];
}

/**
 * The polling, error accounting and delivery every IMDS monitor shares; subclasses only say
 * which path and how to read its body. Nothing a poll meets escapes as an exception: each
 * problem is counted by reason and logged (rate-limited), and the loop goes on.
 */
export abstract class ImdsMonitor implements Monitor {
  abstract readonly name: MonitorName;
  readonly stats: MonitorStats = emptyStats();
  protected readonly clock: Clock;
  private readonly warnings: RateLimitedLog;
  /** Keys of notices delivered; one notice per key for the life of the process. */
  private readonly delivered = new Set<string>();
  private readonly loopTiming: { intervalMs: number; retryMinMs: number; retryMaxMs: number };
  private loop: PollLoop | null = null;
  private shutDown = false;

  protected constructor(
    protected readonly options: ImdsMonitorOptions,
    private readonly path: string,
    defaults: { intervalMs: number; retryMinMs: number; retryMaxMs: number },
  ) {
    this.clock = options.clock ?? systemClock;
    this.warnings = new RateLimitedLog(options.log, this.clock, options.logWindowMs);
    this.loopTiming = {
      intervalMs: options.intervalMs ?? defaults.intervalMs,
      retryMinMs: options.retryMinMs ?? defaults.retryMinMs,
      retryMaxMs: options.retryMaxMs ?? defaults.retryMaxMs,
    };
  }

  /** Reads a 200 answer's body. */
  protected abstract read(body: string): Reading;

  start(): void {
    if (this.loop || this.shutDown) return;
    this.loop = new PollLoop({ clock: this.clock, ...this.loopTiming, run: () => this.poll() });
    this.options.log.info('monitor started', { monitor: this.name, path: this.path, ...this.loopTiming });
    this.loop.start();
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    await this.loop?.stop();
  }

  /** Counts a problem by reason and warns (at most once per window per reason). */
  protected problem(reason: MonitorErrorReason, msg: string, fields: Record<string, unknown> = {}): void {
    countError(this.stats, reason);
    this.warnings.warn(reason, msg, { monitor: this.name, reason, count: this.stats.monitorErrors[reason], ...fields });
  }

  private async poll(): Promise<boolean> {
    const started = this.clock.now();
    this.stats.polls += 1;
    let answer: ImdsAnswer | null = null;
    try {
      answer = await this.options.imds.get(this.path);
    } catch (err) {
      const reason: MonitorErrorReason = err instanceof ImdsError && err.kind !== 'status' ? err.kind : 'unreachable';
      this.problem(reason, 'metadata service call failed', { path: this.path, err });
    }
    let ok = false;
    try {
      if (answer) ok = this.handle(answer);
    } catch (err) {
      // Readers validate before they touch anything, so this is a bug here, not IMDS: still never a crash.
      this.problem('bad-shape', 'could not read the metadata answer', { path: this.path, err });
    }
    const took = this.clock.now() - started;
    this.stats.lastPollDurationMs = took;
    this.stats.maxPollDurationMs = Math.max(this.stats.maxPollDurationMs, took);
    if (ok) {
      if (this.stats.consecutiveFailures > 0) {
        this.options.log.info('monitor recovered', { monitor: this.name, failedPolls: this.stats.consecutiveFailures });
        this.warnings.reset();
      }
      this.stats.consecutiveFailures = 0;
      this.stats.lastSuccessAtMs = this.clock.now();
    } else {
      this.stats.failedPolls += 1;
      this.stats.consecutiveFailures += 1;
    }
    return ok;
  }

  private handle(answer: ImdsAnswer): boolean {
    // 404 is IMDS saying "nothing here yet": the normal answer for every poll without a notice.
    if (answer.status === 404) return true;
    if (answer.status !== 200) {
      this.problem('http-status', 'metadata service answered an unusable status', { path: this.path, status: answer.status });
      return false;
    }
    const reading = this.read(answer.body);
    for (const { key, notice } of reading.notices) this.deliver(key, notice);
    return reading.ok;
  }

  private deliver(key: string, notice: Notice): void {
    // A poll that finished after shutdown began must not act: the owner has stopped listening.
    if (this.delivered.has(key) || this.shutDown) return;
    try {
      this.options.onNotice(notice);
    } catch (err) {
      // Not marked delivered: the next poll offers it again.
      this.problem('sink', 'notice consumer threw; will offer the notice again', { err, notice: notice.kind });
      return;
    }
    this.delivered.add(key);
    this.stats.notices += 1;
    this.options.log.info('notice', { monitor: this.name, ...notice });
  }

  /** Whether a notice with this key was already delivered: re-reading the same body is not news (nor a new problem). */
  protected isDelivered(key: string): boolean {
    return this.delivered.has(key);
  }

  /** JSON.parse that counts instead of throwing. */
  protected parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: JSON.parse(body) };
    } catch {
      this.problem('bad-json', 'metadata answer is not JSON', { path: this.path, body: body.slice(0, 200) });
      return { ok: false };
    }
  }
}
