import { nonNegative } from './checks.ts';
import { gammaQuantile } from './gamma-distribution.ts';
import { ADVISOR_BUCKETS, type AdvisorBucket } from './pool-inputs.ts';
import { invalidInput } from './scoring-error.ts';

/** AWS's billing month, and the month the Spot Advisor's buckets refer to. */
export const HOURS_PER_MONTH = 730;

export interface InterruptionPriorParameters {
  /** Monthly interruption probability read from each Spot Advisor bucket. */
  advisorMonthlyProbability: Record<AdvisorBucket, number>;
  /** For types the advisor does not list. */
  unknownBucketMonthlyProbability: number;
  /** How much the prior weighs, in pseudo instance-hours of observation. */
  priorStrengthInstanceHours: number;
  /** What one rebalance recommendation counts for, in interruptions (0 ignores them). */
  rebalanceWeight: number;
  /** Level of the upper credible bound, e.g. 0.9. */
  credibleLevel: number;
}

export interface InterruptionEvidence {
  advisorBucket: AdvisorBucket | null;
  instanceHours: number;
  interruptions: number;
  rebalanceRecommendations: number;
}

export interface InterruptionPosterior {
  /** Prior rate per instance-hour from the bucket: −ln(1 − p_month) / 730. */
  priorRatePerHour: number;
  priorMonthlyProbability: number;
  /** Gamma(shape α, rate β) posterior over the interruption rate per instance-hour. */
  posteriorShape: number;
  posteriorRate: number;
  /** α / β. */
  meanRatePerHour: number;
  /** The credibleLevel-quantile of the posterior. */
  upperRatePerHour: number;
  /** 1 − e^(−rate × 730): the chance a node is interrupted within a month at that rate. */
  meanMonthlyProbability: number;
  upperMonthlyProbability: number;
  /** interruptions + rebalanceWeight × rebalances: the events the posterior counted. */
  effectiveEvents: number;
}

/** A monthly probability as a Poisson rate per hour: P(≥1 event in 730 h) = p ⇔ λ = −ln(1 − p) / 730. */
export function monthlyProbabilityToRate(p: number): number {
  return -Math.log1p(-p) / HOURS_PER_MONTH;
}

export function rateToMonthlyProbability(ratePerHour: number): number {
  return -Math.expm1(-ratePerHour * HOURS_PER_MONTH);
}

/**
 * The interruption rate per instance-hour as a Gamma–Poisson model: interruptions in a
 * pool arrive as a Poisson process with rate λ per instance-hour; the prior on λ is
 * Gamma(α₀ = λ₀·S, β₀ = S), where λ₀ comes from the Spot Advisor bucket and S is the prior
 * strength in pseudo instance-hours, so the prior mean is λ₀ and it weighs as much as S
 * hours of observation. Observing k events over H instance-hours gives the conjugate
 * posterior Gamma(α₀ + k, β₀ + H): with H = 0 it is the prior; as H ≫ S its mean tends to
 * k / H, this fleet's own rate.
 *
 * k = interruptions + rebalanceWeight × rebalance recommendations: a rebalance
 * recommendation is AWS's early warning of elevated risk, weaker evidence than a notice
 * (the Gamma shape may be fractional, so a weighted count is fine).
 *
 * Errors (INVALID_INPUT, under `at`): negative or non-finite instanceHours,
 * interruptions or rebalanceRecommendations; an advisorBucket that is not one of AWS's. The parameters are checked by the model
 * validator, not here.
 */
export function interruptionPosterior(
  evidence: InterruptionEvidence,
  params: InterruptionPriorParameters,
  at = 'observations',
): InterruptionPosterior {
  const hours = nonNegative(evidence.instanceHours, `${at}.instanceHours`);
  const interruptions = nonNegative(evidence.interruptions, `${at}.interruptions`);
  const rebalances = nonNegative(evidence.rebalanceRecommendations, `${at}.rebalanceRecommendations`);
  const bucket = evidence.advisorBucket ?? null;
  if (bucket !== null && !ADVISOR_BUCKETS.includes(bucket)) {
    throw invalidInput(`${at}.advisorBucket`, `unknown bucket ${JSON.stringify(bucket)} (known: ${ADVISOR_BUCKETS.join(', ')}, or null)`);
  }
  const priorMonthlyProbability = bucket === null ? params.unknownBucketMonthlyProbability : params.advisorMonthlyProbability[bucket];
  const priorRatePerHour = monthlyProbabilityToRate(priorMonthlyProbability);
  const effectiveEvents = interruptions + params.rebalanceWeight * rebalances;
  const posteriorShape = priorRatePerHour * params.priorStrengthInstanceHours + effectiveEvents;
  const posteriorRate = params.priorStrengthInstanceHours + hours;
  const meanRatePerHour = posteriorShape / posteriorRate;
  const upperRatePerHour = gammaQuantile(params.credibleLevel, posteriorShape, posteriorRate);
  return {
    priorRatePerHour,
    priorMonthlyProbability,
    posteriorShape,
    posteriorRate,
    meanRatePerHour,
    upperRatePerHour,
    meanMonthlyProbability: rateToMonthlyProbability(meanRatePerHour),
    upperMonthlyProbability: rateToMonthlyProbability(upperRatePerHour),
    effectiveEvents,
  };
}
