import { type CapacityFactor, capacityFactor } from './capacity-factor.ts';
import { finite, nonEmptyString } from './checks.ts';
import { type CandidateRange, type CostFactor, candidateRange, costFactor } from './cost-factor.ts';
import { validateScoringModel } from './model-validation.ts';
import { type PerformanceFactor, performanceFactor } from './performance-factor.ts';
import { type CapacityType, type PoolScoringInput, poolIdOf, type ScoringContext } from './pool-inputs.ts';
import { invalidInput, ScoringError } from './scoring-error.ts';
import { FACTORS, type FactorName, type FactorWeights, type ScoringModel } from './scoring-model.ts';
import { workloadFit } from './shape-fit.ts';
import { type StabilityFactor, stabilityFactor } from './stability-factor.ts';
import { type WorkloadDemand, workloadDemand } from './workload-demand.ts';

/** One pool's score and everything that went into it: what the API shows in the pool table and stores with a decision. */
export interface PoolScore {
  poolId: string;
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  /** Σ weight × factor / Σ weight, within [0, 1]. */
  total: number;
  /** Each factor's share of the total: normalised weight × factor score (they sum to `total`). */
  contributions: Record<FactorName, number>;
  /** The model's weights divided by their sum. */
  weights: FactorWeights;
  factors: {
    cost: CostFactor;
    stability: StabilityFactor;
    performance: PerformanceFactor;
    capacity: CapacityFactor;
  };
  /** Set while a launch failure's cool-down runs: do not launch into the pool before then. */
  avoidUntilMs: number | null;
  model: { name: string; version: number };
  scoredAtMs: number;
}

export interface RankedPoolScore extends PoolScore {
  /** 1 = best. Pools under a cool-down rank after all others. */
  rank: number;
}

/**
 * Scores one pool under a model at time `nowMs` (the injected clock; scoring never reads
 * the system time). The cost factor compares the pool with `context.candidates`; without
 * them the pool is compared with itself only (relativeToCandidates = 1) — use scorePools()
 * to rank pools against each other.
 *
 * Errors: ScoringError INVALID_MODEL when the model does not validate; INVALID_INPUT
 * naming the field (`offering.…`, `observations.…`, `shapes[i].…`, `candidates[i].…`,
 * `nodeOverhead.…`, `now`) when an input is malformed.
 */
export function scorePool(model: ScoringModel, input: PoolScoringInput, context: ScoringContext, nowMs: number): PoolScore {
  const m = validateScoringModel(model);
  finite(nowMs, 'now');
  const demand = workloadDemand(context.shapes);
  return scoreValidated(m, input, context, demand, candidateRange(context.candidates ?? [], demand), nowMs, '');
}

/**
 * Scores many pools for the same workload and ranks them: best total first, pools under a
 * capacity cool-down last, ties by pool id so the order is stable. The cost factor compares
 * each pool with `context.candidates`, or with all the pools given when absent.
 *
 * Errors: as scorePool(); a pool's INVALID_INPUT error is re-thrown with the field
 * prefixed by `pools[i].` (and, when the pools are their own candidates, `candidates[i].x`
 * as `pools[i].offering.x`), the original as its cause. A duplicate pool id is an
 * INVALID_INPUT on `pools[i]`.
 */
export function scorePools(
  model: ScoringModel,
  pools: readonly PoolScoringInput[],
  context: ScoringContext,
  nowMs: number,
): RankedPoolScore[] {
  const m = validateScoringModel(model);
  finite(nowMs, 'now');
  if (!Array.isArray(pools)) throw invalidInput('pools', 'must be an array');
  const demand = workloadDemand(context.shapes);
  const seen = new Set<string>();
  pools.forEach((p, i) => {
    const at = `pools[${i}]`;
    if (typeof p !== 'object' || p === null || typeof p.offering !== 'object' || p.offering === null) {
      throw invalidInput(at, 'must be an object with offering and observations');
    }
    const id = poolIdOf(p.offering);
    if (seen.has(id)) throw invalidInput(at, `duplicate pool ${id}`);
    seen.add(id);
  });
  const range = ownCandidateRange(pools, context, demand);
  const scores = pools.map((p, i) => scoreValidated(m, p, context, demand, range, nowMs, `pools[${i}].`));
  scores.sort(
    (a, b) =>
      Number(a.avoidUntilMs !== null) - Number(b.avoidUntilMs !== null) ||
      b.total - a.total ||
      (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0),
  );
  return scores.map((s, i) => ({ ...s, rank: i + 1 }));
}

