import type { Clock } from '@ballast/common';
import type { AgentRecord } from '../store/metrics-store.ts';
import { type Bucket, type CostSeries, type CostTotals, costSeries, nodeRate, zeroTotals } from './cost-model.ts';
import type {
  AgentSource,
  BestPlanSource,
  NodeHoursSource,
  PoolHours,
  PriceSource,
  RiskEventCount,
  RiskEventSource,
  SwitchHistorySource,
  SwitchRecord,
} from './fleet-sources.ts';
import { TtlCache } from './ttl-cache.ts';

export interface FleetMetricsDeps {
  agents: AgentSource;
  prices: PriceSource;
  risk: RiskEventSource;
  nodeHours: NodeHoursSource;
  switches: SwitchHistorySource;
  /** Absent until the decision loop publishes best plans: the optimization rate is then null. */
  bestPlan?: BestPlanSource;
  clock: Clock;
  /** How long store-backed answers are reused; default 15 s (agents: a third of it). */
  cacheMs?: number;
}

const HOUR = 3_600_000;
export const HOURS_PER_MONTH = 730;

/** Per-hour rates of the instances running now. */
export interface RunningRates {
  onDemandPerHour: number;
  actualPerHour: number;
  savingsPerHour: number;
  instances: number;
  unpricedInstances: number;
}

/**
 * The fleet numbers the console shows, per tenant (null: every tenant). Store-backed reads
 * are cached briefly (see {@link TtlCache}); prices are the catalog's current ones.
 */
export class FleetMetrics {
  private readonly agentCache: TtlCache<AgentRecord[]>;
  private readonly riskCache: TtlCache<RiskEventCount[]>;
  private readonly hoursCache: TtlCache<PoolHours[]>;
  private readonly switchCache: TtlCache<SwitchRecord[]>;
  private readonly answers: TtlCache<unknown>;

  constructor(private readonly d: FleetMetricsDeps) {
    const ttl = d.cacheMs ?? 15_000;
    this.agentCache = new TtlCache(d.clock, Math.floor(ttl / 3));
    this.riskCache = new TtlCache(d.clock, ttl);
    this.hoursCache = new TtlCache(d.clock, ttl);
    this.switchCache = new TtlCache(d.clock, ttl);
    this.answers = new TtlCache(d.clock, Math.floor(ttl / 3));
  }

  /**
   * A whole answer kept as briefly as the agent list it derives from (a third of the cache
   * period): derived answers over hundreds of nodes cost more to build than to keep.
   * `key` must name everything the answer depends on, the caller's tenant included.
   */
  cached<T>(key: string, build: () => Promise<T>): Promise<T> {
    return this.answers.get(key, build) as Promise<T>;
  }

  now(): number {
    return this.d.clock.now();
  }

  agents(tenant: string | null): Promise<AgentRecord[]> {
    return this.agentCache.get(key(tenant), () => this.d.agents.list(tenant));
  }

  /** Instances whose agents are connected now, by lifecycle and by cluster. */
  async activeInstances(tenant: string | null) {
    const active = (await this.agents(tenant)).filter((a) => a.connected);
    const clusters = new Map<string, { tenant: string; cluster: string; total: number; spot: number; onDemand: number }>();
    let spot = 0;
    let onDemand = 0;
    for (const a of active) {
      const k = `${a.tenant}\0${a.cluster}`;
      const c = clusters.get(k) ?? { tenant: a.tenant, cluster: a.cluster, total: 0, spot: 0, onDemand: 0 };
      c.total += 1;
      if (a.lifecycle === 'spot') {
        c.spot += 1;
        spot += 1;
      } else if (a.lifecycle === 'on-demand') {
        c.onDemand += 1;
        onDemand += 1;
      }
      clusters.set(k, c);
    }
    return {
      at: iso(this.now()),
      total: active.length,
      spot,
      onDemand,
      other: active.length - spot - onDemand,
      clusters: [...clusters.values()],
    };
  }

  /** Interruption notices + rebalance recommendations in the last `hours` (24 by default). */
  async riskDetected(tenant: string | null, hours = 24) {
    const to = this.now();
    const from = to - hours * HOUR;
    // The window moves with the clock; the cache key keeps it stable for a cache period.
    const rows = await this.riskCache.get(`${key(tenant)}|${hours}`, () => this.d.risk.countRiskEvents(tenant, from, to));
    const interruptions = sum(rows.filter((r) => r.kind === 'interruption'));
    const rebalances = sum(rows.filter((r) => r.kind === 'rebalance'));
    const clusters = new Map<string, { tenant: string; cluster: string; interruptions: number; rebalances: number }>();
    for (const r of rows) {
      const k = `${r.tenant}\0${r.cluster}`;
      const c = clusters.get(k) ?? { tenant: r.tenant, cluster: r.cluster, interruptions: 0, rebalances: 0 };
      if (r.kind === 'interruption') c.interruptions += r.count;
      else c.rebalances += r.count;
      clusters.set(k, c);
    }
    return { from: iso(from), to: iso(to), total: interruptions + rebalances, interruptions, rebalances, clusters: [...clusters.values()] };
  }

  /** What the instances running now cost per hour, and what they would on demand. */
  runningRates(tenant: string | null): Promise<RunningRates> {
    return this.cached(`running-rates|${key(tenant)}`, () => this.computeRunningRates(tenant));
  }

