import { clamp01, linearPenalty, nonNegative } from './checks.ts';
import type { PerformanceObservations } from './pool-inputs.ts';
import { invalidInput } from './scoring-error.ts';

export interface PerformanceParameters {
  /** The factor when there is no metric at all (a pool this fleet has not run on yet). */
  neutral: number;
  /** CPU steal (percent) at which the steal score reaches 0. */
  cpuStealCeilingPct: number;
  /** Throttled-periods ratio at which the throttling score reaches 0. */
  cpuThrottlingCeiling: number;
  /** Latency ratio vs the fleet median at which the latency score reaches 0 (> 1). */
  latencyRatioCeiling: number;
  /** Error-rate ratio vs the fleet median at which the error score reaches 0 (> 1). */
  errorRateRatioCeiling: number;
}

export interface PerformanceFactor {
  score: number;
  /** Each component's score; null where the metric is missing. */
  components: {
    cpuSteal: number | null;
    cpuThrottling: number | null;
    latency: number | null;
    errorRate: number | null;
  };
  /** True when no metric was given and `score` is the neutral value. */
  neutral: boolean;
  inputs: Required<{ [K in keyof PerformanceObservations]: number | null }>;
}

/**
 * The performance factor (0–1, higher is better), from agent metrics:
 *   steal      = 1 − min(1, steal% / stealCeiling)          (noisy neighbours on the host)
 *   throttling = 1 − min(1, ratio / throttlingCeiling)       (the same limits throttle more on slower cores)
 *   latency    = 1 − clamp((r − 1) / (latencyCeiling − 1))   (r = pool ÷ fleet median; at or below the median: 1)
 *   errorRate  = the same with the error-rate ratio
 *   score = the mean of the components present; `neutral` when none is.
 * Ratios below 1 do not score above 1: being faster than the median is not a reason to pay
 * more, and the median itself moves with the fleet.
 *
 * Errors (INVALID_INPUT, under `at`): a metric that is negative or not finite; steal above
 * 100 %; a throttling ratio above 1.
 */
export function performanceFactor(
  observations: PerformanceObservations | undefined,
  params: PerformanceParameters,
  at = 'observations.performance',
): PerformanceFactor {
  const o = observations ?? {};
  const steal = optional(o.cpuStealPct, `${at}.cpuStealPct`);
  if (steal !== null && steal > 100) throw invalidInput(`${at}.cpuStealPct`, `must be a percentage within [0, 100] (got ${steal})`);
  const throttling = optional(o.cpuThrottlingRatio, `${at}.cpuThrottlingRatio`);
  if (throttling !== null && throttling > 1) throw invalidInput(`${at}.cpuThrottlingRatio`, `must be within [0, 1] (got ${throttling})`);
  const latency = optional(o.latencyRatio, `${at}.latencyRatio`);
  const errorRate = optional(o.errorRateRatio, `${at}.errorRateRatio`);

  const components = {
    cpuSteal: steal === null ? null : linearPenalty(steal, params.cpuStealCeilingPct),
    cpuThrottling: throttling === null ? null : linearPenalty(throttling, params.cpuThrottlingCeiling),
    latency: latency === null ? null : ratioScore(latency, params.latencyRatioCeiling),
    errorRate: errorRate === null ? null : ratioScore(errorRate, params.errorRateRatioCeiling),
  };
  const present = Object.values(components).filter((c): c is number => c !== null);
  const neutral = present.length === 0;
  return {
    score: neutral ? clamp01(params.neutral) : clamp01(present.reduce((s, c) => s + c, 0) / present.length),
    components,
    neutral,
    inputs: { cpuStealPct: steal, cpuThrottlingRatio: throttling, latencyRatio: latency, errorRateRatio: errorRate },
  };
}

function ratioScore(ratio: number, ceiling: number): number {
  return clamp01(1 - (ratio - 1) / (ceiling - 1));
}

function optional(value: number | null | undefined, field: string): number | null {
  return value === undefined || value === null ? null : nonNegative(value, field);
}
