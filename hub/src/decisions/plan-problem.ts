import type { ForceOnDemandOverride, PlacementProblem, PodShape, Pool } from '../solver/index.ts';
import type { DecisionPolicies } from './decision-policies.ts';
import { rankCost } from './engine-context.ts';
import type { PoolState, WorkloadStatus } from './engine-input.ts';
import { safePodsPerNode } from './pdb-budget.ts';
import { typeKey } from './risk-tracker.ts';
import { riskFlags } from './type-risk.ts';

export interface PlanWorkload extends WorkloadStatus {
  cpuMillis: number;
  memoryMib: number;
}

export interface PlanRequest {
  nowMs: number;
  pools: readonly PoolState[];
  workloads: readonly PlanWorkload[];
  policies: DecisionPolicies;
  overrides?: ForceOnDemandOverride[];
  nodeOverhead?: { cpuMillis: number; memoryMib: number };
  /** Spot pools kept for the solver, cheapest per pod first (the MILP grows with pools). Default 40. */
  maxSpotPools?: number;
  /** On-demand pools kept. Default 8. */
  maxOnDemandPools?: number;
  /** AZ spread: nodes in at least this many zones. Default 2. */
  minZones?: number;
}

/**
 * The placement problem the decision policies imply, for the solver: spot pools that are
 * not risky (pool or type above the fallback threshold) nor cooling down after a failed
 * launch, priced at price + upper-bound interruption rate × interruptionCostUsd (weighed by
 * the discount preference); on-demand
 * pools at their price; one shape per workload with its headroom; each spot pool capped at
 * maxPoolShare of the capacity needed; the on-demand floor and the overrides; and, for the PDB-safe node size, each workload kept off
 * the spot types on which one node would hold more of its pods than the budget lets go.
 * Workloads with hostname anti-affinity are left out: the solver would pack their pods
 * densely; the engine provisions them one per node by cost per slot.
 */
