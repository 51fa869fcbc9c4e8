import { getHeapStatistics } from 'node:v8';
import { HEAP_BYTES_PER_POINT } from './batch-buffer.ts';

/** What the limiter needs of a store: its size and a way to give up its oldest batch. */
export interface Sheddable {
  readonly size: number;
  readonly pointCount: number;
  /** Removes the oldest batch and returns its points; undefined when empty. */
  shedOldest(): number | undefined;
}

export interface MemoryLimiterOptions {
  /** 0 turns the limiter off. */
  limitBytes: number;
  /** Heap in use now; default V8's used heap size (cheap: no /proc read, unlike process.memoryUsage). */
  heapUsed?: () => number;
}

/**
 * Keeps the agent under a memory limit while the hub is unreachable and the in-memory store
 * grows: after each add, when the footprint (the store's estimated bytes, or the heap in use
 * if larger) is over the limit, the OLDEST un-acked batches are shed until the estimate
 * covers the excess, and counted. The newest batch is never shed.
 *
 * Heap used includes garbage not yet collected, so the limit should sit well above the
 * agent's steady heap (~80% of the container limit); each check sheds only as much as the
 * excess by the store's estimate, so a heap grown for other reasons costs no more than that.
 * Off by default: processes that host many agents (the simulator) share one heap. Not
 * needed for the disk store, which holds only an index in memory.
 */
export class MemoryLimiter {
  shedBatches = 0;
  shedPoints = 0;
  private readonly heapUsed: () => number;

  constructor(
    private readonly store: Sheddable,
    private readonly options: MemoryLimiterOptions,
  ) {
    this.heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size);
  }

  get enabled(): boolean {
    return this.options.limitBytes > 0;
  }

  /** Call after each add. Returns how many batches were shed. */
  check(): number {
    if (!this.enabled) return 0;
    const storeBytes = this.store.pointCount * HEAP_BYTES_PER_POINT;
    let excess = Math.max(storeBytes, this.heapUsed()) - this.options.limitBytes;
    let shed = 0;
    while (excess > 0 && this.store.size > 1) {
      const points = this.store.shedOldest();
      if (points === undefined) break;
      shed += 1;
      this.shedBatches += 1;
      this.shedPoints += points;
      excess -= points * HEAP_BYTES_PER_POINT;
    }
    return shed;
  }
}