/** The candidates' price range; when the pools are their own candidates, errors point at the pool, not at a list the caller never built. */
function ownCandidateRange(pools: readonly PoolScoringInput[], context: ScoringContext, demand: WorkloadDemand): CandidateRange {
  if (context.candidates !== undefined) return candidateRange(context.candidates, demand);
  try {
    return candidateRange(
      pools.map((p) => p.offering),
      demand,
    );
  } catch (e) {
    const match = e instanceof ScoringError ? /^candidates\[(\d+)\]\.(.*)$/.exec(e.field) : null;
    if (match === null) throw e;
    throw invalidInput(`pools[${match[1]}].offering.${match[2]}`, (e as Error).message.replace(/^invalid scoring input: [^:]+: /, ''), e);
  }
}

function scoreValidated(
  model: ScoringModel,
  input: PoolScoringInput,
  context: ScoringContext,
  demand: WorkloadDemand,
  range: CandidateRange,
  nowMs: number,
  prefix: string,
): PoolScore {
  try {
    if (typeof input !== 'object' || input === null) throw invalidInput('input', 'must be an object with offering and observations');
    const { offering, observations } = input;
    if (typeof offering !== 'object' || offering === null) throw invalidInput('offering', 'must be an object');
    if (typeof observations !== 'object' || observations === null) throw invalidInput('observations', 'must be an object');
    nonEmptyString(offering.instanceType, 'offering.instanceType');
    nonEmptyString(offering.zone, 'offering.zone');
    if (offering.capacityType !== 'spot' && offering.capacityType !== 'on-demand') {
      throw invalidInput('offering.capacityType', `must be "spot" or "on-demand" (got ${JSON.stringify(offering.capacityType)})`);
    }
    const p = model.parameters;
    const cost = costFactor(offering, demand, range, p.cost);
    const stability = stabilityFactor(offering.capacityType, observations, p.stability, p.thresholds, nowMs);
    const performance = performanceFactor(observations.performance, p.performance);
    const fit = workloadFit(context.shapes, demand, offering, context.nodeOverhead);
    const capacity = capacityFactor(fit, observations.launchFailuresMs, p.capacity, nowMs);
    const factors = { cost, stability, performance, capacity };

    const sum = FACTORS.reduce((s, f) => s + model.weights[f], 0);
    const weights = Object.fromEntries(FACTORS.map((f) => [f, model.weights[f] / sum])) as FactorWeights;
    const contributions = Object.fromEntries(FACTORS.map((f) => [f, weights[f] * factors[f].score])) as Record<FactorName, number>;
    const total = Math.min(
      1,
      Math.max(
        0,
        FACTORS.reduce((s, f) => s + contributions[f], 0),
      ),
    );
    return {
      poolId: poolIdOf(offering),
      instanceType: offering.instanceType,
      zone: offering.zone,
      capacityType: offering.capacityType,
      total,
      contributions,
      weights,
      factors,
      avoidUntilMs: capacity.avoidUntilMs,
      model: { name: model.name, version: model.version },
      scoredAtMs: nowMs,
    };
  } catch (e) {
    // Pool-level fields become `pools[i].…`; workload-level ones (shapes, candidates, nodeOverhead) keep their names.
    if (prefix === '' || !(e instanceof ScoringError) || !isPoolField(e.field)) throw e;
    throw invalidInput(`${prefix}${e.field}`, e.message.replace(/^invalid scoring input: [^:]+: /, ''), e);
  }
}

function isPoolField(field: string): boolean {
  return field === 'input' || field.startsWith('offering') || field.startsWith('observations');
}
