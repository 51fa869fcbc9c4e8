import {
  DecisionEngine,
  type DecisionPolicies,
  decisionPolicies,
  InMemoryDecisionLog,
  type PoolState,
} from '../../../hub/src/decisions/index.ts';
import type { PoolScore } from '../../../hub/src/scoring/index.ts';
import type { PlacementPlan } from '../../../hub/src/solver/index.ts';
import type { ClusterNode } from '../../cluster/cluster.ts';
import type { PoolInfo } from '../../data/replay-data.ts';
import type { Strategy, StrategyWorld } from '../strategy.ts';
import { BallastPlanner } from './ballast-planner.ts';
import { DecisionExecutor } from './decision-executor.ts';
import { engineInput, poolState } from './engine-snapshot.ts';
import { FleetEvidence } from './fleet-evidence.ts';
import { scoreSpotPools } from './pool-scorer.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface BallastOptions {
  policies: Partial<DecisionPolicies>;
  /** Pools are re-scored this often, and at once after a notice, a rebalance or a failed launch. */
  scoreEveryMs: number;
  /** A full decision cycle this often; urgent ones (pending pods, notices, due validations) every minute. */
  cycleEveryMs: number;
}

/**
 * Ballast under replay: the hub's scoring, solver and decision engine, fed only what a real
 * fleet sees (public prices, Spot Advisor buckets, its own notices, rebalances and failed
 * launches), executing the engine's decisions through the cluster and cloud APIs.
 */
export class BallastStrategy implements Strategy {
  readonly name = 'ballast';
  readonly log = new InMemoryDecisionLog();
  private readonly o: BallastOptions;
  private readonly policies: DecisionPolicies;
  private readonly engine: DecisionEngine;
  private readonly evidence = new FleetEvidence();
  private readonly planner: BallastPlanner;
  private executor: DecisionExecutor | null = null;
  private scores = new Map<string, PoolScore>();
  private plan: { plan: PlacementPlan; solvedAtMs: number } | null = null;
  private lastScoredMs = Number.NEGATIVE_INFINITY;
  private lastCycleMs = Number.NEGATIVE_INFINITY;
  private rescore = true;
  private urgent = false;

  constructor(options: Partial<BallastOptions> = {}) {
    this.o = { policies: {}, scoreEveryMs: 30 * MINUTE_MS, cycleEveryMs: 5 * MINUTE_MS, ...options };
    this.policies = decisionPolicies(this.o.policies);
    this.engine = new DecisionEngine({ policies: this.policies, sink: this.log });
    this.planner = new BallastPlanner(this.policies);
  }

  start(w: StrategyWorld): void {
    const byId = new Map<string, PoolInfo>([...w.spotPools, ...w.onDemandPools].map((p) => [p.poolId, p]));
    this.executor = new DecisionExecutor(this.engine, byId, (p) => this.failedLaunch(w, p));
  }

  async tick(w: StrategyWorld): Promise<void> {
    const now = w.nowMs;
    this.evidence.observeNodes(w.nodes(), now);
    this.executor?.tick(w);
    const due =
      this.urgent ||
      now - this.lastCycleMs >= this.o.cycleEveryMs ||
      w.pending().length > 0 ||
      this.engine.list().some((d) => d.status === 'awaiting-validation' && d.validateAtMs <= now);
    if (!due) return;
    const pools = this.pools(w);
    this.plan = await this.planner.plan(w, pools);
    this.cycle(w, pools);
  }

  onNotice(w: StrategyWorld, node: ClusterNode): void {
    this.evidence.notice(node.pool.poolId, w.nowMs);
    this.react(w);
  }

  onRebalance(w: StrategyWorld, node: ClusterNode): void {
    this.evidence.rebalance(node.pool.poolId, w.nowMs);
    this.react(w);
  }

  onScheduledEvent(w: StrategyWorld): boolean {
    this.react(w);
    return true;
  }

  async stop(): Promise<void> {
    await this.planner.shutdown();
  }

  summary(): Record<string, unknown> {
    const byKind: Record<string, number> = {};
    for (const d of this.log.list())
      if (d.status === 'verified') byKind[`${d.kind}:${d.reason}`] = (byKind[`${d.kind}:${d.reason}`] ?? 0) + 1;
    return {
      funnel: this.log.funnel(),
      verified_by_kind: byKind,
      solver: { ...this.planner.stats, solveMs: Math.round(this.planner.stats.solveMs) },
      policies: { ...this.policies, model: `${this.policies.model.name}@${this.policies.model.version}` },
    };
  }

  /** Events that cannot wait for the next cycle: re-score with the new evidence and decide now. */
  private react(w: StrategyWorld): void {
    this.rescore = true;
    this.cycle(w, this.pools(w));
  }

  private failedLaunch(w: StrategyWorld, p: PoolInfo): void {
    this.evidence.launchFailure(p.poolId, w.nowMs);
    this.rescore = true;
    this.urgent = true;
  }

  private cycle(w: StrategyWorld, pools: PoolState[]): void {
    this.lastCycleMs = w.nowMs;
    this.urgent = false;
    const out = this.engine.step(engineInput(w, pools, this.plan));
    for (const d of out.approved) this.executor?.execute(w, d);
  }

  private pools(w: StrategyWorld): PoolState[] {
    const now = w.nowMs;
    if (this.rescore || now - this.lastScoredMs >= this.o.scoreEveryMs) {
      this.scores = scoreSpotPools(w, w.spotPools, this.evidence, w.workloads, this.policies.model);
      this.lastScoredMs = now;
      this.rescore = false;
      this.evidence.prune(now - 31 * DAY_MS);
    }
    const out: PoolState[] = [];
    for (const p of w.spotPools) {
      const s = poolState(w, p, this.scores.get(p.poolId) ?? null);
      if (s) out.push(s);
    }
    for (const p of w.onDemandPools) {
      const s = poolState(w, p, null);
      if (s) out.push(s);
    }
    return out;
  }
}
