/**
 * Pool scoring: pure maths from what a fleet can see (prices, the Spot Advisor bucket,
 * observed interruptions and rebalances, launch failures, agent metrics) to a 0–1 score per
 * pool with every factor's inputs kept. No I/O and no clock: callers pass `now`.
 */
export { type CapacityFactor, type CapacityParameters, capacityFactor } from './capacity-factor.ts';
export {
  type CandidateRange,
  type CostFactor,
  type CostInputs,
  type CostParameters,
  candidateRange,
  costFactor,
  workloadPricePerHour,
} from './cost-factor.ts';
export { gammaQuantile, lnGamma, regularizedLowerGamma } from './gamma-distribution.ts';
export {
  HOURS_PER_MONTH,
  type InterruptionEvidence,
  type InterruptionPosterior,
  type InterruptionPriorParameters,
  interruptionPosterior,
  monthlyProbabilityToRate,
  rateToMonthlyProbability,
} from './interruption-posterior.ts';
export { parseScoringModel, scoringModelToJson, validateScoringModel } from './model-validation.ts';
export { type PerformanceFactor, type PerformanceParameters, performanceFactor } from './performance-factor.ts';
export {
  ADVISOR_BUCKETS,
  type AdvisorBucket,
  type CandidateOffering,
  type CapacityType,
  type PerformanceObservations,
  type PoolObservations,
  type PoolOffering,
  type PoolScoringInput,
  type PricePoint,
  poolIdOf,
  type ScoringContext,
  type WorkloadShape,
} from './pool-inputs.ts';
export { type PriceVolatility, priceVolatility } from './price-volatility.ts';
export { type PoolScore, type RankedPoolScore, scorePool, scorePools } from './score-pool.ts';
export { ScoringError, type ScoringErrorCode } from './scoring-error.ts';
export {
  DEFAULT_MODEL,
  evidenceWindow,
  FACTORS,
  type FactorName,
  type FactorWeights,
  type ScoringModel,
  type ScoringParameters,
  type TimeWindow,
  volatilityWindow,
} from './scoring-model.ts';
export { type NodeSize, podsPerNode, type ShapeFit, type WorkloadFit, workloadFit } from './shape-fit.ts';
export { type RiskThresholds, type StabilityFactor, type StabilityParameters, stabilityFactor } from './stability-factor.ts';
export { type WorkloadDemand, workloadDemand } from './workload-demand.ts';