  private async computeRunningRates(tenant: string | null): Promise<RunningRates> {
    const out: RunningRates = { onDemandPerHour: 0, actualPerHour: 0, savingsPerHour: 0, instances: 0, unpricedInstances: 0 };
    for (const a of await this.agents(tenant)) {
      if (!a.connected) continue;
      out.instances += 1;
      const rate = nodeRate(this.d.prices, a.instanceType, a.availabilityZone, a.lifecycle);
      if (!rate) {
        out.unpricedInstances += 1;
        continue;
      }
      out.onDemandPerHour += rate.onDemandPerHour;
      out.actualPerHour += rate.actualPerHour;
    }
    out.savingsPerHour = out.onDemandPerHour - out.actualPerHour;
    return out;
  }

  /** Node-hours per pool in the last `days` (whole hours), cached. */
  poolHours(tenant: string | null, days: number): Promise<PoolHours[]> {
    const to = Math.floor(this.now() / HOUR) * HOUR + HOUR;
    return this.hoursCache.get(`${key(tenant)}|${days}`, () => this.d.nodeHours.poolHours(tenant, to - days * 24 * HOUR, to));
  }

  /** Realized savings over the last `days` and the monthly projection at today's fleet and prices. */
  costSavings(tenant: string | null, days = 30) {
    return this.cached(`cost-savings|${key(tenant)}|${days}`, () => this.computeCostSavings(tenant, days));
  }

  private async computeCostSavings(tenant: string | null, days: number) {
    const [rows, running] = await Promise.all([this.poolHours(tenant, days), this.runningRates(tenant)]);
    const realized: CostTotals = zeroTotals();
    for (const series of costSeries(rows, this.d.prices, 'day', 'total'))
      for (const p of series.points) {
        realized.onDemandUsd += p.onDemandUsd;
        realized.actualUsd += p.actualUsd;
        realized.nodeHours += p.nodeHours;
        realized.unpricedNodeHours += p.unpricedNodeHours;
      }
    realized.savingsUsd = realized.onDemandUsd - realized.actualUsd;
    const to = this.now();
    return {
      realized: {
        from: iso(to - days * 24 * HOUR),
        to: iso(to),
        ...round(realized),
        savingsPercent: percent(realized.savingsUsd, realized.onDemandUsd),
      },
      projectedMonthly: {
        hoursPerMonth: HOURS_PER_MONTH,
        onDemandUsd: money(running.onDemandPerHour * HOURS_PER_MONTH),
        actualUsd: money(running.actualPerHour * HOURS_PER_MONTH),
        savingsUsd: money(running.savingsPerHour * HOURS_PER_MONTH),
        savingsPercent: percent(running.savingsPerHour, running.onDemandPerHour),
        instances: running.instances,
        unpricedInstances: running.unpricedInstances,
      },
    };
  }

  /** On-demand vs actual cost per hour or day. */
  savingsOverview(tenant: string, mode: 'total' | 'cluster', bucket: Bucket, days: number): Promise<CostSeries[]> {
    return this.cached(`savings-overview|${key(tenant)}|${mode}|${bucket}|${days}`, async () =>
      costSeries(await this.poolHours(tenant, days), this.d.prices, bucket, mode),
    );
  }

  switches(tenant: string | null, hours: number): Promise<SwitchRecord[]> {
    return this.switchCache.get(`${key(tenant)}|${hours}`, () => this.d.switches.listSwitches(tenant, this.now() - hours * HOUR));
  }

  /** Executed switches in the last `hours`: counts by reason and the latest ones. */
  async optimizations(tenant: string | null, hours: number, limit: number) {
    const list = await this.switches(tenant, hours);
    const byReason: Record<string, number> = {};
    for (const s of list) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
    const to = this.now();
    return {
      from: iso(to - hours * HOUR),
      to: iso(to),
      total: list.length,
      byReason,
      expectedSavingsPerHour: money(list.reduce((n, s) => n + (s.expectedSavingsPerHour ?? 0), 0)),
      latest: list.slice(0, limit).map(({ atMs, ...s }) => ({ ...s, at: iso(atMs) })),
    };
  }

  /**
   * Realized savings ÷ the savings of the solver's best plan (ARCHITECTURE.md), both as
   * USD/hour now: what the running fleet saves vs what the best plan under the same
   * policies and overrides would. Null, with the reason, when there is no plan or it saves nothing.
   */
  async optimizationRate(tenant: string | null) {
    const [running, plan] = await Promise.all([this.runningRates(tenant), this.d.bestPlan?.bestPlan(tenant) ?? Promise.resolve(null)]);
    const realized = money(running.savingsPerHour);
    if (!plan) return { rate: null, reason: 'no best plan has been computed yet', realizedSavingsPerHour: realized, bestPlan: null };
    const best = { savingsPerHour: money(plan.savingsPerHour), computedAt: iso(plan.computedAtMs) };
    if (plan.savingsPerHour <= 0)
      return { rate: null, reason: 'the best plan saves nothing', realizedSavingsPerHour: realized, bestPlan: best };
    return {
      rate: Math.round((running.savingsPerHour / plan.savingsPerHour) * 10_000) / 10_000,
      reason: null,
      realizedSavingsPerHour: realized,
      bestPlan: best,
    };
  }
}

const key = (tenant: string | null) => (tenant === null ? '*' : `t:${tenant}`);
const sum = (rows: RiskEventCount[]) => rows.reduce((n, r) => n + r.count, 0);
const money = (usd: number) => Math.round(usd * 10_000) / 10_000;
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 100 : null);
export const iso = (ms: number) => new Date(ms).toISOString();

function round(t: CostTotals): CostTotals {
  return {
    onDemandUsd: money(t.onDemandUsd),
    actualUsd: money(t.actualUsd),
    savingsUsd: money(t.savingsUsd),
    nodeHours: t.nodeHours,
    unpricedNodeHours: t.unpricedNodeHours,
  };
}
