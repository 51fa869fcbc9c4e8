import type { PoolScore } from '../scoring/index.ts';
import type { ScoreBreakdown } from './decision-types.ts';
import type { PoolState } from './engine-input.ts';

/** The part of a pool's score a decision keeps: enough to say why, small enough to store with every decision. */
export function scoreBreakdown(pool: PoolState): ScoreBreakdown {
  const s: PoolScore | null = pool.score;
  const onDemand = pool.pool.capacityType === 'on-demand';
  if (s === null) {
    return {
      poolId: pool.pool.poolId,
      total: Number.NaN,
      contributions: { cost: 0, stability: 0, performance: 0, capacity: 0 },
      pricePerHour: pool.pricePerHour,
      onDemandPricePerHour: pool.onDemandPricePerHour,
      discountVsOnDemand: onDemand ? 0 : Math.max(0, 1 - pool.pricePerHour / pool.onDemandPricePerHour),
      stability: {
        score: onDemand ? 1 : Number.NaN,
        advisorBucket: null,
        interruptions: 0,
        rebalanceRecommendations: 0,
        instanceHours: 0,
        upperMonthlyProbability: null,
        meanMonthlyProbability: null,
        volatilityCv: null,
        aboveFallbackThreshold: false,
        calm: onDemand,
      },
      capacity: { score: Number.NaN, avoidUntilMs: null },
      performance: Number.NaN,
      model: { name: 'none', version: 0 },
    };
  }
  const st = s.factors.stability;
  return {
    poolId: s.poolId,
    total: s.total,
    contributions: { ...s.contributions },
    pricePerHour: s.factors.cost.inputs.pricePerHour,
    onDemandPricePerHour: s.factors.cost.inputs.onDemandPricePerHour,
    discountVsOnDemand: s.factors.cost.discountVsOnDemand,
    stability: {
      score: st.score,
      advisorBucket: st.inputs.advisorBucket,
      interruptions: st.inputs.interruptions,
      rebalanceRecommendations: st.inputs.rebalanceRecommendations,
      instanceHours: st.inputs.instanceHours,
      upperMonthlyProbability: st.inputs.posterior?.upperMonthlyProbability ?? null,
      meanMonthlyProbability: st.inputs.posterior?.meanMonthlyProbability ?? null,
      volatilityCv: st.inputs.volatility?.coefficientOfVariation ?? null,
      aboveFallbackThreshold: st.aboveFallbackThreshold,
      calm: st.calm,
    },
    capacity: { score: s.factors.capacity.score, avoidUntilMs: s.avoidUntilMs },
    performance: s.factors.performance.score,
    model: { ...s.model },
  };
}
