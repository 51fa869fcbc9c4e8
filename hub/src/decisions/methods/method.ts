import type { Decision, DecisionKind, DecisionReason, DropReason, ExpectedSavings } from '../decision-types.ts';
import type { EngineContext, PoolEcon } from '../engine-context.ts';
import type { Target } from '../target-selection.ts';

/** A proposed decision before it enters the funnel. */
export interface Draft {
  kind: DecisionKind;
  reason: DecisionReason;
  urgent: boolean;
  /** Nodes to remove. */
  nodeIds: string[];
  /** The pool the nodes are in (when one). */
  from: PoolEcon | null;
  /** Where to launch; null for consolidation, or when no pool qualifies (dropped as no-target). */
  target: Target | null;
  needsLaunch: boolean;
  /** provision: pods without room the launch is for. */
  uncoveredPods?: number;
  /** What the savings are measured against: the fleet as it is, or the same nodes on-demand (new capacity). */
  savingsBasis: 'status-quo' | 'on-demand';
}

/**
 * One way of finding decisions, as Karpenter has its disruption methods: each proposes
 * candidates from the cycle's context, judges whether a candidate is worth it once its
 * savings are known (the funnel's scored stage), and re-checks the premise of a decision of
 * its kind at validation, against fresh state. Methods run in a fixed order; each sees the
 * claims of the decisions committed before it.
 */
export interface DecisionMethod {
  readonly name: string;
  /**
   * Candidates, one at a time: the engine runs each through the funnel and commits its claims
   * before asking for the next, so a method sees its own earlier decisions in `ctx`.
   */
  propose(ctx: EngineContext): Iterable<Draft>;
  /** Scored stage: the reason the draft is not worth doing, or null. */
  judge(draft: Draft, savings: ExpectedSavings, ctx: EngineContext): DropReason | null;
  /** Validation: the reason the decision's premise no longer holds with fresh state, or null. */
  recheck(decision: Decision, ctx: EngineContext): DropReason | null;
  /** Whether this method proposed the decision (methods share kinds: a notice and a cheaper pool are both replacements). */
  owns(decision: Decision): boolean;
}

/** The pool a set of nodes is in when they share one. */
export function commonPool(ctx: EngineContext, nodeIds: readonly string[]): PoolEcon | null {
  const ids = new Set(nodeIds.map((id) => ctx.nodes.get(id)?.pool.poolId));
  if (ids.size !== 1) return null;
  const [id] = ids;
  return id === undefined ? null : (ctx.pools.get(id) ?? null);
}

/** The node is one a voluntary decision may take: live, ready, not claimed, not draining, no notice, no do-not-disrupt pod, old enough. */
export function movable(ctx: EngineContext, id: string, minAgeMs: number): boolean {
  const n = ctx.nodes.get(id);
  return (
    n?.ready === true &&
    !n.disrupting &&
    n.interruptionNoticeAtMs === null &&
    !ctx.claimed.has(id) &&
    !ctx.holdsUndisruptable(id) &&
    ctx.nowMs - n.launchedAtMs >= minAgeMs
  );
}
