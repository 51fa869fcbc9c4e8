import { clamp01, finite } from './checks.ts';
import { invalidInput } from './scoring-error.ts';
import type { WorkloadFit } from './shape-fit.ts';

export interface CapacityParameters {
  /** After a failed launch the pool is avoided this long (Karpenter: 3 minutes). */
  cooldownSeconds: number;
  /** Failures within this long before now lower the factor once the cool-down is over. */
  failureLookbackSeconds: number;
  /** What each failure in the lookback takes off the availability (0–1). */
  failurePenalty: number;
}

export interface CapacityFactor {
  score: number;
  fit: WorkloadFit;
  /** 0 during a cool-down; else 1 − min(1, recentFailures × failurePenalty). */
  availability: number;
  /** Set while a failure's cool-down runs: the pool must not be launched into before this time. */
  avoidUntilMs: number | null;
  inputs: {
    nowMs: number;
    lastFailureMs: number | null;
    /** Failures within the lookback window before now. */
    recentFailures: number;
  };
}

/**
 * The capacity factor (0–1): fit × availability.
 *   fit          = workloadFit().score, how well the shapes pack onto the type;
 *   availability = 0 while now − lastFailure < cooldown (the pool is avoided: `avoidUntilMs`
 *                  = lastFailure + cooldown), else 1 − min(1, n × failurePenalty) with n the
 *                  failures in (now − lookback, now].
 * A product, not a sum: a pool that cannot launch is worth nothing however well it fits.
 * The boundary is exclusive, as in Karpenter's unavailable-offerings cache: with a 180 s
 * cool-down a failure at t is avoided at t + 179 s and usable again at t + 180 s.
 * A failure time after `now` (clock skew between hub replicas) counts as just failed.
 *
 * `nowMs` is passed in (the injected clock), never read from the system.
 * Errors (INVALID_INPUT): a non-finite nowMs; a non-finite failure time (`at[i]`).
 */
export function capacityFactor(
  fit: WorkloadFit,
  launchFailuresMs: readonly number[],
  params: CapacityParameters,
  nowMs: number,
  at = 'observations.launchFailuresMs',
): CapacityFactor {
  finite(nowMs, 'now');
  if (!Array.isArray(launchFailuresMs)) throw invalidInput(at, 'must be an array of times (ms since epoch)');
  const cooldownMs = params.cooldownSeconds * 1000;
  const lookbackMs = params.failureLookbackSeconds * 1000;
  let lastFailureMs: number | null = null;
  let recentFailures = 0;
  launchFailuresMs.forEach((t, i) => {
    const time = finite(t, `${at}[${i}]`);
    lastFailureMs = lastFailureMs === null ? time : Math.max(lastFailureMs, time);
    if (nowMs - time < lookbackMs) recentFailures++;
  });
  const last = lastFailureMs as number | null;
  const cooling = last !== null && nowMs - last < cooldownMs;
  const availability = cooling ? 0 : clamp01(1 - recentFailures * params.failurePenalty);
  return {
    score: clamp01(fit.score * availability),
    fit,
    availability,
    avoidUntilMs: cooling && last !== null ? last + cooldownMs : null,
    inputs: { nowMs, lastFailureMs: last, recentFailures },
  };
}
