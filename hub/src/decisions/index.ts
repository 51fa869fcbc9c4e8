/**
 * The decision engine: turns the difference between the fleet and the solver's plan into
 * decisions (provision, replace, fallback, revert, consolidate), walks each through the
 * funnel (candidates → feasible → scored → solved → validated → approved → executed →
 * verified) and records every step in a DecisionSink. Pure logic: no I/O, `nowMs` passed in.
 */
export { type CycleResult, DEFAULT_METHODS, DecisionEngine, type DecisionEngineOptions } from './decision-engine.ts';
export { DecisionError, type DecisionErrorCode } from './decision-error.ts';
export { DEFAULT_POLICIES, type DecisionPolicies, decisionPolicies } from './decision-policies.ts';
export { type DecisionEvent, type DecisionQuery, type DecisionSink, InMemoryDecisionLog, NULL_SINK } from './decision-sink.ts';
export {
  DECISION_KINDS,
  type Decision,
  type DecisionInputs,
  type DecisionKind,
  type DecisionReason,
  type DecisionStatus,
  type DropReason,
  type ExpectedSavings,
  FUNNEL_STAGES,
  type FunnelStage,
  type LaunchTarget,
  type PoolRef,
  type Premise,
  type RealizedSavings,
  type ScoreBreakdown,
} from './decision-types.ts';
export type {
  EngineInput,
  IntOrPercent,
  NodeSnapshot,
  PdbSpec,
  PendingPods,
  PodGroup,
  PoolState,
  WorkloadStatus,
} from './engine-input.ts';
export { addFunnels, emptyFunnel, type FunnelCounts, funnelOf } from './funnel.ts';
export type { DecisionMethod, Draft } from './methods/method.ts';
export { disruptionsAllowed, maxUnavailableAt, safePodsPerNode } from './pdb-budget.ts';
export { type PlanRequest, type PlanWorkload, planProblem } from './plan-problem.ts';
export { type RiskFlags, RiskTracker, typeKey } from './risk-tracker.ts';
export { riskFlags } from './type-risk.ts';
