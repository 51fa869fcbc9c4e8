import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import { exponentialBackoff } from '@ballast/common';

type RetryStrategyV2 = Extract<NonNullable<EC2ClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

export interface RetryOptions {
  /** Requests per call, the first included (≥ 1). */
  maxAttempts: number;
  /** Backoff ceiling of the first retry after a 5xx or a network error. */
  baseDelayMs: number;
  /** Backoff ceiling of the first retry after throttling: EC2 asks clients to slow down more. */
  throttleBaseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 100, throttleBaseDelayMs: 1_000, maxDelayMs: 20_000 };

/**
 * Errors the SDK would retry as transient but that must surface at once: EC2 answers
 * InsufficientInstanceCapacity with a 500, yet retrying the same pool only delays the
 * switch to another one (Karpenter does not retry it either).
 */
const NEVER_RETRY = new Set(['InsufficientInstanceCapacity', 'InsufficientHostCapacity', 'InsufficientReservedInstanceCapacity']);

function token(count: number, delayMs: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delayMs };
}

/**
 * The SDK's retry hook, replaced so the client retries throttling and transient failures
 * with full-jitter backoff (common's exponentialBackoff) but never capacity refusals, and
 * so tests can shrink the delays. The middleware sleeps for the token's delay.
 */
export function cloudRetryStrategy(options: RetryOptions, random: () => number = Math.random): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
      const attempt = previous.getRetryCount() + 1;
      const name = (info.error as { name?: string } | undefined)?.name ?? '';
      const retryable = (info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT') && !NEVER_RETRY.has(name);
      if (!retryable || attempt >= options.maxAttempts) throw new Error('no retry');
      const base = info.errorType === 'THROTTLING' ? options.throttleBaseDelayMs : options.baseDelayMs;
      const delay = exponentialBackoff(attempt - 1, base, Math.max(base, options.maxDelayMs), random);
      return token(attempt, delay);
    },
    recordSuccess: () => undefined,
  };
}
