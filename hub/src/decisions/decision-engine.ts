import type { PoolScore } from '../scoring/index.ts';
import { DecisionError } from './decision-error.ts';
import { type DecisionPolicies, decisionPolicies } from './decision-policies.ts';
import { type DecisionSink, NULL_SINK } from './decision-sink.ts';
import type { Decision, DropReason, FunnelStage, RealizedSavings } from './decision-types.ts';
import { EngineContext } from './engine-context.ts';
import type { EngineInput } from './engine-input.ts';
import { buildDecision, commonRecheck, feasibility, planCheck, savingsOf } from './funnel-checks.ts';
import { consolidateMethod } from './methods/consolidate-method.ts';
import { fallbackMethod } from './methods/fallback-method.ts';
import { interruptionMethod } from './methods/interruption-method.ts';
import type { DecisionMethod, Draft } from './methods/method.ts';
import { provisionMethod } from './methods/provision-method.ts';
import { replaceMethod } from './methods/replace-method.ts';
import { revertMethod } from './methods/revert-method.ts';
import { type RiskFlags, RiskTracker } from './risk-tracker.ts';
import { riskFlags } from './type-risk.ts';

/**
 * Urgent first; voluntary moves once the fleet has what it needs; removing a node before
 * replacing one (a node whose pods fit elsewhere needs no replacement), as Karpenter orders
 * deletion before replacement.
 */
export const DEFAULT_METHODS: readonly DecisionMethod[] = [
  interruptionMethod,
  fallbackMethod,
  provisionMethod,
  revertMethod,
  consolidateMethod,
  replaceMethod,
];

/** A dropped candidate of a method on a node is not proposed again for this long. */
const REVISIT_AFTER_MS = 30 * 60_000;

export interface DecisionEngineOptions {
  policies?: Partial<DecisionPolicies>;
  sink?: DecisionSink;
  /** Deterministic ids for replays and tests; default `<kind>-<n>`. */
  newId?: (kind: string) => string;
  methods?: readonly DecisionMethod[];
}

export interface CycleResult {
  /** Validated and approved in this cycle: the executor should carry them out. */
  approved: Decision[];
  /** Validated, waiting for a person (policy.requireApproval). */
  awaitingApproval: Decision[];
  /** New decisions that passed the funnel up to `solved` and wait for validation. */
  proposed: Decision[];
  /** Dropped in this cycle, at any stage. */
  dropped: Decision[];
}

/**
 * Turns the difference between the fleet and the plan into decisions and walks each through
 * the funnel: candidates → feasible (policies, overrides, PDB budgets) → scored (savings
 * and score breakdown, worth doing?) → solved (consistent with the solver's plan) →
 * validated (after a delay, against fresh prices and cluster state) → approved → executed
 * → verified. Pure logic: no I/O, no clock — the caller passes `nowMs` in every input and
 * reports execution back. Every transition goes to the sink.
 *
 * A cycle (step) does, in order: remember the risk flags of the scores (hysteresis), re-check
 * the decisions whose validation delay is over, ask each method for candidates, and
 * validate at once the new urgent ones (no delay). The caller executes what `approved`
 * returns and calls executed(), verified() or failed() as that proceeds.
 */
export class DecisionEngine {
  readonly policies: DecisionPolicies;
  private readonly sink: DecisionSink;
  private readonly methods: readonly DecisionMethod[];
  private readonly newId: (kind: string) => string;
  private readonly active = new Map<string, Decision>();
  private readonly risk = new RiskTracker();
  private readonly suppression = new Map<string, number>();
  private flagMemo: { scores: PoolScore[]; flags: RiskFlags[] } | null = null;

  constructor(options: DecisionEngineOptions = {}) {
    this.policies = decisionPolicies(options.policies);
    this.sink = options.sink ?? NULL_SINK;
    this.methods = options.methods ?? DEFAULT_METHODS;
    let n = 0;
    this.newId = options.newId ?? ((kind) => `${kind}-${++n}`);
  }

  step(input: EngineInput): CycleResult {
    const out: CycleResult = { approved: [], awaitingApproval: [], proposed: [], dropped: [] };
    this.observe(input);
    this.validate(input, out);
    this.propose(input, out);
    this.validate(input, out);
    return out;
  }

  /** Decisions not finished: waiting for validation or approval, approved, or executing. */
  list(): Decision[] {
    return [...this.active.values()].map(copy);
  }

  approve(id: string, nowMs: number, by: string): Decision {
    const d = this.expect(id, ['awaiting-approval']);
    d.approvedBy = by;
    d.status = 'approved';
    this.advance(d, 'approved', nowMs);
    return copy(d);
  }

  reject(id: string, nowMs: number, by: string): Decision {
    const d = this.expect(id, ['awaiting-approval']);
    d.approvedBy = by;
    this.drop(d, 'approved', 'rejected', `rejected by ${by}`, nowMs);
    return copy(d);
  }

  executed(id: string, nowMs: number): void {
    const d = this.expect(id, ['approved']);
    d.status = 'executing';
    this.advance(d, 'executed', nowMs);
  }

  verified(id: string, nowMs: number, realized: RealizedSavings | null = null): void {
    const d = this.expect(id, ['executing']);
    d.status = 'verified';
    d.realizedSavings = realized;
    this.active.delete(id);
    this.advance(d, 'verified', nowMs);
  }

  failed(id: string, nowMs: number, reason: string): void {
    const d = this.expect(id, ['approved', 'executing']);
    d.status = 'failed';
    d.failure = { reason, atMs: nowMs };
    d.updatedAtMs = nowMs;
    d.history.push({ stage: 'failed', atMs: nowMs });
    this.active.delete(id);
    this.emit(d, 'failed', nowMs);
  }

