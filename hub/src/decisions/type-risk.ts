import { type AdvisorBucket, interruptionPosterior, type PoolScore, type ScoringModel } from '../scoring/index.ts';
import type { RiskFlags } from './risk-tracker.ts';
import { typeKey } from './risk-tracker.ts';

/**
 * Risk flags per spot pool (from its score) and per instance type. The type's flags come from
 * one posterior over the evidence of all its pools: the Spot Advisor bucket is per type, and
 * a type losing nodes in two zones is a warning for its third zone before that zone has any
 * evidence of its own.
 */
export function riskFlags(scores: readonly PoolScore[], model: ScoringModel): RiskFlags[] {
  const flags: RiskFlags[] = [];
  const byType = new Map<string, { bucket: AdvisorBucket | null; hours: number; interruptions: number; rebalances: number }>();
  for (const s of scores) {
    if (s.capacityType !== 'spot') continue;
    const st = s.factors.stability;
    flags.push({ key: s.poolId, risky: st.aboveFallbackThreshold, calm: st.calm });
    const t = byType.get(s.instanceType) ?? { bucket: st.inputs.advisorBucket, hours: 0, interruptions: 0, rebalances: 0 };
    t.hours += st.inputs.instanceHours;
    t.interruptions += st.inputs.interruptions;
    t.rebalances += st.inputs.rebalanceRecommendations;
    byType.set(s.instanceType, t);
  }
  const p = model.parameters;
  for (const [type, t] of byType) {
    const posterior = interruptionPosterior(
      { advisorBucket: t.bucket, instanceHours: t.hours, interruptions: t.interruptions, rebalanceRecommendations: t.rebalances },
      p.stability,
    );
    flags.push({
      key: typeKey(type),
      risky: posterior.upperMonthlyProbability > p.thresholds.fallbackMonthlyInterruptionProbability,
      calm: posterior.upperMonthlyProbability < p.thresholds.calmMonthlyInterruptionProbability,
    });
  }
  return flags;
}