export function planProblem(req: PlanRequest): PlacementProblem {
  const { policies: p } = req;
  const overheadCpu = req.nodeOverhead?.cpuMillis ?? 0;
  const overheadMem = req.nodeOverhead?.memoryMib ?? 0;
  const risky = new Set(
    riskFlags(
      req.pools.flatMap((s) => (s.score ? [s.score] : [])),
      p.model,
    )
      .filter((f) => f.risky)
      .map((f) => f.key),
  );
  const fit = (vcpu: number, memoryMib: number, w: PlanWorkload) =>
    Math.min(
      Math.floor((vcpu * 1000 - overheadCpu) / Math.max(1, w.cpuMillis)),
      Math.floor((memoryMib - overheadMem) / Math.max(1, w.memoryMib)),
    );
  // Rank pools by cost per pod, a spot node counted at the pods it may safely hold.
  const perPod = (s: PoolState, cost: number) => {
    let pods = 0;
    for (const w of planned) {
      const k = Math.max(0, fit(s.vcpu, s.memoryMib, w));
      pods += s.pool.capacityType === 'spot' && p.pdbSafeNodeSize ? Math.min(k, safePodsPerNode(w, p.headroomShare)) : k;
    }
    return pods > 0 ? cost / pods : Number.POSITIVE_INFINITY;
  };
  // Diversification caps a pool's share of the capacity the workloads need, not of the node
  // count: a node-count share would reward buying small nodes elsewhere to fit more big ones in
  // the cheapest pool.
  const planned = req.workloads.filter((w) => w.maxPerNode === undefined);
  const needCpu = planned.reduce((sum, w) => sum + w.desired * w.cpuMillis, 0) * (1 + p.headroomShare);
  const needMem = planned.reduce((sum, w) => sum + w.desired * w.memoryMib, 0) * (1 + p.headroomShare);
  const capacityCap = (vcpu: number, memoryMib: number) =>
    Math.max(
      1,
      Math.ceil((p.maxPoolShare * needCpu) / Math.max(1, vcpu * 1000 - overheadCpu) - 1e-9),
      Math.ceil((p.maxPoolShare * needMem) / Math.max(1, memoryMib - overheadMem) - 1e-9),
    );
  const spot: Array<{ pool: Pool; rank: number }> = [];
  const onDemand: Array<{ pool: Pool; rank: number }> = [];
  for (const s of req.pools) {
    const isSpot = s.pool.capacityType === 'spot';
    if (isSpot && (risky.has(s.pool.poolId) || risky.has(typeKey(s.pool.instanceType)))) continue;
    if (isSpot && s.score?.avoidUntilMs != null && s.score.avoidUntilMs > req.nowMs) continue;
    const rate = isSpot ? (s.score?.factors.stability.inputs.posterior?.upperRatePerHour ?? 0) : 0;
    const expected = rankCost(
      s.pricePerHour + rate * p.interruptionCostUsd,
      s.pricePerHour,
      s.onDemandPricePerHour,
      isSpot,
      p.discountPreference,
    );
    const pool: Pool = {
      id: s.pool.poolId,
      instanceType: s.pool.instanceType,
      zone: s.pool.zone,
      capacityType: s.pool.capacityType,
      vcpu: s.vcpu,
      memoryMib: s.memoryMib,
      arch: s.arch ?? 'x86_64',
      pricePerHour: s.pricePerHour,
      expectedCostPerHour: expected,
    };
    if (isSpot) pool.maxNodes = capacityCap(s.vcpu, s.memoryMib);
    (isSpot ? spot : onDemand).push({ pool, rank: perPod(s, expected) });
  }
  const keep = (xs: Array<{ pool: Pool; rank: number }>, n: number) =>
    xs
      .filter((x) => Number.isFinite(x.rank))
      .sort((a, b) => a.rank - b.rank || (a.pool.id < b.pool.id ? -1 : 1))
      .slice(0, n)
      .map((x) => x.pool);
  const pools = [...keep(spot, req.maxSpotPools ?? 40), ...keep(onDemand, req.maxOnDemandPools ?? 8)];

  const shapes: PodShape[] = req.workloads
    .filter((w) => w.desired > 0 && w.maxPerNode === undefined)
    .map((w) => ({
      id: w.name,
      count: Math.ceil(w.desired * (1 + p.headroomShare) - 1e-9),
      cpuMillis: w.cpuMillis,
      memoryMib: w.memoryMib,
      spotAllowed: w.spotAllowed,
    }));
  const forceOnDemand: ForceOnDemandOverride[] = [...(req.overrides ?? [])];
  if (p.pdbSafeNodeSize) {
    for (const w of planned) {
      const safe = safePodsPerNode(w, p.headroomShare);
      const unsafe = [
        ...new Set(
          pools
            .filter((q) => q.capacityType === 'spot')
            .filter((q) => fit(q.vcpu, q.memoryMib, w) > safe)
            .map((q) => q.instanceType),
        ),
      ];
      if (unsafe.length > 0 && shapes.some((s) => s.id === w.name)) {
        forceOnDemand.push({ shapeIds: [w.name], instanceTypes: unsafe, reason: `PDB-safe node size for ${w.name}` });
      }
    }
  }
  const zones = new Set(pools.map((q) => q.zone)).size;
  return {
    pools,
    shapes,
    constraints: {
      ...(p.minOnDemandShare > 0 ? { minOnDemandShare: p.minOnDemandShare } : {}),
      ...(p.minOnDemandNodes > 0 ? { minOnDemandNodes: p.minOnDemandNodes } : {}),
      ...(forceOnDemand.length > 0 ? { forceOnDemand } : {}),
      azSpread: { minZones: Math.min(req.minZones ?? 2, zones) },
      ...(req.nodeOverhead ? { nodeOverhead: req.nodeOverhead } : {}),
    },
  };
}
