import { type Clock, exponentialBackoff } from '@ballast/common';
import { sleep } from './clock-sleep.ts';
import { type ClusterApi, isClusterApiError } from './cluster-port.ts';
import { graceSecondsFor, type PlannedEviction } from './drain-plan.ts';
import type { DrainPolicy } from './drain-types.ts';

export type EvictionEnd =
  | { outcome: 'evicted'; graceSeconds: number; attempts: number }
  | { outcome: 'gone' }
  | { outcome: 'blocked'; pdbName?: string; message: string }
  | { outcome: 'failed'; message: string };

export interface EvictionContext {
  cluster: ClusterApi;
  clock: Clock;
  policy: DrainPolicy;
  deadlineMs: number;
  random: () => number;
  /** Bounds eviction requests in flight (policy.concurrency). */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** Called once, when the first request's answer has come back. */
  onFirstAnswer(): void;
  /** Called with the grace of the first attempt, before it is sent. */
  onEvicting(graceSeconds: number): void;
  /** Called once per pod, when a budget still refuses it and the deadline is near. */
  onBlockedNearDeadline(refusal: { pdbName?: string; message: string }, timeLeftMs: number): void;
}

/**
 * Evicts one pod, retrying budget refusals, throttling and unreachable API servers with
 * jittered exponential backoff until it is accepted or the deadline passes. The grace is
 * recomputed per attempt, so a pod let go late gets a shorter one that still fits.
 * "Near the deadline" is less than two retry ceilings left: at most a couple more attempts.
 */
export async function evictUntilDeadline(ctx: EvictionContext, planned: PlannedEviction): Promise<EvictionEnd> {
  const { cluster, clock, policy, deadlineMs } = ctx;
  const { namespace, name } = planned.ref;
  let warned = false;
  let last: { pdbName?: string; message: string } = { message: 'deadline passed before the first attempt' };
  for (let attempt = 0; clock.now() < deadlineMs; attempt++) {
    const graceSeconds = graceSecondsFor(planned.pod, clock.now(), deadlineMs, policy);
    if (attempt === 0) ctx.onEvicting(graceSeconds);
    let retryAfterMs: number | undefined;
    try {
      const res = await ctx.limit(() => cluster.evictPod(namespace, name, { gracePeriodSeconds: graceSeconds }));
      if (attempt === 0) ctx.onFirstAnswer();
      if (res.outcome === 'evicted') return { outcome: 'evicted', graceSeconds, attempts: attempt + 1 };
      if (res.outcome === 'not-found') return { outcome: 'gone' };
      last = res.pdbName ? { pdbName: res.pdbName, message: res.message } : { message: res.message };
      if (res.retryAfterSeconds !== undefined) retryAfterMs = res.retryAfterSeconds * 1000;
      const left = deadlineMs - clock.now();
      if (res.outcome === 'blocked-by-pdb' && !warned && left < 2 * policy.evictionRetryMaxMs) {
        warned = true;
        ctx.onBlockedNearDeadline(last, left);
      }
    } catch (err) {
      if (attempt === 0) ctx.onFirstAnswer();
      const message = err instanceof Error ? err.message : String(err);
      if (!isClusterApiError(err, 'unavailable')) return { outcome: 'failed', message };
      last = { message };
    }
    const backoff = exponentialBackoff(attempt, policy.evictionRetryMinMs, policy.evictionRetryMaxMs, ctx.random);
    const wait = Math.min(Math.max(backoff, retryAfterMs ?? 0), deadlineMs - clock.now());
    await sleep(clock, wait);
  }
  return { outcome: 'blocked', ...last };
}
