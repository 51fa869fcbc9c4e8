import type { ClusterNode } from '../../cluster/cluster.ts';

interface PoolRecord {
  /** [start, end) of each instance that ran in the pool; end null while it runs. */
  intervals: Array<{ nodeId: string; startMs: number; endMs: number | null }>;
  notices: number[];
  rebalances: number[];
  launchFailures: number[];
}

export interface PoolEvidenceWindow {
  instanceHours: number;
  interruptions: number;
  rebalanceRecommendations: number;
  launchFailuresMs: number[];
}

/**
 * What Ballast has seen of each pool through its own fleet — the evidence a hub gathers
 * from its agents and the cloud API: how long its instances ran there, the interruption
 * notices and rebalance recommendations they received, the launches AWS refused. Nothing
 * else: the simulator's hazard never enters here.
 */
export class FleetEvidence {
  private readonly pools = new Map<string, PoolRecord>();
  private readonly open = new Map<string, { poolId: string; record: PoolRecord['intervals'][number] }>();

  private record(poolId: string): PoolRecord {
    let r = this.pools.get(poolId);
    if (!r) {
      r = { intervals: [], notices: [], rebalances: [], launchFailures: [] };
      this.pools.set(poolId, r);
    }
    return r;
  }

  /** Follows the fleet: new nodes open an interval, vanished ones close theirs. */
  observeNodes(nodes: readonly ClusterNode[], nowMs: number): void {
    const alive = new Set<string>();
    for (const n of nodes) {
      alive.add(n.id);
      if (this.open.has(n.id)) continue;
      const rec = { nodeId: n.id, startMs: n.launchedAtMs, endMs: null };
      this.record(n.pool.poolId).intervals.push(rec);
      this.open.set(n.id, { poolId: n.pool.poolId, record: rec });
    }
    for (const [id, o] of this.open) {
      if (alive.has(id)) continue;
      o.record.endMs = nowMs;
      this.open.delete(id);
    }
  }

  notice(poolId: string, atMs: number): void {
    this.record(poolId).notices.push(atMs);
  }

  rebalance(poolId: string, atMs: number): void {
    this.record(poolId).rebalances.push(atMs);
  }

  launchFailure(poolId: string, atMs: number): void {
    this.record(poolId).launchFailures.push(atMs);
  }

  /** The evidence in [fromMs, nowMs]: instance-hours overlapping it, events inside it; launch failures of the last `failureLookbackMs`. */
  window(poolId: string, fromMs: number, nowMs: number, failureLookbackMs: number): PoolEvidenceWindow {
    const r = this.pools.get(poolId);
    if (!r) return { instanceHours: 0, interruptions: 0, rebalanceRecommendations: 0, launchFailuresMs: [] };
    let ms = 0;
    for (const i of r.intervals) ms += Math.max(0, Math.min(i.endMs ?? nowMs, nowMs) - Math.max(i.startMs, fromMs));
    const within = (ts: number[], from: number) => ts.filter((t) => t >= from && t <= nowMs);
    return {
      instanceHours: ms / 3_600_000,
      interruptions: within(r.notices, fromMs).length,
      rebalanceRecommendations: within(r.rebalances, fromMs).length,
      launchFailuresMs: within(r.launchFailures, nowMs - failureLookbackMs),
    };
  }

  /** Drops what fell out of every window (closed intervals and events older than `beforeMs`). */
  prune(beforeMs: number): void {
    for (const r of this.pools.values()) {
      r.intervals = r.intervals.filter((i) => i.endMs === null || i.endMs >= beforeMs);
      r.notices = r.notices.filter((t) => t >= beforeMs);
      r.rebalances = r.rebalances.filter((t) => t >= beforeMs);
      r.launchFailures = r.launchFailures.filter((t) => t >= beforeMs);
    }
  }
}
