import type { CapacityParameters } from './capacity-factor.ts';
import type { CostParameters } from './cost-factor.ts';
import type { PerformanceParameters } from './performance-factor.ts';
import type { RiskThresholds, StabilityParameters } from './stability-factor.ts';

export const FACTORS = ['cost', 'stability', 'performance', 'capacity'] as const;
export type FactorName = (typeof FACTORS)[number];

/** Relative weights; they need not sum to 1 (scorePool divides by their sum), but the sum must be > 0. */
export type FactorWeights = Record<FactorName, number>;

export interface ScoringParameters {
  cost: CostParameters;
  stability: StabilityParameters;
  performance: PerformanceParameters;
  capacity: CapacityParameters;
  thresholds: RiskThresholds;
}

/**
 * A scoring model: the weighted formula that turns a pool's observations into a score.
 * Stored in the metadata store, uploaded as JSON, listed, promoted or run in shadow; (name,
 * version) identifies it. Every field is required, so a stored model means the same thing
 * after DEFAULT_MODEL changes. Build one with validateScoringModel() or parseScoringModel().
 */
export interface ScoringModel {
  name: string;
  /** A positive integer; a changed formula under the same name gets a higher version. */
  version: number;
  description?: string;
  weights: FactorWeights;
  parameters: ScoringParameters;
}

/**
 * The default model. Why these numbers:
 * - weights: cost and stability 0.4 each — saving money and not being interrupted are the
 *   trade the product makes, weighed alike; capacity and performance 0.1 each — tie-breakers
 *   that steer away from poor fits and noisy hosts (a capacity cool-down is enforced through
 *   `avoidUntilMs`, not through the weight).
 * - cost.alternativesShare 0.6: ranking among the candidates matters more than the discount
 *   vs the type's own on-demand price, which still pulls spot priced near on-demand down.
 * - advisor buckets read at their midpoints (">20%" as 25%), 10% for unlisted types — the
 *   public meaning of AWS's labels.
 * - priorStrengthInstanceHours 2920 (four instance-months): a 100-node fleet outweighs the
 *   advisor within about a day of running in a pool, a 5-node one in about three weeks;
 *   the advisor is per type and region, the fleet's own evidence is per pool.
 * - rebalanceWeight 0.3: a rebalance recommendation is a warning, and many are followed by
 *   no interruption (or by one that is counted anyway).
 * - credibleLevel 0.9 with interruptionProbabilityCeiling 0.5: a pool whose 90% upper
 *   bound reaches a 50% chance per node-month scores 0 on interruption risk.
 * - evidenceWindowHours 720: 30 days, the Spot Advisor's own trailing month.
 * - volatility over 168 h (a week) with a CV ceiling of 0.1 and a 0.2 share: in the
 *   us-east-1 2021 history the weekly CV has median 0.004, p90 0.023, p99 0.08, so only
 *   the unusual pools lose much.
 * - performance: neutral 1 for pools without metrics (no evidence of a problem); 10% steal,
 *   50% throttled periods, 2× median latency and 3× median error rate score 0.
 * - capacity: 180 s cool-down (Karpenter's), then each failure of the last hour takes 0.25 off.
 * - thresholds: fall back above a 50% upper-bound monthly probability (where the
 *   interruption score reaches 0), count as calm below 25% — a gap so that the decision
 *   engine's hysteresis does not flap. With no fleet evidence the upper bounds are, by
 *   bucket: 6.5%, 20%, 30%, 38%, 47%; a ">20%" pool is not flagged until it misbehaves.
 *   With the defaults the interruption score of an unobserved pool is, by bucket:
 *   0.87, 0.59, 0.40, 0.25, 0.05.
 */
export const DEFAULT_MODEL: ScoringModel = deepFreeze({
  name: 'default',
  version: 1,
  description: 'Ballast default: cost and stability first, capacity fit and performance as tie-breakers.',
  weights: { cost: 0.4, stability: 0.4, performance: 0.1, capacity: 0.1 },
  parameters: {
    cost: { alternativesShare: 0.6 },
    stability: {
      advisorMonthlyProbability: { '<5%': 0.025, '5-10%': 0.075, '10-15%': 0.125, '15-20%': 0.175, '>20%': 0.25 },
      unknownBucketMonthlyProbability: 0.1,
      priorStrengthInstanceHours: 2920,
      rebalanceWeight: 0.3,
      credibleLevel: 0.9,
      evidenceWindowHours: 720,
      interruptionProbabilityCeiling: 0.5,
      volatilityWindowHours: 168,
      volatilityCvCeiling: 0.1,
      volatilityShare: 0.2,
    },
    performance: {
      neutral: 1,
      cpuStealCeilingPct: 10,
      cpuThrottlingCeiling: 0.5,
      latencyRatioCeiling: 2,
      errorRateRatioCeiling: 3,
    },
    capacity: { cooldownSeconds: 180, failureLookbackSeconds: 3600, failurePenalty: 0.25 },
    thresholds: { fallbackMonthlyInterruptionProbability: 0.5, calmMonthlyInterruptionProbability: 0.25 },
  },
});

/** Frozen all the way down, so no caller can change the default for everyone else. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/** The window the caller counts a pool's interruptions, rebalances and instance-hours over. */
export function evidenceWindow(model: ScoringModel, nowMs: number): TimeWindow {
  return { fromMs: nowMs - model.parameters.stability.evidenceWindowHours * 3_600_000, toMs: nowMs };
}

/** The window of spot price history the caller passes (plus the point in effect at its start). */
export function volatilityWindow(model: ScoringModel, nowMs: number): TimeWindow {
  return { fromMs: nowMs - model.parameters.stability.volatilityWindowHours * 3_600_000, toMs: nowMs };
}
