import type { DecisionPolicies } from '../hub/src/decisions/index.ts';
import { WORKLOADS } from './cluster/workloads.ts';
import type { ReplayData } from './data/replay-data.ts';
import { AsgStrategy } from './strategies/asg-strategy.ts';
import { BallastStrategy } from './strategies/ballast/ballast-strategy.ts';
import { KarpenterLike } from './strategies/karpenter-like.ts';
import type { AwsView, Strategy } from './strategies/strategy.ts';
import type { HourlySeries, RunMetrics } from './world/run-metrics.ts';
import { World } from './world/world.ts';

export const STRATEGY_NAMES = [
  'ballast',
  'on-demand',
  'lowest-price',
  'capacity-optimized',
  'price-capacity-optimized',
  'karpenter-like',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface ReplayConfig {
  workload: string;
  seed: number;
  fromMs: number;
  toMs: number;
  strategies: readonly StrategyName[];
  overhead: { cpuMillis: number; memoryMib: number };
  bootMs: number;
  joinMs: number;
  /** Overrides of the decision policies for the Ballast strategy. */
  ballastPolicies?: Partial<DecisionPolicies>;
}

export interface StrategyResult {
  cost_usd: number;
  /** The on-demand price of the same instances over the same hours. */
  on_demand_equivalent_usd: number;
  /** (on_demand_equivalent − cost) ÷ on_demand_equivalent: the product's definition of savings. */
  savings_pct: number;
  /** 1 − cost ÷ the on-demand strategy's cost on the same workload (null without that strategy). */
  savings_vs_on_demand_strategy_pct: number | null;
  interruptions: number;
  rebalance_recommendations: number;
  scheduled_events: number;
  pods_disrupted: number;
  pods_lost: number;
  pending_pod_hours: number;
  pdb_violations: number;
  switches: number;
  launches: number;
  launch_failures: number;
  node_hours: number;
  spot_node_hours_pct: number;
  jobs_completed: number;
  wasted_job_pod_hours: number;
  runtime_s: number;
  /** Each interruption notice: time, pool, minutes of warning (a rebalance recommendation) before it. */
  notices: Array<{ at: string; pool: string; warned_minutes_before: number | null }>;
  /** Node-hours per instance type (capacity type in the key), largest first. */
  node_hours_by_type: Record<string, number>;
  details?: Record<string, unknown>;
}

export interface SeedResult {
  seed: number;
  strategies: Record<string, StrategyResult>;
  /** Per strategy, per day: cost and interruptions (the chart). */
  daily: Record<string, { cost_usd: number[]; interruptions: number[] }>;
}

function makeStrategy(name: StrategyName, aws: AwsView, cfg: ReplayConfig): Strategy {
  switch (name) {
    case 'ballast':
      return new BallastStrategy({ policies: cfg.ballastPolicies ?? {} });
    case 'on-demand':
      return new KarpenterLike({ name: 'on-demand', capacityTypes: ['on-demand'] });
    case 'karpenter-like':
      return new KarpenterLike();
    default:
      return new AsgStrategy(name, aws);
  }
}

/** Runs every strategy over the same market, seed and workload, one after the other. */
export async function runSeed(data: ReplayData, cfg: ReplayConfig, log: (line: string) => void = () => undefined): Promise<SeedResult> {
  const make = WORKLOADS[cfg.workload];
  if (!make) throw new Error(`unknown workload ${cfg.workload} (known: ${Object.keys(WORKLOADS).join(', ')})`);
  const strategies: Record<string, StrategyResult> = {};
  const daily: SeedResult['daily'] = {};
  for (const name of cfg.strategies) {
    const t0 = performance.now();
    const world = new World({
      data,
      seed: cfg.seed,
      workloads: make(),
      fromMs: cfg.fromMs,
      toMs: cfg.toMs,
      overhead: cfg.overhead,
      bootMs: cfg.bootMs,
      joinMs: cfg.joinMs,
    });
    const strategy = makeStrategy(name, world.awsView(), cfg);
    const m = await world.run(strategy);
    const runtime = (performance.now() - t0) / 1000;
    strategies[name] = resultOf(m, runtime, strategy.summary?.());
    daily[name] = dailyOf(m.hourly);
    const r = strategies[name];
    log(
      `  seed ${cfg.seed} ${name.padEnd(25)} $${r.cost_usd.toFixed(2)} savings ${r.savings_pct.toFixed(1)}% interruptions ${r.interruptions} lost ${r.pods_lost} pdb ${r.pdb_violations} switches ${r.switches} (${runtime.toFixed(1)} s)`,
    );
  }
  const od = strategies['on-demand']?.cost_usd;
  for (const r of Object.values(strategies)) r.savings_vs_on_demand_strategy_pct = od ? round(100 * (1 - r.cost_usd / od), 2) : null;
  return { seed: cfg.seed, strategies, daily };
}

function resultOf(m: RunMetrics, runtime: number, details: Record<string, unknown> | undefined): StrategyResult {
  return {
    cost_usd: round(m.costUsd, 2),
    on_demand_equivalent_usd: round(m.onDemandEquivalentUsd, 2),
    savings_pct: round(m.onDemandEquivalentUsd > 0 ? 100 * (1 - m.costUsd / m.onDemandEquivalentUsd) : 0, 2),
    savings_vs_on_demand_strategy_pct: null,
    interruptions: m.interruptions,
    rebalance_recommendations: m.rebalanceRecommendations,
    scheduled_events: m.scheduledEvents,
    pods_disrupted: m.podsDisrupted,
    pods_lost: m.podsLost,
    pending_pod_hours: round(m.pendingPodMinutes / 60, 2),
    pdb_violations: m.pdbViolations,
    switches: m.switches,
    launches: m.launches,
    launch_failures: m.launchFailures,
    node_hours: round(m.nodeMinutes / 60, 1),
    spot_node_hours_pct: round(m.nodeMinutes > 0 ? (100 * m.spotNodeMinutes) / m.nodeMinutes : 0, 2),
    jobs_completed: m.jobsCompleted,
    wasted_job_pod_hours: round(m.wastedPodMs / 3_600_000, 2),
    runtime_s: round(runtime, 1),
    notices: m.notices.map((n) => ({ at: new Date(n.atMs).toISOString(), pool: n.poolId, warned_minutes_before: n.warnedMinutesBefore })),
    node_hours_by_type: byType(m.poolMinutes),
    ...(details ? { details } : {}),
  };
}

function byType(poolMinutes: ReadonlyMap<string, number>): Record<string, number> {
  const out = new Map<string, number>();
  for (const [id, min] of poolMinutes) {
    const [type, , capacity] = id.split('|');
    const key = `${type} ${capacity}`;
    out.set(key, (out.get(key) ?? 0) + min / 60);
  }
  return Object.fromEntries([...out].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v, 1)]));
}

function dailyOf(h: HourlySeries): { cost_usd: number[]; interruptions: number[] } {
  const days = Math.ceil(h.costUsd.length / 24);
  const cost: number[] = [];
  const intr: number[] = [];
  for (let d = 0; d < days; d++) {
    const sum = (xs: number[]) => xs.slice(d * 24, d * 24 + 24).reduce((a, b) => a + b, 0);
    cost.push(round(sum(h.costUsd), 2));
    intr.push(sum(h.interruptions));
  }
  return { cost_usd: cost, interruptions: intr };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
