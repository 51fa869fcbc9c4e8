export const DECISION_KINDS = ['provision', 'replace', 'fallback-on-demand', 'revert-to-spot', 'consolidate'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** The funnel, in order: a decision at one stage has passed every stage before it. */
export const DECISION_STAGES = ['candidate', 'feasible', 'scored', 'solved', 'validated', 'approved', 'executed', 'verified'] as const;
export type DecisionStage = (typeof DECISION_STAGES)[number];

export const DECISION_OUTCOMES = ['pending', 'dropped', 'executed', 'failed'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export interface Pool {
  instanceType: string;
  availabilityZone: string;
  capacityType: 'spot' | 'on-demand';
}

export interface DecisionRecord {
  id: string;
  clientId: string;
  clusterId: string;
  kind: DecisionKind;
  /** Furthest stage reached. */
  stage: DecisionStage;
  outcome: DecisionOutcome;
  /** Why it was dropped or failed; null otherwise. */
  outcomeReason: string | null;
  nodeName: string | null;
  instanceId: string | null;
  fromPool: Pool | null;
  toPool: Pool | null;
  /** What the decision was made from (prices, node state, policies), for "why did this happen". */
  inputs: Record<string, unknown>;
  /** Per-pool score breakdown, once scored. */
  scoreBreakdown: unknown;
  /** USD per hour. */
  expectedSavingsPerHour: number | null;
  /** USD since execution. */
  realizedSavings: number | null;
  modelId: string | null;
  /** Made by the shadow model: recorded for comparison, never executed (the schema stops it before approved). */
  fromShadow: boolean;
  /** Approved while no executor was attached: recorded as executed, nothing was changed. */
  dryRun: boolean;
  /** The funnel's code for why it was dropped (`price-changed`, `pdb-budget`…); null unless dropped with one. */
  dropReason: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface NewDecision {
  /** Default: a random uuid. */
  id?: string;
  clientId: string;
  clusterId: string;
  kind: DecisionKind;
  /** Default `candidate`. */
  stage?: DecisionStage;
  nodeName?: string | null;
  instanceId?: string | null;
  fromPool?: Pool | null;
  toPool?: Pool | null;
  inputs?: Record<string, unknown>;
  scoreBreakdown?: unknown;
  expectedSavingsPerHour?: number | null;
  modelId?: string | null;
  fromShadow?: boolean;
  /** Recorded by a loop without an executor (default false; never with fromShadow). */
  dryRun?: boolean;
}

/** Moving to a later stage, with what that stage learned (fields left out stay as they are). */
export interface StageAdvance {
  stage: DecisionStage;
  toPool?: Pool;
  scoreBreakdown?: unknown;
  expectedSavingsPerHour?: number;
  modelId?: string;
  fromShadow?: boolean;
}

export interface DecisionFinish {
  outcome: Exclude<DecisionOutcome, 'pending'>;
  /** Required for dropped and failed. */
  reason?: string;
  /** dropped only: the funnel's reason code (lower-case words joined by `-`). */
  dropReason?: string;
}

export interface DecisionFilter {
  /** null: every tenant (operators only); explicit so that no route forgets the tenant. */
  clientId: string | null;
  clusterId?: string;
  kind?: DecisionKind;
  outcome?: DecisionOutcome;
  /** true: the shadow model's decisions only; false: the active model's only; absent: both. */
  shadow?: boolean;
  /** created_at >= from (epoch ms). */
  from?: number;
  /** created_at < to (epoch ms). */
  to?: number;
  /** Default 50, at most 500. */
  limit?: number;
  cursor?: string;
}

export interface FunnelQuery {
  clientId: string | null;
  clusterId?: string;
  /** As in DecisionFilter; absent: both sides. */
  shadow?: boolean;
  /** Decisions created in [from, to), epoch ms. */
  from: number;
  to: number;
}

export interface FunnelCounts {
  /** Per stage in funnel order: how many decisions reached it, and how many were dropped there. */
  stages: Array<{ stage: DecisionStage; reached: number; dropped: number }>;
  outcomes: Record<DecisionOutcome, number>;
  /** Dropped decisions by the furthest stage they reached and their reason code (`unspecified` without one). */
  dropReasons: Partial<Record<DecisionStage, Record<string, number>>>;
  /** Executed decisions that were dry runs (included in outcomes.executed). */
  dryRun: number;
  total: number;
}

/** One side (active or shadow model) of a comparison over a time window. */
export interface ModelSideSummary {
  /** Decisions the side proposed (every candidate). */
  decisions: number;
  /** Passed validation: what the side would have carried out. */
  validated: number;
  dropped: number;
  byKind: Partial<Record<DecisionKind, number>>;
  /** Σ expected USD/hour saved (risk included) over the validated decisions. */
  expectedSavingsPerHourUsd: number;
  /** Σ of the part of that saving that is expected interruption cost avoided (negative: the side takes on more risk). */
  riskReductionPerHourUsd: number;
  /** The models the side's decisions were made under (ids; null = the built-in default). */
  modelIds: Array<string | null>;
}

export interface ModelComparison {
  active: ModelSideSummary;
  shadow: ModelSideSummary;
}
