import type { EventRecord } from '../../store/metrics-store.ts';
import type { NodeSignals } from './live-engine-input.ts';

const KINDS: Record<string, keyof NodeSignals> = {
  spot_interruption: 'interruptionNoticeAtMs',
  rebalance_recommendation: 'rebalanceAtMs',
  scheduled_event: 'scheduledEventAtMs',
};

/**
 * The interruption notices, rebalance recommendations and scheduled events agents reported,
 * per node, for the decision loop. A node's entry is forgotten `keepMs` after its last
 * signal (its instance is gone by then, and a node name can come back).
 */
export class NodeSignalBook {
  private readonly nodes = new Map<string, { signals: NodeSignals; deadlineMs: number | null; lastMs: number }>();

  constructor(private readonly keepMs = 6 * 3_600_000) {}

  /** True when the event is a signal the engine acts on (and so worth a run now). */
  record(e: EventRecord): boolean {
    const field = KINDS[e.kind];
    if (!field) return false;
    const k = key(e.tenant, e.cluster, e.node);
    const entry = this.nodes.get(k) ?? {
      signals: { interruptionNoticeAtMs: null, rebalanceAtMs: null, scheduledEventAtMs: null },
      deadlineMs: null,
      lastMs: e.timeMs,
    };
    entry.signals[field] = Math.min(entry.signals[field] ?? e.timeMs, e.timeMs);
    if (field === 'interruptionNoticeAtMs' && e.deadlineMs > 0) entry.deadlineMs = e.deadlineMs;
    entry.lastMs = Math.max(entry.lastMs, e.timeMs);
    this.nodes.set(k, entry);
    return true;
  }

  signals(tenant: string, cluster: string, node: string, nowMs: number): NodeSignals | null {
    const entry = this.live(tenant, cluster, node, nowMs);
    return entry ? { ...entry.signals } : null;
  }

  /** The interruption notice's deadline (epoch ms), when one was reported. */
  noticeDeadline(tenant: string, cluster: string, node: string, nowMs: number): number | null {
    return this.live(tenant, cluster, node, nowMs)?.deadlineMs ?? null;
  }

  private live(tenant: string, cluster: string, node: string, nowMs: number) {
    const k = key(tenant, cluster, node);
    const entry = this.nodes.get(k);
    if (entry && nowMs - entry.lastMs > this.keepMs) {
      this.nodes.delete(k);
      return undefined;
    }
    return entry;
  }
}

const key = (t: string, c: string, n: string) => `${t}\u0000${c}\u0000${n}`;
