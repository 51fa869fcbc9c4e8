import type { Clock, Logger } from '@ballast/common';
import type { PoolBoardSnapshot } from '../../pools/pool-board.ts';
import type { ForceOnDemandOverride } from '../../solver/index.ts';
import type { DecisionRepository } from '../../state/repositories/decision-repository.ts';
import { DecisionEngine } from '../decision-engine.ts';
import { type DecisionPolicies, decisionPolicies } from '../decision-policies.ts';
import type { Decision } from '../decision-types.ts';
import type { ClusterView, ViewNode } from './cluster-view.ts';
import { DecisionRecorder } from './decision-recorder.ts';
import { type CatalogPrices, engineInputFromCluster, type NodeSignals } from './live-engine-input.ts';
import { type LivePlan, type PlanSolver, solveLivePlan } from './live-planner.ts';

/** What executing a decision returned: the executor took it (it reports verification itself), or why not. */
export type ExecuteOutcome = { ok: true } | { ok: false; reason: string };

export interface DecisionLoopDeps {
  clock: Clock;
  log: Logger;
  cluster: ClusterView;
  /** Pool scores under the active and shadow models (the PoolBoard). */
  board: { current(): Promise<PoolBoardSnapshot> };
  catalog: CatalogPrices;
  decisions: DecisionRepository;
  clientId: string;
  clusterId: string;
  /**
   * What forces each node's spot capacity onto on-demand (the overrides feature's hook), asked
   * once per run for all the cluster's nodes, answering one entry per node (null: not forced);
   * default none. The engine's overrides are per pool (type × zone), so a forced node forbids
   * spot in its pool for this run.
   */
  overridesFor?: (nodes: readonly ViewNode[]) => Promise<ReadonlyArray<ForceOnDemandOverride | null>>;
  /** Interruption notices, rebalances and scheduled events the node's agent reported; default none. */
  signals?: (node: ViewNode) => NodeSignals | null;
  /**
   * Carries out an approved decision (a switch job). Absent: dry run — approved decisions are
   * recorded as executed dry runs and nothing in the cluster or the cloud changes.
   */
  execute?: (decision: Decision, storedId: string) => Promise<ExecuteOutcome>;
  /**
   * The placement solver (PlacementSolver). Present: every run solves the cluster's best plan
   * under the active model, the engine checks its decisions against it, and `lastPlan` keeps
   * it (the optimization rate's denominator). Absent: the engine decides without a plan.
   */
  solver?: PlanSolver;
}

export interface DecisionLoopOptions {
  /** Default 5 minutes. */
  intervalMs: number;
  policies: Partial<DecisionPolicies>;
  /** Reserved per node; default 200m / 1 GiB. */
  nodeOverhead: { cpuMillis: number; memoryMib: number };
  /**
   * A dry-run or shadow decision keeps its nodes claimed this long (as an executing one
   * would), so the same move is not proposed again every run. Default 30 minutes.
   */
  holdMs: number;
}

export interface LoopStatus {
  runs: number;
  lastRunAtMs: number | null;
  lastRunMs: number | null;
  /** The last run's failure; cleared by the next good run. */
  lastError: { message: string; atMs: number } | null;
  dryRun: boolean;
  skippedNodes: Array<{ node: string; reason: string }>;
}

interface Side {
  engine: DecisionEngine;
  recorder: DecisionRecorder;
  modelKey: string;
  held: Map<string, number>;
}

/**
 * The hub's live decision loop: every interval it reads the cluster (ClusterView), the pool
 * scores (PoolBoard) and prices (Catalog), runs the decision engine, writes every decision
 * with its funnel stage and drop reason to the DecisionRepository, and hands approved ones
 * to `execute` (none: dry run). When a shadow model is set, a second engine decides under
 * it from the same cluster read; its decisions are stored marked shadow and never executed.
 *
 * Runs never overlap (a run due while one is going is skipped); a failed run is logged and
 * kept as `status.lastError`, and the loop goes on. Start/Shutdown; Shutdown is safe before
 * Start and waits for a run in progress.
 */
export class DecisionLoop {
  private readonly o: DecisionLoopOptions;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private active: Side | null = null;
  private shadow: Side | null = null;
  private readonly firstSeen = new Map<string, number>();
  private readonly instances = new Map<string, string | null>();
  private created = new Map<string, number | null>();
  readonly status: LoopStatus;
  /** The last run's best plan (with a solver); null before, without a solver, or when none was found. */
  lastPlan: LivePlan | null = null;

