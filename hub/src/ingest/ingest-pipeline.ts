import type { Clock } from '@ballast/common';
import type { BatchRecord, MetricsStore, SamplePart } from '../store/metrics-store.ts';

export interface IngestPipelineOptions {
  /** Flush as soon as this many points wait. */
  flushPoints: number;
  /** Flush at the latest this long after the first point arrived. */
  flushIntervalMs: number;
  /** Submissions wait (backpressure) while this many points are queued. */
  maxQueuedPoints: number;
  /** Backoff bounds for retrying a failed insert. */
  retryMinMs: number;
  retryMaxMs: number;
}

interface Pending {
  part: SamplePart;
  batch: BatchRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface IngestStats {
  queuedPoints: number;
  storedPoints: number;
  storedBatches: number;
  failedInserts: number;
  lastInsertMs: number;
  lastError: string | null;
}

/**
 * Coalesces agent batches into large inserts. A submission resolves only after its points
 * and its batch record are stored, which is when the hub may ack it. A failed insert is
 * retried with backoff for as long as the hub runs: nothing is acked that is not stored,
 * and while the store is down the queue fills and agents stop being acked (they buffer).
 */
export class IngestPipeline {
  private queue: Pending[] = [];
  private queuedPoints = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private readonly waiters: Array<() => void> = [];
  private stopped = false;
  readonly stats: IngestStats = {
    queuedPoints: 0,
    storedPoints: 0,
    storedBatches: 0,
    failedInserts: 0,
    lastInsertMs: 0,
    lastError: null,
  };

  constructor(
    private readonly store: MetricsStore,
    private readonly clock: Clock,
    private readonly options: IngestPipelineOptions,
  ) {}

  /** Resolves when the queue has room; callers await it before reading more from an agent. */
  async waitForSpace(): Promise<void> {
    while (this.queuedPoints >= this.options.maxQueuedPoints && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Queues points; the promise settles when they are stored (resolve) or can never be (reject). */
  submit(part: SamplePart, batch: BatchRecord): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('ingest pipeline is shut down'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ part, batch, resolve, reject });
      this.queuedPoints += part.block.length;
      this.stats.queuedPoints = this.queuedPoints;
      if (this.queuedPoints >= this.options.flushPoints) this.kick();
      else this.timer ??= this.clock.setTimeout(() => this.kick(), this.options.flushIntervalMs);
    });
  }

  /** Stores what is queued, then refuses new work; queued submissions that cannot be stored are rejected. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiters.splice(0)) w();
    // Store what is queued; once stopped, a failing insert rejects what it took instead of retrying.
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) {
        this.flushing = this.flushLoop().finally(() => {
          this.flushing = null;
        });
      }
      await this.flushing;
    }
    const rest = this.queue.splice(0);
    for (const p of rest) p.reject(new Error('hub is shutting down'));
  }

  private kick(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0 && !this.stopped) this.kick();
    });
  }

  private async flushLoop(): Promise<void> {
    const taken: Pending[] = [];
    let points = 0;
    while (this.queue.length > 0 && points < this.options.flushPoints * 2) {
      const p = this.queue.shift() as Pending;
      taken.push(p);
      points += p.part.block.length;
    }
    let delay = this.options.retryMinMs;
    for (;;) {
      const started = this.clock.now();
      try {
        await this.store.insertSamples(
          taken.map((p) => p.part),
          taken.map((p) => p.batch),
        );
        this.stats.lastInsertMs = this.clock.now() - started;
        this.stats.storedPoints += points;
        this.stats.storedBatches += taken.length;
        break;
      } catch (err) {
        this.stats.failedInserts += 1;
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        if (this.stopped) {
          for (const p of taken) p.reject(err);
          this.release(points);
          return;
        }
        await new Promise<void>((r) => this.clock.setTimeout(r, delay));
        delay = Math.min(delay * 2, this.options.retryMaxMs);
      }
    }
    this.release(points);
    for (const p of taken) p.resolve();
  }

  private release(points: number): void {
    this.queuedPoints -= points;
    this.stats.queuedPoints = this.queuedPoints;
    while (this.waiters.length > 0 && this.queuedPoints < this.options.maxQueuedPoints) this.waiters.shift()?.();
  }
}
