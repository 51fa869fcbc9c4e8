/**
 * What a decision is and the funnel it passes. Plain data, JSON-friendly: the API lists
 * decisions and the metadata store keeps them as they are.
 */
import type { CapacityType } from '../scoring/index.ts';

/**
 * - provision: launch nodes for pods that have nowhere to run;
 * - replace: move a node to a better spot pool (cheaper, or away from a notice or warning);
 * - fallback: move spot nodes to on-demand (risk above the threshold, an override, or no spot capacity);
 * - revert: move on-demand nodes back to spot once the market has been calm long enough;
 * - consolidate: remove an empty or under-used node whose pods fit elsewhere.
 */
export const DECISION_KINDS = ['provision', 'replace', 'fallback', 'revert', 'consolidate'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** The funnel, in order. A decision reaches a stage or is dropped before it. */
export const FUNNEL_STAGES = ['candidate', 'feasible', 'scored', 'solved', 'validated', 'approved', 'executed', 'verified'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export type DecisionStatus =
  /** Solved; waits for its validation delay to pass. */
  | 'awaiting-validation'
  /** Validated; a person must approve it (policy.requireApproval). */
  | 'awaiting-approval'
  /** Approved; the executor has not started it yet. */
  | 'approved'
  | 'executing'
  | 'verified'
  | 'dropped'
  | 'failed';

export type DecisionReason =
  | 'pending-pods'
  /** Spare pod slots (policy.headroomShare) are missing. */
  | 'headroom'
  | 'interruption-notice'
  | 'rebalance-recommendation'
  | 'scheduled-event'
  | 'pool-risk'
  | 'type-risk'
  | 'override'
  | 'no-spot-capacity'
  | 'calm-market'
  | 'cheaper-pool'
  | 'empty-node'
  | 'underutilized';

/** Why a decision left the funnel early; the API counts these per stage. */
export type DropReason =
  /** A node it acts on is gone, or was interrupted meanwhile. */
  | 'node-gone'
  /** A node it acts on is already part of another decision or being drained. */
  | 'node-busy'
  /** A PodDisruptionBudget allows no further eviction of pods on the node now. */
  | 'pdb-budget'
  /** Too many voluntary disruptions are already under way. */
  | 'concurrency-limit'
  /** It would take the fleet below the on-demand floor. */
  | 'on-demand-floor'
  /** An override forbids the target. */
  | 'override'
  /** No pool may take the node's pods (all risky, cooling down, forbidden or full). */
  | 'no-target'
  | 'insufficient-savings'
  /** The solver's plan does not want the target (no deficit there). */
  | 'not-in-plan'
  /** At validation: the target's price rose, or the saving fell below the threshold. */
  | 'price-changed'
  /** At validation: the risk that motivated a fallback is gone. */
  | 'risk-changed'
  /** At validation: the market is no longer calm enough to go back to spot. */
  | 'market-not-calm'
  /** At validation: the target pool turned risky, is cooling down after a failed launch, or was forbidden. */
  | 'target-unavailable'
  /** At validation: the node is no longer empty or under-used, or its pods no longer fit elsewhere. */
  | 'utilization-changed'
  /** At validation: the pods that needed capacity have found it. */
  | 'no-longer-needed'
  /** A person rejected it. */
  | 'rejected';

export interface PoolRef {
  poolId: string;
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

export interface LaunchTarget extends PoolRef {
  count: number;
  /** USD/hour per node when decided. */
  pricePerHour: number;
}

/** One pool's score as kept with a decision: the totals and the inputs a person needs to see why. */
export interface ScoreBreakdown {
  poolId: string;
  total: number;
  contributions: { cost: number; stability: number; performance: number; capacity: number };
  pricePerHour: number;
  onDemandPricePerHour: number | null;
  discountVsOnDemand: number;
  stability: {
    score: number;
    advisorBucket: string | null;
    interruptions: number;
    rebalanceRecommendations: number;
    instanceHours: number;
    /** Upper credible bound of the monthly interruption probability; null for on-demand. */
    upperMonthlyProbability: number | null;
    meanMonthlyProbability: number | null;
    volatilityCv: number | null;
    aboveFallbackThreshold: boolean;
    calm: boolean;
  };
  capacity: { score: number; avoidUntilMs: number | null };
  performance: number;
  model: { name: string; version: number };
}

export interface ExpectedSavings {
  /** USD/hour saved by the decision, risk included: (price + expected interruption cost) before − after. Negative costs more. */
  perHourUsd: number;
  /** The part of perHourUsd that is expected interruption cost (rate × policy.interruptionCostUsd). */
  riskPerHourUsd: number;
  horizonHours: number;
  /** perHourUsd × horizonHours. */
  totalUsd: number;
}

export interface RealizedSavings {
  /** USD/hour the fleet pays less after the decision than before, at prices when verified. */
  perHourUsd: number;
  note?: string;
}

/** What the engine saw when it proposed the decision. */
export interface DecisionInputs {
  nowMs: number;
  nodes: Array<{
    id: string;
    poolId: string;
    pricePerHour: number;
    onDemandPricePerHour: number;
    ageHours: number;
    pods: Record<string, number>;
  }>;
  pendingPods: Record<string, number>;
  /** Nodes per pool in the plan the decision followed; null without a plan. */
  plan: { solvedAtMs: number; nodes: Record<string, number>; expectedCostPerHour: number } | null;
  /** The PDB budgets of the workloads touched: evictions allowed now. */
  budgets: Record<string, number>;
  policy: Record<string, number | string | boolean>;
}

/** What must still hold when the decision is re-validated. */
export interface Premise {
  nodeIds: string[];
  targetPoolId: string | null;
  targetPricePerHour: number | null;
  expectedSavingsPerHourUsd: number;
  /** provision: the uncovered pods it launches for. */
  uncoveredPods?: number;
}

export interface StageMark {
  stage: FunnelStage | 'dropped' | 'failed';
  atMs: number;
}

export interface Decision {
  id: string;
  kind: DecisionKind;
  reason: DecisionReason;
  /** Acts on an interruption notice, a rebalance warning, a scheduled event or waiting pods: no validation delay, no concurrency limit. */
  urgent: boolean;
  createdAtMs: number;
  /** When validate() re-checks it. */
  validateAtMs: number;
  updatedAtMs: number;
  /** The furthest stage reached. */
  stage: FunnelStage;
  status: DecisionStatus;
  /** Nodes to drain and terminate (for a notice: the node being reclaimed). */
  nodeIds: string[];
  /** The pool the nodes are in, when they share one. */
  from: PoolRef | null;
  /** Nodes to launch first; null for consolidation. */
  launch: LaunchTarget | null;
  premise: Premise;
  inputs: DecisionInputs;
  scores: { from: ScoreBreakdown | null; to: ScoreBreakdown | null };
  expectedSavings: ExpectedSavings;
  realizedSavings: RealizedSavings | null;
  dropped: { stage: FunnelStage; reason: DropReason; detail: string; atMs: number } | null;
  failure: { reason: string; atMs: number } | null;
  approvedBy: string | null;
  history: StageMark[];
}