  constructor(
    private readonly deps: DecisionLoopDeps,
    options: Partial<DecisionLoopOptions> = {},
  ) {
    this.o = {
      intervalMs: 5 * 60_000,
      policies: {},
      nodeOverhead: { cpuMillis: 200, memoryMib: 1024 },
      holdMs: 30 * 60_000,
      ...options,
    };
    if (!(this.o.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    decisionPolicies(this.o.policies);
    this.status = { runs: 0, lastRunAtMs: null, lastRunMs: null, lastError: null, dryRun: !deps.execute, skippedNodes: [] };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** The instance behind a node name as the last run read it (executors map decisions' node ids with it). */
  instanceIdOf(node: string): string | null {
    return this.instances.get(node) ?? null;
  }

  /** When the node joined the cluster (its Node object's creation), as the last run read it; null when unknown. */
  nodeCreatedAtMs(node: string): number | null {
    return this.created.get(node) ?? null;
  }

  /** One run now, unless one is under way (then that run's promise). Never rejects. */
  runOnce(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.runOnce().then(() => this.schedule(this.o.intervalMs));
    }, ms);
  }

  private async run(): Promise<void> {
    const { clock, log } = this.deps;
    const started = clock.now();
    try {
      await this.cycle(started);
      this.status.lastError = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.status.lastError = { message, atMs: clock.now() };
      log.warn('decision loop run failed', { err });
    } finally {
      this.status.runs++;
      this.status.lastRunAtMs = started;
      this.status.lastRunMs = clock.now() - started;
    }
  }

  private async cycle(now: number): Promise<void> {
    const [cluster, board] = await Promise.all([this.deps.cluster.snapshot(), this.deps.board.current()]);
    for (const n of cluster.nodes) {
      if (!this.firstSeen.has(n.name)) this.firstSeen.set(n.name, now);
      this.instances.set(n.name, n.instanceId);
    }
    this.created = new Map(cluster.nodes.map((n) => [n.name, n.createdAtMs]));
    const overrides = ((await this.deps.overridesFor?.(cluster.nodes)) ?? []).filter((o): o is ForceOnDemandOverride => o !== null);
    const parts = {
      nowMs: now,
      cluster,
      catalog: this.deps.catalog,
      overrides,
      firstSeenMs: this.firstSeen,
      nodeOverhead: this.o.nodeOverhead,
      ...(this.deps.signals ? { signals: this.deps.signals } : {}),
    };
    const active = this.side('active', board.model.id, board.activeModel);
    const live = engineInputFromCluster({ ...parts, scores: board.pools });
    this.status.skippedNodes = live.skippedNodes;
    if (this.deps.solver) {
      const policies = decisionPolicies({ ...this.o.policies, model: board.activeModel });
      // A failed solve must not stop the run: the engine decides without a plan then.
      this.lastPlan = await solveLivePlan(this.deps.solver, live.input, live.planWorkloads, policies).catch((err: unknown) => {
        this.deps.log.warn('placement solve failed', { err });
        return null;
      });
      live.input.plan = this.lastPlan ? { plan: this.lastPlan.plan, solvedAtMs: this.lastPlan.solvedAtMs } : null;
    }
    await this.step(active, live.input, false);
    if (board.shadow && board.shadowModel) {
      const shadow = this.side('shadow', board.shadow.id, board.shadowModel);
      await this.step(shadow, engineInputFromCluster({ ...parts, scores: board.shadowPools }).input, true);
    } else this.shadow = null;
  }

  private side(which: 'active' | 'shadow', modelId: string | null, model: PoolBoardSnapshot['activeModel']): Side {
    const key = `${modelId ?? 'default'}@${model.name}@${model.version}`;
    const current = which === 'active' ? this.active : this.shadow;
    if (current && current.modelKey === key) return current;
    // A new model decides afresh: its engine's hysteresis and claims start empty.
    const shadow = which === 'shadow';
    const recorder = new DecisionRecorder(
      this.deps.decisions,
      { clientId: this.deps.clientId, clusterId: this.deps.clusterId, modelId, shadow, dryRun: !shadow && !this.deps.execute },
      (node) => this.instances.get(node) ?? null,
    );
    const side: Side = {
      engine: new DecisionEngine({ policies: { ...this.o.policies, model }, sink: recorder }),
      recorder,
      modelKey: key,
      held: new Map(),
    };
    if (shadow) this.shadow = side;
    else this.active = side;
    return side;
  }

  private async step(side: Side, input: Parameters<DecisionEngine['step']>[0], shadow: boolean): Promise<void> {
    const now = input.nowMs;
    for (const [id, until] of side.held) {
      if (until > now) continue;
      side.held.delete(id);
      const d = side.engine.list().find((x) => x.id === id);
      if (d?.status === 'executing') side.engine.verified(id, now, { perHourUsd: 0, note: 'dry run: nothing changed' });
      else if (d) side.engine.failed(id, now, shadow ? 'shadow: never executed' : 'released');
    }
    const out = side.engine.step(input);
    await side.recorder.flush(now);
    for (const d of out.approved) {
      if (shadow) side.held.set(d.id, now + this.o.holdMs);
      else if (!this.deps.execute) {
        side.engine.executed(d.id, now);
        side.held.set(d.id, now + this.o.holdMs);
      } else {
        const storedId = side.recorder.storedId(d.id) as string;
        const result = await this.deps.execute(d, storedId).catch((err: unknown) => ({ ok: false as const, reason: String(err) }));
        if (result.ok) side.engine.executed(d.id, now);
        else side.engine.failed(d.id, now, result.reason);
      }
    }
    await side.recorder.flush(now);
  }
}
