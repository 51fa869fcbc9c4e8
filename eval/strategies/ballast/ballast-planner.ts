import { type DecisionPolicies, type PlanWorkload, type PoolState, planProblem, riskFlags } from '../../../hub/src/decisions/index.ts';
import type { PoolScore } from '../../../hub/src/scoring/index.ts';
import { type PlacementPlan, PlacementSolver } from '../../../hub/src/solver/index.ts';
import type { StrategyWorld } from '../strategy.ts';

const HOUR_MS = 3_600_000;

export interface PlannerOptions {
  /** Re-solve at least this often (prices drift). */
  resolveEveryMs: number;
  /** Re-solve when demand moved by more than this share since the last solve; in between the plan is scaled. */
  demandChange: number;
  timeLimitSeconds: number;
}

export interface PlannerStats {
  solves: number;
  solveMs: number;
  infeasible: number;
}

/**
 * Keeps the solver's plan current without solving all the time (a solve costs tenths of a
 * second): it re-solves when the plan is old, when demand moved a lot, or when a pool the
 * plan uses turned risky or is cooling down; in between, the last plan is scaled to the
 * current demand (the mix of pools stays, the counts follow the pods).
 */
export class BallastPlanner {
  readonly stats: PlannerStats = { solves: 0, solveMs: 0, infeasible: 0 };
  private readonly solver = new PlacementSolver();
  private riskMemo: { scores: PoolScore[]; keys: Set<string> } | null = null;
  private last: { plan: PlacementPlan; solvedAtMs: number; demand: number; risky: Set<string> } | null = null;

  constructor(
    private readonly policies: DecisionPolicies,
    private readonly o: PlannerOptions = { resolveEveryMs: 12 * HOUR_MS, demandChange: 0.5, timeLimitSeconds: 2 },
  ) {}

  async plan(w: StrategyWorld, pools: readonly PoolState[]): Promise<{ plan: PlacementPlan; solvedAtMs: number } | null> {
    const workloads: PlanWorkload[] = w.workloads.map((s) => ({ ...w.status(s), cpuMillis: s.cpuMillis, memoryMib: s.memoryMib }));
    const demand = workloads.reduce((s, x) => s + x.desired, 0);
    if (demand === 0) return null;
    const risky = this.riskyKeys(pools.flatMap((p) => (p.score ? [p.score] : [])));
    const avoided = pools.filter((p) => (p.score?.avoidUntilMs ?? 0) > w.nowMs).map((p) => p.pool.poolId);
    if (!this.mustSolve(w.nowMs, demand, risky, avoided)) return this.scaled(demand);
    const problem = planProblem({ nowMs: w.nowMs, pools, workloads, policies: this.policies, nodeOverhead: w.overhead, minZones: 3 });
    // Nothing the solver can plan (only one-per-node workloads): provisioning goes by cost per slot.
    if (problem.shapes.length === 0 || problem.pools.length === 0) return null;
    const t0 = performance.now();
    const result = await this.solver.solve(problem, { timeLimitSeconds: this.o.timeLimitSeconds, mipRelGap: 0.02 });
    this.stats.solves++;
    this.stats.solveMs += performance.now() - t0;
    if (!result.plan) {
      this.stats.infeasible++;
      return this.last ? this.scaled(demand) : null;
    }
    this.last = { plan: result.plan, solvedAtMs: w.nowMs, demand, risky };
    return { plan: result.plan, solvedAtMs: w.nowMs };
  }

  /** Pool and type keys above the fallback threshold; recomputed only when the scores change. */
  private riskyKeys(scores: PoolScore[]): Set<string> {
    const m = this.riskMemo;
    if (m && m.scores.length === scores.length && m.scores.every((s, i) => s === scores[i])) return m.keys;
    const keys = new Set(
      riskFlags(scores, this.policies.model)
        .filter((f) => f.risky)
        .map((f) => f.key),
    );
    this.riskMemo = { scores, keys };
    return keys;
  }

  async shutdown(): Promise<void> {
    await this.solver.shutdown();
  }

  private mustSolve(nowMs: number, demand: number, risky: Set<string>, avoided: string[]): boolean {
    const last = this.last;
    if (!last) return true;
    if (nowMs - last.solvedAtMs >= this.o.resolveEveryMs) return true;
    if (Math.abs(demand - last.demand) > this.o.demandChange * last.demand) return true;
    const used = Object.keys(last.plan.nodes);
    if (used.some((id) => avoided.includes(id))) return true;
    for (const k of risky) if (!last.risky.has(k)) return true;
    return false;
  }

  private scaled(demand: number): { plan: PlacementPlan; solvedAtMs: number } | null {
    const last = this.last;
    if (!last) return null;
    const ratio = demand / last.demand;
    const nodes: Record<string, number> = {};
    for (const [id, n] of Object.entries(last.plan.nodes)) nodes[id] = Math.ceil(n * ratio - 1e-9);
    const nodeCount = Object.values(nodes).reduce((a, b) => a + b, 0);
    return { plan: { ...last.plan, nodes, nodeCount }, solvedAtMs: last.solvedAtMs };
  }
}
