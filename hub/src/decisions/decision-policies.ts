import { DEFAULT_MODEL, type ScoringModel } from '../scoring/index.ts';
import { invalidPolicy } from './decision-error.ts';
import { DECISION_KINDS, type DecisionKind } from './decision-types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The rules the engine decides under; validated once by decisionPolicies(). */
export interface DecisionPolicies {
  /** Thresholds (fallback / calm) and the posterior's parameters for the type-level risk. */
  model: ScoringModel;
  /**
   * What one interruption costs beyond the node's price, USD: pods restarted and re-warmed,
   * requests failed, work redone, someone looking. It turns risk into money: a pool is priced
   * at price + upper-bound interruption rate × this, and since the risk is per node it also
   * favours fewer, larger nodes. The default, $100, makes the solver's trade agree with the
   * default scoring model, which weighs stability as much as cost: with no fleet evidence a
   * "<5%" pool's risk then adds about $0.009 an hour to a node, a "5-10%" pool's $0.03.
   */
  interruptionCostUsd: number;
  /** How long a non-urgent decision waits before it is re-checked against fresh prices and cluster state. */
  validationDelayMs: Record<DecisionKind, number>;
  /** Hysteresis: back to spot only when the target pool and its type have been calm this long and no pool fell back meanwhile. */
  revertAfterCalmMs: number;
  /** A replacement must save at least this share of the node's expected cost… */
  replaceMinSavingsPct: number;
  /** …and at least this much, USD/hour. */
  replaceMinSavingsPerHourUsd: number;
  /** At validation, the target's price may have risen by this share before the premise counts as changed. */
  priceTolerancePct: number;
  /** A node whose busier resource is below this share of allocatable is a consolidation candidate (1 = any whose pods fit elsewhere). */
  consolidateUtilization: number;
  /** Nodes younger than this are not consolidated (they were launched for a reason). */
  consolidateAfterMs: number;
  /**
   * What evicting one pod voluntarily costs, USD: a restart, cold caches, connections cut.
   * Consolidating an occupied node must save more than its pods × this within
   * consolidationPaybackHours, so nearly full nodes are not drained for a few cents of an
   * hour that the next load peak takes back (the web workload's nightly trough).
   */
  disruptionCostPerPodUsd: number;
  /** The hours a consolidation's saving is counted over against its disruption cost (about the time until load returns). */
  consolidationPaybackHours: number;
  /** Voluntary disruptions under way at once: this share of the nodes, at least `min` (Karpenter's budget is 10%). */
  maxConcurrentDisruptions: { share: number; min: number };
  minOnDemandShare: number;
  minOnDemandNodes: number;
  /** No spot pool holds more than this share of the nodes (diversification). */
  maxPoolShare: number;
  /**
   * Spare pod slots kept per workload, as a share of its desired pods: pods evicted in a hurry
   * (a notice) start at once, and spot nodes may be larger under the PDB-safe size (see
   * safePodsPerNode).
   */
  headroomShare: number;
  /**
   * A spot node may hold at most as many pods of a workload as its PDB lets go at once at the
   * workload's minimum scale, so an unannounced interruption can always be drained in time.
   */
  pdbSafeNodeSize: boolean;
  /**
   * How much a deeper discount against the type's own on-demand price is worth when choosing
   * pools, 0–1: pools are ranked (and the solver prices them) at expected cost ×
   * (1 − discountPreference × discount). 0 ranks by dollars alone. The scoring model's cost
   * factor weighs the same discount. Among pools that cost about the same per pod (c5.xlarge at
   * 60% off and c5n.xlarge at 70% off hold the same pods for nearly the same dollars), it takes
   * the one further below on-demand, which is what the product's savings rate (on-demand price
   * of the same instances − paid) counts. Measured on the 2021 replay (web-200, seeds 1–3): the
   * default 0.85 paid $2,351.6 on average against $2,351.8 at 0 and lifted the savings rate from
   * 65.5% to 70.7%; at 1 the bill rose 2.5% (eval/README.md).
   */
  discountPreference: number;
  /** React to rebalance recommendations by replacing the node before the notice. */
  replaceOnRebalance: boolean;
  /** Kinds that wait for a person after validation. */
  requireApproval: DecisionKind[];
  /** Expected savings are reported over this many hours. */
  savingsHorizonHours: number;
}

