const HOUR_MS = 3_600_000;

/** Per-hour series for the chart and the JSON (index 0 = the first hour of the window). */
export interface HourlySeries {
  costUsd: number[];
  onDemandEquivalentUsd: number[];
  interruptions: number[];
  nodes: number[];
  spotNodes: number[];
  pendingPods: number[];
}

/**
 * What one strategy's replay measured. Costs are integrated minute by minute over the
 * instances alive at the start of each minute, at the price in effect then (spot: the pool's
 * spot price, as AWS bills running spot instances; on-demand: the catalog price).
 */
export class RunMetrics {
  costUsd = 0;
  /** The on-demand price of the same instances over the same time: the savings baseline. */
  onDemandEquivalentUsd = 0;
  interruptions = 0;
  rebalanceRecommendations = 0;
  scheduledEvents = 0;
  podsDisrupted = 0;
  podsLost = 0;
  pendingPodMinutes = 0;
  pdbViolations = 0;
  switches = 0;
  launches = 0;
  launchFailures = 0;
  nodeMinutes = 0;
  spotNodeMinutes = 0;
  wastedPodMs = 0;
  jobsCompleted = 0;
  /** Every interruption notice: when, where, and how long before it a rebalance recommendation came (null: none). */
  readonly notices: Array<{ atMs: number; poolId: string; warnedMinutesBefore: number | null }> = [];
  /** Node-minutes per pool id. */
  readonly poolMinutes = new Map<string, number>();
  readonly hourly: HourlySeries = { costUsd: [], onDemandEquivalentUsd: [], interruptions: [], nodes: [], spotNodes: [], pendingPods: [] };

  constructor(private readonly startMs: number) {}

  private hour(tMs: number): number {
    const h = Math.floor((tMs - this.startMs) / HOUR_MS);
    const s = this.hourly;
    while (s.costUsd.length <= h) {
      s.costUsd.push(0);
      s.onDemandEquivalentUsd.push(0);
      s.interruptions.push(0);
      s.nodes.push(0);
      s.spotNodes.push(0);
      s.pendingPods.push(0);
    }
    return h;
  }

  /** One minute of the fleet: its hourly prices, node counts and pending pods. */
  minute(tMs: number, pricePerHour: number, onDemandPerHour: number, nodes: number, spotNodes: number, pending: number): void {
    const h = this.hour(tMs);
    const s = this.hourly;
    this.costUsd += pricePerHour / 60;
    this.onDemandEquivalentUsd += onDemandPerHour / 60;
    this.nodeMinutes += nodes;
    this.spotNodeMinutes += spotNodes;
    this.pendingPodMinutes += pending;
    s.costUsd[h] = (s.costUsd[h] as number) + pricePerHour / 60;
    s.onDemandEquivalentUsd[h] = (s.onDemandEquivalentUsd[h] as number) + onDemandPerHour / 60;
    s.nodes[h] = Math.max(s.nodes[h] as number, nodes);
    s.spotNodes[h] = Math.max(s.spotNodes[h] as number, spotNodes);
    s.pendingPods[h] = Math.max(s.pendingPods[h] as number, pending);
  }

  poolMinute(poolId: string): void {
    this.poolMinutes.set(poolId, (this.poolMinutes.get(poolId) ?? 0) + 1);
  }

  interruption(tMs: number, poolId: string, rebalanceAtMs: number | null): void {
    this.interruptions++;
    this.notices.push({
      atMs: tMs,
      poolId,
      warnedMinutesBefore: rebalanceAtMs === null ? null : Math.round((tMs - rebalanceAtMs) / 60_000),
    });
    const h = this.hour(tMs);
    this.hourly.interruptions[h] = (this.hourly.interruptions[h] as number) + 1;
  }
}