  private observe(input: EngineInput): void {
    const scores = input.pools.flatMap((p) => (p.score ? [p.score] : []));
    this.risk.observe(input.nowMs, this.flags(scores));
    for (const [k, until] of this.suppression) if (until <= input.nowMs) this.suppression.delete(k);
  }

  /** The flags only change with the scores: callers re-score every so often but step every minute. */
  private flags(scores: PoolScore[]): RiskFlags[] {
    const memo = this.flagMemo;
    if (memo && memo.scores.length === scores.length && memo.scores.every((s, i) => s === scores[i])) return memo.flags;
    const flags = riskFlags(scores, this.policies.model);
    this.flagMemo = { scores, flags };
    return flags;
  }

  private context(input: EngineInput, exclude: ReadonlySet<string> = new Set()): EngineContext {
    const active = [...this.active.values()].filter((d) => !exclude.has(d.id));
    return new EngineContext(input, this.policies, this.risk, active, this.suppression);
  }

  private propose(input: EngineInput, out: CycleResult): void {
    const ctx = this.context(input);
    const now = input.nowMs;
    for (const method of this.methods) {
      for (const draft of method.propose(ctx)) {
        const d = buildDecision(this.newId(draft.kind), draft, ctx);
        this.emit(d, 'candidate', now);
        const verdict = this.funnel(method, draft, d, ctx);
        if (verdict !== null) {
          this.drop(d, verdict.stage, verdict.reason, verdict.detail, now);
          if (!draft.urgent) for (const id of draft.nodeIds) this.suppression.set(`${method.name}:${id}`, now + REVISIT_AFTER_MS);
          out.dropped.push(copy(d));
          continue;
        }
        this.active.set(d.id, d);
        ctx.claim(d);
        out.proposed.push(copy(d));
      }
    }
  }

  /** Feasible → scored → solved; null when the draft passes, else where and why it stops. */
  private funnel(
    method: DecisionMethod,
    draft: Draft,
    d: Decision,
    ctx: EngineContext,
  ): { stage: FunnelStage; reason: DropReason; detail: string } | null {
    const infeasible = feasibility(draft, ctx);
    if (infeasible) return { stage: 'feasible', ...infeasible };
    this.advance(d, 'feasible', ctx.nowMs);
    d.expectedSavings = savingsOf(draft, ctx);
    d.premise.expectedSavingsPerHourUsd = d.expectedSavings.perHourUsd;
    const unworthy = method.judge(draft, d.expectedSavings, ctx);
    if (unworthy) return { stage: 'scored', reason: unworthy, detail: `expected ${d.expectedSavings.perHourUsd.toFixed(4)} USD/h` };
    this.advance(d, 'scored', ctx.nowMs);
    const unplanned = planCheck(draft, ctx);
    if (unplanned) return { stage: 'solved', reason: unplanned, detail: 'the plan wants no more nodes there' };
    this.advance(d, 'solved', ctx.nowMs);
    return null;
  }

  private validate(input: EngineInput, out: CycleResult): void {
    const due = [...this.active.values()].filter((d) => d.status === 'awaiting-validation' && d.validateAtMs <= input.nowMs);
    if (due.length === 0) return;
    const ctx = this.context(input, new Set(due.map((d) => d.id)));
    for (const d of due) {
      const method = this.methods.find((m) => m.owns(d));
      const reason = commonRecheck(d, ctx) ?? method?.recheck(d, ctx) ?? null;
      if (reason !== null) {
        this.drop(d, 'validated', reason, 'premise changed since the decision', input.nowMs);
        if (method && !d.urgent) for (const id of d.nodeIds) this.suppression.set(`${method.name}:${id}`, input.nowMs + REVISIT_AFTER_MS);
        out.dropped.push(copy(d));
        continue;
      }
      ctx.claim(d);
      this.advance(d, 'validated', input.nowMs);
      if (d.kind === 'fallback') this.risk.fallbackDecided(input.nowMs);
      if (this.policies.requireApproval.includes(d.kind)) {
        d.status = 'awaiting-approval';
        out.awaitingApproval.push(copy(d));
      } else {
        d.status = 'approved';
        this.advance(d, 'approved', input.nowMs);
        out.approved.push(copy(d));
      }
    }
  }

  private advance(d: Decision, stage: FunnelStage, nowMs: number): void {
    d.stage = stage;
    d.updatedAtMs = nowMs;
    d.history.push({ stage, atMs: nowMs });
    this.emit(d, stage, nowMs);
  }

  private drop(d: Decision, stage: FunnelStage, reason: DropReason, detail: string, nowMs: number): void {
    d.status = 'dropped';
    d.dropped = { stage, reason, detail, atMs: nowMs };
    d.updatedAtMs = nowMs;
    d.history.push({ stage: 'dropped', atMs: nowMs });
    this.active.delete(d.id);
    this.emit(d, 'dropped', nowMs);
  }

  private emit(d: Decision, stage: FunnelStage | 'dropped' | 'failed', atMs: number): void {
    this.sink.record({ decisionId: d.id, kind: d.kind, stage, atMs, decision: copy(d) });
  }

  private expect(id: string, statuses: Decision['status'][]): Decision {
    const d = this.active.get(id);
    if (!d) throw new DecisionError('UNKNOWN_DECISION', `no decision ${id} in progress`);
    if (!statuses.includes(d.status)) {
      throw new DecisionError('INVALID_TRANSITION', `decision ${id} is ${d.status}; expected ${statuses.join(' or ')}`);
    }
    return d;
  }
}

function copy(d: Decision): Decision {
  return structuredClone(d);
}
