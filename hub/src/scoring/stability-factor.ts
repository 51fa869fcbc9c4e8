import { clamp01, linearPenalty } from './checks.ts';
import { type InterruptionPosterior, type InterruptionPriorParameters, interruptionPosterior } from './interruption-posterior.ts';
import type { CapacityType, PoolObservations } from './pool-inputs.ts';
import { type PriceVolatility, priceVolatility } from './price-volatility.ts';

export interface StabilityParameters extends InterruptionPriorParameters {
  /** The window the caller counts interruptions, rebalances and instance-hours over (see evidenceWindow()). */
  evidenceWindowHours: number;
  /** Upper-bound monthly interruption probability at which the interruption score reaches 0. */
  interruptionProbabilityCeiling: number;
  /** The window the price volatility is measured over. */
  volatilityWindowHours: number;
  /** Coefficient of variation of the spot price at which the volatility score reaches 0. */
  volatilityCvCeiling: number;
  /** Share (0–1) of the stability factor given to price volatility; the rest is interruption risk. */
  volatilityShare: number;
}

/** Risk levels the decision engine acts on (it owns the hysteresis; the score only flags). */
export interface RiskThresholds {
  /** Upper-bound monthly interruption probability above which the pool should fall back to on-demand. */
  fallbackMonthlyInterruptionProbability: number;
  /** Upper-bound monthly interruption probability below which the pool counts as calm (return to spot). */
  calmMonthlyInterruptionProbability: number;
}

export interface StabilityFactor {
  score: number;
  /** 1 − upperMonthlyProbability / interruptionProbabilityCeiling, clamped; 1 for on-demand. */
  interruptionScore: number;
  /** 1 − CV / volatilityCvCeiling, clamped; null when there is no price history (or on-demand). */
  volatilityScore: number | null;
  /** upperMonthlyProbability > fallback threshold (never for on-demand). */
  aboveFallbackThreshold: boolean;
  /** upperMonthlyProbability < calm threshold (always for on-demand). */
  calm: boolean;
  inputs: {
    capacityType: CapacityType;
    advisorBucket: PoolObservations['advisorBucket'];
    instanceHours: number;
    interruptions: number;
    rebalanceRecommendations: number;
    /** Null for on-demand pools: AWS does not reclaim on-demand capacity. */
    posterior: InterruptionPosterior | null;
    volatility: PriceVolatility | null;
  };
}

/**
 * The stability factor (0–1, higher is calmer):
 *   interruption = 1 − min(1, u / ceiling), u = the posterior's upper credible bound as a
 *     monthly interruption probability (the upper bound, not the mean, so a pool we know
 *     little about is not taken for a calm one);
 *   volatility   = 1 − min(1, CV / cvCeiling) over the volatility window;
 *   score = (1 − v) × interruption + v × volatility, v = volatilityShare; the interruption
 *     score alone when there is no price history.
 * On-demand pools are not interrupted: score 1, nothing estimated.
 *
 * Errors (INVALID_INPUT, under `at`): as interruptionPosterior() and priceVolatility().
 */
export function stabilityFactor(
  capacityType: CapacityType,
  observations: PoolObservations,
  params: StabilityParameters,
  thresholds: RiskThresholds,
  nowMs: number,
  at = 'observations',
): StabilityFactor {
  const inputs = {
    capacityType,
    advisorBucket: observations.advisorBucket ?? null,
    instanceHours: observations.instanceHours,
    interruptions: observations.interruptions,
    rebalanceRecommendations: observations.rebalanceRecommendations,
  };
  if (capacityType === 'on-demand') {
    return {
      score: 1,
      interruptionScore: 1,
      volatilityScore: null,
      aboveFallbackThreshold: false,
      calm: true,
      inputs: { ...inputs, posterior: null, volatility: null },
    };
  }
  const posterior = interruptionPosterior(observations, params, at);
  const volatility = priceVolatility(
    observations.priceHistory,
    nowMs - params.volatilityWindowHours * 3_600_000,
    nowMs,
    `${at}.priceHistory`,
  );
  const interruptionScore = linearPenalty(posterior.upperMonthlyProbability, params.interruptionProbabilityCeiling);
  const volatilityScore = volatility === null ? null : linearPenalty(volatility.coefficientOfVariation, params.volatilityCvCeiling);
  const v = params.volatilityShare;
  const score = volatilityScore === null ? interruptionScore : clamp01((1 - v) * interruptionScore + v * volatilityScore);
  return {
    score,
    interruptionScore,
    volatilityScore,
    aboveFallbackThreshold: posterior.upperMonthlyProbability > thresholds.fallbackMonthlyInterruptionProbability,
    calm: posterior.upperMonthlyProbability < thresholds.calmMonthlyInterruptionProbability,
    inputs: { ...inputs, posterior, volatility },
  };
}
