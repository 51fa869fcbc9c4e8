import { Rng } from '../../sim/src/core/rng.ts';
import { InterruptionEngine } from '../../sim/src/market/interruption-engine.ts';
import { SpotMarket } from '../../sim/src/market/spot-market.ts';
import { Cluster, type ClusterNode } from '../cluster/cluster.ts';
import { Drainer } from '../cluster/drainer.ts';
import type { WorkloadSpec } from '../cluster/workloads.ts';
import type { PoolInfo, ReplayData } from '../data/replay-data.ts';
import type { AwsView, LaunchResult, PublicPrices, Strategy, StrategyWorld, WorldDrainOptions } from '../strategies/strategy.ts';
import { PriceBook } from './price-book.ts';
import { RunMetrics } from './run-metrics.ts';
import { SlotFleet } from './slot-fleet.ts';
import { VirtualClock } from './virtual-clock.ts';

const MINUTE_MS = 60_000;

export interface WorldOptions {
  data: ReplayData;
  seed: number;
  workloads: WorkloadSpec[];
  fromMs: number;
  toMs: number;
  /** Reserved per node for the kubelet, system daemons and DaemonSets. */
  overhead: { cpuMillis: number; memoryMib: number };
  /** Launch to running (EC2 boot). */
  bootMs: number;
  /** Running to Ready (kubelet joins, CNI ready). */
  joinMs: number;
}

/**
 * One strategy's replay: the simulator's spot market (recorded prices, seeded pool capacity)
 * and interruption engine over this strategy's own instances, the cluster, and the
 * accounting, stepped minute by minute in virtual time. Worlds built with the same seed draw
 * the same capacities and the same interruption per (pool, slot, minute), so strategies
 * differ by what they do, not by the draw.
 */
export class World implements StrategyWorld {
  readonly clock: VirtualClock;
  readonly metrics: RunMetrics;
  readonly cluster: Cluster;
  readonly spotPools: readonly PoolInfo[];
  readonly onDemandPools: readonly PoolInfo[];
  readonly prices: PublicPrices;
  readonly overhead: { cpuMillis: number; memoryMib: number };
  readonly workloads: readonly WorkloadSpec[];
  private readonly market: SpotMarket;
  private readonly fleet: SlotFleet;
  private readonly engine: InterruptionEngine;
  private readonly drainer: Drainer;
  private readonly byInstance = new Map<string, ClusterNode>();
  private readonly voluntary = new Set<string>();
  private readonly seenEvents = new Set<string>();
  private strategy: Strategy | null = null;
  private launchSeq = 0;
  private readonly book: PriceBook;

  constructor(private readonly o: WorldOptions) {
    this.clock = new VirtualClock(o.fromMs);
    this.metrics = new RunMetrics(o.fromMs);
    const rng = new Rng(o.seed);
    this.market = new SpotMarket({
      rng,
      startMs: o.fromMs,
      catalog: o.data.catalog,
      advisor: o.data.advisor,
      history: o.data.history,
      zones: o.data.zones,
    });
    this.fleet = new SlotFleet(this.clock);
    this.market.capacity.track(this.fleet.asFleet());
    this.engine = new InterruptionEngine({
      fleet: this.fleet.asFleet(),
      market: this.market,
      clock: this.clock,
      rng: rng.fork('interruptions'),
    });
    this.cluster = new Cluster(this.clock, o.workloads, this.metrics);
    this.drainer = new Drainer(this.clock, this.cluster);
    this.spotPools = o.data.spotPools;
    this.onDemandPools = o.data.onDemandPools;
    this.overhead = o.overhead;
    this.workloads = o.workloads;
    const market = this.market;
    const clock = this.clock;
    const book = new PriceBook(market);
    this.book = book;
    const poolsByKey = new Map(o.data.spotPools.map((p) => [`${p.instanceType}|${p.zone}`, p]));
    this.prices = {
      spot: (p) => {
        const info = 'poolId' in p ? (p as PoolInfo) : poolsByKey.get(`${p.instanceType}|${p.zone}`);
        return info ? book.spot(info, clock.now()) : market.spotPrice(p.instanceType, p.zone, clock.now());
      },
      changes: (p, from, to) => market.priceChanges(p.instanceType, p.zone, from, Math.min(to, clock.now())),
      onDemand: (t) => market.onDemandPrice(t) ?? Number.NaN,
    };
    this.wireFleetEvents();
  }

  get nowMs(): number {
    return this.clock.now();
  }

  /** AWS's view of its pools, for the strategies that model AWS's allocation. */
  awsView(): AwsView {
    const market = this.market;
    const clock = this.clock;
    return {
      hazardPerHour: (p) => market.interruptionHazardPerHour(p.instanceType, p.zone, clock.now()),
      available: (p) => market.capacity.available(p.instanceType, p.zone),
    };
  }

  nodes(): ClusterNode[] {
    return [...this.cluster.nodes.values()];
  }

  pending() {
    return this.cluster.pending();
  }

  status(w: WorkloadSpec) {
    return this.cluster.status(w);
  }

  pricePaid(node: ClusterNode): number {
    if (node.pool.capacityType === 'on-demand') return node.pool.onDemandPrice;
    return this.book.spot(node.pool, this.clock.now()) ?? node.pool.onDemandPrice;
  }

