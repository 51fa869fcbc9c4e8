import type { Clock } from '@ballast/common';

/** Waits `ms` on the injected clock, so a drain under a ScaledClock or ManualClock runs in virtual time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Runs at most `limit` of the given tasks at a time; no limit when undefined. */
export function createLimiter(limit: number | undefined): <T>(task: () => Promise<T>) => Promise<T> {
  if (limit === undefined || !Number.isFinite(limit)) return (task) => task();
  if (limit < 1) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  let active = 0;
  const queue: Array<() => void> = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (active >= limit) await new Promise<void>((r) => queue.push(r));
    else active += 1;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