export const DEFAULT_POLICIES: DecisionPolicies = {
  model: DEFAULT_MODEL,
  interruptionCostUsd: 100,
  validationDelayMs: {
    provision: 0,
    replace: 2 * MINUTE_MS,
    fallback: MINUTE_MS,
    revert: 5 * MINUTE_MS,
    consolidate: 2 * MINUTE_MS,
  },
  revertAfterCalmMs: 6 * HOUR_MS,
  replaceMinSavingsPct: 0.15,
  replaceMinSavingsPerHourUsd: 0.005,
  priceTolerancePct: 0.05,
  consolidateUtilization: 1,
  consolidateAfterMs: 10 * MINUTE_MS,
  disruptionCostPerPodUsd: 0.05,
  consolidationPaybackHours: 4,
  maxConcurrentDisruptions: { share: 0.1, min: 1 },
  minOnDemandShare: 0,
  minOnDemandNodes: 0,
  maxPoolShare: 0.25,
  headroomShare: 0.05,
  pdbSafeNodeSize: true,
  discountPreference: 0.85,
  replaceOnRebalance: true,
  requireApproval: [],
  savingsHorizonHours: 24,
};

/** DEFAULT_POLICIES with `overrides` applied, checked. Throws DecisionError(INVALID_POLICY) naming the field. */
export function decisionPolicies(overrides: Partial<DecisionPolicies> = {}): DecisionPolicies {
  const p: DecisionPolicies = {
    ...DEFAULT_POLICIES,
    ...overrides,
    validationDelayMs: { ...DEFAULT_POLICIES.validationDelayMs, ...overrides.validationDelayMs },
    maxConcurrentDisruptions: { ...DEFAULT_POLICIES.maxConcurrentDisruptions, ...overrides.maxConcurrentDisruptions },
  };
  nonNegative(p.interruptionCostUsd, 'interruptionCostUsd');
  for (const k of DECISION_KINDS) nonNegative(p.validationDelayMs[k], `validationDelayMs.${k}`);
  nonNegative(p.revertAfterCalmMs, 'revertAfterCalmMs');
  share(p.replaceMinSavingsPct, 'replaceMinSavingsPct');
  nonNegative(p.replaceMinSavingsPerHourUsd, 'replaceMinSavingsPerHourUsd');
  nonNegative(p.priceTolerancePct, 'priceTolerancePct');
  share(p.consolidateUtilization, 'consolidateUtilization');
  nonNegative(p.consolidateAfterMs, 'consolidateAfterMs');
  nonNegative(p.disruptionCostPerPodUsd, 'disruptionCostPerPodUsd');
  nonNegative(p.consolidationPaybackHours, 'consolidationPaybackHours');
  share(p.maxConcurrentDisruptions.share, 'maxConcurrentDisruptions.share');
  wholeNumber(p.maxConcurrentDisruptions.min, 'maxConcurrentDisruptions.min');
  share(p.minOnDemandShare, 'minOnDemandShare');
  wholeNumber(p.minOnDemandNodes, 'minOnDemandNodes');
  share(p.maxPoolShare, 'maxPoolShare');
  if (p.maxPoolShare === 0) throw invalidPolicy('maxPoolShare', 'must be > 0');
  nonNegative(p.headroomShare, 'headroomShare');
  share(p.discountPreference, 'discountPreference');
  for (const [i, k] of p.requireApproval.entries()) {
    if (!DECISION_KINDS.includes(k)) throw invalidPolicy(`requireApproval[${i}]`, `unknown kind ${JSON.stringify(k)}`);
  }
  if (!(p.savingsHorizonHours > 0)) throw invalidPolicy('savingsHorizonHours', 'must be > 0');
  const t = p.model.parameters.thresholds;
  if (!(t.calmMonthlyInterruptionProbability <= t.fallbackMonthlyInterruptionProbability)) {
    throw invalidPolicy('model.parameters.thresholds', 'the calm threshold must not exceed the fallback threshold (no hysteresis gap)');
  }
  return p;
}

function nonNegative(v: number, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidPolicy(field, `must be a finite number ≥ 0 (got ${v})`);
}

function share(v: number, field: string): void {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw invalidPolicy(field, `must be within [0, 1] (got ${v})`);
}

function wholeNumber(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0) throw invalidPolicy(field, `must be a whole number ≥ 0 (got ${v})`);
}