  launch(pool: PoolInfo): LaunchResult {
    if (this.market.capacity.available(pool.instanceType, pool.zone) <= 0) {
      this.metrics.launchFailures++;
      this.strategy?.onLaunchFailure?.(this, pool);
      return { ok: false, reason: 'InsufficientInstanceCapacity' };
    }
    const inst = this.fleet.launch({
      instanceType: pool.instanceType,
      availabilityZone: pool.zone,
      capacityType: pool.capacityType,
      bootMs: this.o.bootMs,
    });
    this.metrics.launches++;
    const node: ClusterNode = {
      id: `${inst.id}/${++this.launchSeq}`,
      instanceId: inst.id,
      pool,
      allocCpu: Math.max(0, pool.vcpu * 1000 - this.overhead.cpuMillis),
      allocMem: Math.max(0, pool.memoryMib - this.overhead.memoryMib),
      usedCpu: 0,
      usedMem: 0,
      pods: new Set(),
      ready: false,
      cordoned: false,
      launchedAtMs: this.clock.now(),
      drain: null,
      noticeAtMs: null,
      rebalanceAtMs: null,
      scheduledEventAtMs: null,
    };
    this.cluster.addNode(node);
    this.byInstance.set(inst.id, node);
    this.clock.setTimeout(() => {
      if (!this.cluster.nodes.has(node.id)) return;
      this.cluster.markReady(node.id);
      this.cluster.schedule();
    }, this.o.bootMs + this.o.joinMs);
    return { ok: true, node };
  }

  drain(node: ClusterNode, opts: WorldDrainOptions): void {
    this.drainer.start(node, {
      purpose: opts.purpose,
      voluntary: opts.purpose === 'switch' || opts.purpose === 'consolidation',
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.onAbort ? { onAbort: opts.onAbort } : {}),
      onEmpty: () => {
        opts.onEmpty?.();
        if (!opts.terminateWhenEmpty || !this.cluster.nodes.has(node.id)) return;
        if (node.drain?.purpose === 'switch') this.metrics.switches++;
        this.terminate(node);
      },
    });
  }

  terminate(node: ClusterNode): void {
    if (!this.cluster.nodes.has(node.id)) return;
    this.voluntary.add(node.id);
    this.fleet.terminate(node.instanceId, 'User initiated');
  }

  isDraining(node: ClusterNode): boolean {
    return this.drainer.isDraining(node.id);
  }

  async run(strategy: Strategy): Promise<RunMetrics> {
    this.strategy = strategy;
    await strategy.start?.(this);
    const first = Math.ceil(this.o.fromMs / MINUTE_MS);
    const last = Math.floor(this.o.toMs / MINUTE_MS);
    for (let m = first; m < last; m++) {
      const t = m * MINUTE_MS;
      this.clock.advanceTo(t);
      this.cluster.reconcile();
      this.engine.tick(m);
      this.scanScheduledEvents();
      this.cluster.schedule();
      await strategy.tick(this);
      this.cluster.schedule();
      this.account(t);
    }
    await strategy.stop?.();
    return this.metrics;
  }

  private account(t: number): void {
    let price = 0;
    let od = 0;
    let spot = 0;
    for (const n of this.cluster.nodes.values()) {
      price += this.pricePaid(n);
      od += n.pool.onDemandPrice;
      if (n.pool.capacityType === 'spot') spot++;
      this.metrics.poolMinute(n.pool.poolId);
    }
    this.metrics.minute(t, price, od, this.cluster.nodes.size, spot, this.cluster.pendingCount);
  }

  private wireFleetEvents(): void {
    this.fleet.on('interruption-notice', (inst) => {
      const node = this.byInstance.get(inst.id);
      if (!node) return;
      node.noticeAtMs = this.clock.now();
      this.metrics.interruption(this.clock.now(), node.pool.poolId, node.rebalanceAtMs);
      // The node's agent drains at once; AWS takes the instance two minutes after the notice.
      this.drainer.start(node, { purpose: 'interruption', voluntary: false });
      this.strategy?.onNotice?.(this, node);
    });
    this.fleet.on('rebalance', (inst) => {
      const node = this.byInstance.get(inst.id);
      if (!node) return;
      node.rebalanceAtMs = this.clock.now();
      this.metrics.rebalanceRecommendations++;
      this.strategy?.onRebalance?.(this, node);
    });
    this.fleet.on('terminated', (inst) => {
      const node = this.byInstance.get(inst.id);
      if (!node) return;
      this.byInstance.delete(inst.id);
      const voluntary = this.voluntary.delete(node.id);
      this.cluster.removeNode(node.id, voluntary);
      this.cluster.schedule();
    });
  }

  /** Scheduled retirements appear in the instance's events (IMDS / DescribeInstanceStatus), not as a push. */
  private scanScheduledEvents(): void {
    for (const inst of this.fleet.list()) {
      for (const e of inst.scheduledEvents) {
        if (e.state !== 'active' || this.seenEvents.has(e.eventId)) continue;
        this.seenEvents.add(e.eventId);
        const node = this.byInstance.get(inst.id);
        if (!node) continue;
        node.scheduledEventAtMs = e.notBeforeMs;
        this.metrics.scheduledEvents++;
        const handled = this.strategy?.onScheduledEvent?.(this, node) ?? false;
        if (!handled) this.drain(node, { purpose: 'scheduled-event', terminateWhenEmpty: true });
      }
    }
  }
}
