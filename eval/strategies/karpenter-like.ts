import type { ClusterNode } from '../cluster/cluster.ts';
import type { PoolInfo } from '../data/replay-data.ts';
import { afterNewNode, fitsElsewhere, holdsUndisruptable, podsOf, podsPerNewNode, provision, type Waiting } from './provisioning.ts';
import type { Strategy, StrategyWorld } from './strategy.ts';

const MINUTE_MS = 60_000;

export interface KarpenterOptions {
  name: string;
  /** Capacity types the NodePool allows. */
  capacityTypes: ReadonlyArray<'spot' | 'on-demand'>;
  /** Karpenter's unavailable-offerings cache after a failed launch. */
  iceCacheMs: number;
  /** Spot-to-spot consolidation needs at least this many cheaper instance types (Karpenter: 15). */
  spotToSpotMinTypes: number;
  /** How often consolidation is evaluated. */
  consolidateEveryMs: number;
}

/**
 * A Karpenter-like provisioner:
 * - provisioning: first-fit-decreasing on the cheapest offerings — each new node goes to the
 *   offering cheapest per pod it takes from the pending ones; spot when the NodePool allows
 *   it and a spot offering is available, on-demand only when every spot launch fails (a
 *   failed offering is skipped for 3 minutes);
 * - consolidation (WhenEmptyOrUnderutilized, one action at a time): delete empty nodes;
 *   delete a node whose pods fit on the others; replace a node with one cheaper node that
 *   takes its pods — spot-to-spot only when at least 15 cheaper instance types could; nodes
 *   with do-not-disrupt pods are left alone;
 * - interruption: drain on the notice; rebalance recommendations are not acted on.
 * Drains go through the eviction API and respect PDBs.
 */
export class KarpenterLike implements Strategy {
  readonly name: string;
  private readonly o: KarpenterOptions;
  private readonly unavailable = new Map<string, number>();
  private lastConsolidationMs = Number.NEGATIVE_INFINITY;
  private busy: Set<string> = new Set();
  private pendingChecks: Array<() => void> = [];

  constructor(options: Partial<KarpenterOptions> = {}) {
    this.o = {
      name: 'karpenter-like',
      capacityTypes: ['spot', 'on-demand'],
      iceCacheMs: 3 * MINUTE_MS,
      spotToSpotMinTypes: 15,
      consolidateEveryMs: 5 * MINUTE_MS,
      ...options,
    };
    this.name = this.o.name;
  }

  tick(w: StrategyWorld): void {
    this.runChecks();
    provision(
      w,
      (waiting) => this.cheapest(w, waiting),
      (p) => this.unavailable.set(p.poolId, w.nowMs + this.o.iceCacheMs),
    );
    const alive = new Set(w.nodes().map((n) => n.id));
    this.busy = new Set([...this.busy].filter((id) => alive.has(id)));
    if (w.nowMs - this.lastConsolidationMs >= this.o.consolidateEveryMs) {
      this.lastConsolidationMs = w.nowMs;
      this.consolidate(w);
    }
  }

  private offerings(w: StrategyWorld, capacity: 'spot' | 'on-demand'): PoolInfo[] {
    if (!this.o.capacityTypes.includes(capacity)) return [];
    const pools = capacity === 'spot' ? w.spotPools : w.onDemandPools;
    return pools.filter((p) => (this.unavailable.get(p.poolId) ?? 0) <= w.nowMs);
  }

  private price(w: StrategyWorld, p: PoolInfo): number {
    return p.capacityType === 'spot' ? (w.prices.spot(p) ?? Number.POSITIVE_INFINITY) : p.onDemandPrice;
  }

  /** The offering cheapest per pod it would take from the waiting ones: spot first, on-demand when no spot offering is left. */
  private cheapest(w: StrategyWorld, waiting: Waiting[]): PoolInfo | null {
    for (const capacity of ['spot', 'on-demand'] as const) {
      let best: PoolInfo | null = null;
      let bestCost = Number.POSITIVE_INFINITY;
      for (const p of this.offerings(w, capacity)) {
        const k = podsPerNewNode(w, p, waiting);
        if (k === 0) continue;
        const cost = this.price(w, p) / k;
        if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && best !== null && p.poolId < best.poolId)) {
          best = p;
          bestCost = cost;
        }
      }
      if (best) return best;
    }
    return null;
  }

  private consolidate(w: StrategyWorld): void {
    if (w.pending().length > 0 || this.busy.size > 0) return;
    const nodes = w.nodes().filter((n) => n.ready && !n.cordoned && n.noticeAtMs === null && !holdsUndisruptable(n));
    for (const n of nodes.filter((x) => x.pods.size === 0)) w.terminate(n);
    const candidates = nodes.filter((n) => n.pods.size > 0).sort((a, b) => a.pods.size - b.pods.size || w.pricePaid(b) - w.pricePaid(a));
    for (const n of candidates) {
      if (fitsElsewhere(w, n)) {
        this.drain(w, n, 'consolidation');
        return;
      }
    }
    for (const n of candidates) {
      const replacement = this.cheaperReplacement(w, n);
      if (!replacement) continue;
      const r = w.launch(replacement);
      if (!r.ok) {
        this.unavailable.set(replacement.poolId, w.nowMs + this.o.iceCacheMs);
        continue;
      }
      this.busy.add(r.node.id);
      this.whenReady(w, r.node, () => this.drain(w, n, 'switch'));
      return;
    }
  }

  /** One cheaper node that takes all the node's pods, if Karpenter would replace it. */
  private cheaperReplacement(w: StrategyWorld, n: ClusterNode): PoolInfo | null {
    const current = w.pricePaid(n);
    const pods = podsOf(n);
    const fits = (p: PoolInfo) => afterNewNode(w, p, pods).length === 0;
    const spot = n.pool.capacityType === 'spot';
    const options = [...this.offerings(w, 'spot'), ...(spot ? [] : this.offerings(w, 'on-demand'))].filter(
      (p) => this.price(w, p) < current && fits(p),
    );
    if (options.length === 0) return null;
    if (spot && new Set(options.map((p) => p.instanceType)).size < this.o.spotToSpotMinTypes) return null;
    return options.sort((a, b) => this.price(w, a) - this.price(w, b))[0] ?? null;
  }

  private drain(w: StrategyWorld, n: ClusterNode, purpose: 'consolidation' | 'switch'): void {
    this.busy.add(n.id);
    w.drain(n, {
      purpose,
      terminateWhenEmpty: true,
      onAbort: () => this.busy.delete(n.id),
    });
  }

  /** Polls until the node is Ready (Karpenter waits for its NodeClaim to initialise before draining the old one). */
  private whenReady(w: StrategyWorld, node: ClusterNode, then: () => void): void {
    const check = () => {
      if (!w.nodes().includes(node)) {
        this.busy.delete(node.id);
        return;
      }
      if (node.ready) {
        this.busy.delete(node.id);
        then();
        return;
      }
      this.pendingChecks.push(check);
    };
    this.pendingChecks.push(check);
  }

  /** Runs the readiness checks registered by replacements (each tick). */
  private runChecks(): void {
    const checks = this.pendingChecks;
    this.pendingChecks = [];
    for (const c of checks) c();
  }
}
