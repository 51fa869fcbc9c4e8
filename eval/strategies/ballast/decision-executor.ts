import type { Decision, DecisionEngine } from '../../../hub/src/decisions/index.ts';
import type { ClusterNode } from '../../cluster/cluster.ts';
import type { PoolInfo } from '../../data/replay-data.ts';
import type { StrategyWorld } from '../strategy.ts';

const MINUTE_MS = 60_000;
/** A voluntary drain that has not finished by then is abandoned (the node is uncordoned). */
const DRAIN_TIMEOUT_MS = 20 * MINUTE_MS;
/** Launched nodes that are not Ready by then count as a failed decision. */
const READY_TIMEOUT_MS = 10 * MINUTE_MS;

interface Running {
  decision: Decision;
  launched: ClusterNode[];
  sources: ClusterNode[];
  phase: 'launching' | 'draining';
  startedAtMs: number;
  aborted: boolean;
}

/**
 * Carries out approved decisions in the world the way ARCHITECTURE.md describes a switch:
 * launch the replacement → wait until its node is Ready → drain the old node through the
 * eviction API (PDBs respected) → terminate it. After an interruption notice the agent is
 * already draining, so only the launch is left. Reports each step back to the engine
 * (executed, verified with the realized saving, or failed with a reason).
 */
export class DecisionExecutor {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly engine: DecisionEngine,
    private readonly poolsById: ReadonlyMap<string, PoolInfo>,
    private readonly onLaunchFailure: (pool: PoolInfo) => void,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  execute(w: StrategyWorld, d: Decision): void {
    const byId = new Map(w.nodes().map((n) => [n.id, n]));
    const sources = d.nodeIds.map((id) => byId.get(id)).filter((n): n is ClusterNode => n !== undefined);
    const launched: ClusterNode[] = [];
    if (d.launch) {
      const pool = this.poolsById.get(d.launch.poolId);
      if (!pool) throw new Error(`decision ${d.id}: unknown pool ${d.launch.poolId}`);
      for (let i = 0; i < d.launch.count; i++) {
        const r = w.launch(pool);
        if (!r.ok) {
          this.onLaunchFailure(pool);
          break;
        }
        launched.push(r.node);
      }
      if (launched.length === 0) {
        this.engine.failed(d.id, w.nowMs, 'InsufficientInstanceCapacity');
        return;
      }
    }
    this.engine.executed(d.id, w.nowMs);
    const run: Running = { decision: d, launched, sources, phase: 'launching', startedAtMs: w.nowMs, aborted: false };
    this.running.set(d.id, run);
    this.advance(w, run);
  }

  /** Moves every decision under way along; called each tick. */
  tick(w: StrategyWorld): void {
    for (const run of [...this.running.values()]) this.advance(w, run);
  }

  private advance(w: StrategyWorld, run: Running): void {
    const d = run.decision;
    const alive = new Set(w.nodes().map((n) => n.id));
    if (run.phase === 'launching') {
      const ready = run.launched.every((n) => n.ready || !alive.has(n.id));
      if (!ready) {
        if (w.nowMs - run.startedAtMs > READY_TIMEOUT_MS) this.finish(w, run, 'replacement-not-ready');
        return;
      }
      run.phase = 'draining';
      // A notice's node is drained by its agent and taken by AWS; everything else is drained here.
      if (d.reason !== 'interruption-notice') {
        for (const n of run.sources) {
          if (!alive.has(n.id) || n.noticeAtMs !== null) continue;
          w.drain(n, {
            purpose: d.kind === 'consolidate' ? 'consolidation' : 'switch',
            terminateWhenEmpty: true,
            timeoutMs: DRAIN_TIMEOUT_MS,
            onAbort: () => {
              run.aborted = true;
            },
          });
        }
      }
    }
    if (run.aborted) this.finish(w, run, 'drain-timeout');
    else if (!run.sources.some((n) => alive.has(n.id))) this.finish(w, run, null);
  }

  private finish(w: StrategyWorld, run: Running, failure: string | null): void {
    this.running.delete(run.decision.id);
    if (failure !== null) {
      this.engine.failed(run.decision.id, w.nowMs, failure);
      return;
    }
    const before = run.sources.reduce((s, n) => s + w.pricePaid(n), 0);
    const after = run.launched.reduce((s, n) => s + w.pricePaid(n), 0);
    const note = run.decision.kind === 'provision' ? 'new capacity: saving against the same nodes on-demand' : undefined;
    const perHourUsd =
      run.decision.kind === 'provision' ? run.launched.reduce((s, n) => s + n.pool.onDemandPrice, 0) - after : before - after;
    this.engine.verified(run.decision.id, w.nowMs, { perHourUsd, ...(note ? { note } : {}) });
  }
}
