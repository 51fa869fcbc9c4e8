import {
  DEFAULT_MODEL,
  evidenceWindow,
  type PoolScore,
  type PoolScoringInput,
  type ScoringModel,
  scorePools,
  volatilityWindow,
} from '../../../hub/src/scoring/index.ts';
import type { WorkloadSpec } from '../../cluster/workloads.ts';
import type { PoolInfo } from '../../data/replay-data.ts';
import type { StrategyWorld } from '../strategy.ts';
import type { FleetEvidence } from './fleet-evidence.ts';

/**
 * Scores the spot pools with the hub's scoring code from public data and the fleet's own
 * evidence only: the catalog (size, on-demand price), the spot price now and its recent
 * history, the Spot Advisor bucket, and what FleetEvidence saw.
 */
export function scoreSpotPools(
  w: StrategyWorld,
  pools: readonly PoolInfo[],
  evidence: FleetEvidence,
  workloads: readonly WorkloadSpec[],
  model: ScoringModel = DEFAULT_MODEL,
): Map<string, PoolScore> {
  const now = w.nowMs;
  const ev = evidenceWindow(model, now);
  const vol = volatilityWindow(model, now);
  const lookback = model.parameters.capacity.failureLookbackSeconds * 1000;
  const inputs: PoolScoringInput[] = [];
  for (const p of pools) {
    const price = w.prices.spot(p);
    if (price === undefined) continue;
    const e = evidence.window(p.poolId, ev.fromMs, now, lookback);
    inputs.push({
      offering: {
        instanceType: p.instanceType,
        zone: p.zone,
        capacityType: 'spot',
        vcpu: p.vcpu,
        memoryGib: p.memoryMib / 1024,
        pricePerHour: price,
        onDemandPricePerHour: p.onDemandPrice,
      },
      observations: {
        advisorBucket: p.advisorBucket,
        instanceHours: e.instanceHours,
        interruptions: e.interruptions,
        rebalanceRecommendations: e.rebalanceRecommendations,
        priceHistory: w.prices.changes(p, vol.fromMs, now),
        launchFailuresMs: e.launchFailuresMs,
      },
    });
  }
  const shapes = workloads.map((s) => ({
    id: s.name,
    count: Math.max(1, w.status(s).desired),
    cpuMillis: s.cpuMillis,
    memoryMib: s.memoryMib,
  }));
  const scores = scorePools(model, inputs, { shapes, nodeOverhead: w.overhead }, now);
  return new Map(scores.map((s) => [s.poolId, s]));
}
