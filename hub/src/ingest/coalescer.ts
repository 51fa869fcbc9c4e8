import type { Clock } from '@ballast/common';

export interface CoalescerOptions {
  /** A run takes at most this many items; the rest wait for the next run. */
  maxItems: number;
  /** How long the first item of a run waits for company before the run starts. */
  delayMs: number;
}

/**
 * Turns many small store calls into few large ones. `add` queues an item and settles with
 * that item's result once the run that carried it is done. At most one run is in flight;
 * items arriving meanwhile form the next run, so under load runs grow by themselves.
 *
 * Why: a hub that 5,000 agents connect to at once would otherwise make ~4 store calls per
 * agent (ledger read, agent row, series rows), each a new part in ClickHouse — thousands
 * of tiny inserts that starve the sample inserts and trip the too-many-parts brakes.
 *
 * A failed run rejects every item it carried with the run's error; it is not retried here
 * (the callers' callers — agent streams — retry by reconnecting).
 */
export class Coalescer<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (err: unknown) => void }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  /** `run` gets the items of one run and returns one result per item, in order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly clock: Clock,
    private readonly options: CoalescerOptions,
  ) {
    if (!(options.maxItems >= 1)) throw new RangeError(`maxItems must be >= 1, got ${options.maxItems}`);
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items queued and not yet taken by a run. */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxItems) {
      this.start();
      return;
    }
    this.timer ??= this.clock.setTimeout(() => this.start(), this.options.delayMs);
  }

  private start(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const taken = this.queue.splice(0, this.options.maxItems);
    void this.execute(taken).finally(() => {
      this.running = false;
      this.schedule();
    });
  }

  private async execute(taken: Coalescer<T, R>['queue']): Promise<void> {
    try {
      const results = await this.run(taken.map((t) => t.item));
      if (results.length !== taken.length) throw new Error(`coalesced run returned ${results.length} results for ${taken.length} items`);
      for (const [i, t] of taken.entries()) t.resolve(results[i] as R);
    } catch (err) {
      for (const t of taken) t.reject(err);
    }
  }
}
