import type { VirtualClock } from '../world/virtual-clock.ts';
import type { Cluster, ClusterNode, DrainPurpose } from './cluster.ts';

/** How often a drain retries evictions the PDB refused (kubectl drain and NTH retry every few seconds). */
const RETRY_MS = 5_000;

export interface DrainOptions {
  purpose: DrainPurpose;
  /** Chosen by the strategy (a switch, a consolidation) rather than forced by AWS. */
  voluntary: boolean;
  /** Called once the node holds no pods at all (terminating ones gone too). */
  onEmpty?: () => void;
  /** A voluntary drain gives up after this long and uncordons the node. */
  timeoutMs?: number;
  onAbort?: () => void;
}

interface Running {
  opts: DrainOptions;
  startedAtMs: number;
}

/**
 * Cordon and drain through the eviction API, as kubectl drain, NTH and Karpenter do: every
 * pod is evicted as soon as its PDB allows, refused evictions are retried, and the node is
 * handed back (onEmpty) when nothing is left on it. An interruption notice takes over a
 * drain already under way (AWS will not wait for it).
 */
export class Drainer {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly cluster: Cluster,
  ) {}

  start(node: ClusterNode, opts: DrainOptions): void {
    const existing = this.running.get(node.id);
    if (existing) {
      if (opts.purpose === 'interruption' || opts.purpose === 'scheduled-event') {
        // Keep the strategy's callbacks (it still wants to know), but no timeout any more: the node is going.
        existing.opts = { ...existing.opts, purpose: opts.purpose, voluntary: false, onEmpty: existing.opts.onEmpty ?? opts.onEmpty };
        delete existing.opts.timeoutMs;
        node.drain = { purpose: opts.purpose, voluntary: false };
      }
      return;
    }
    this.running.set(node.id, { opts, startedAtMs: this.clock.now() });
    node.cordoned = true;
    node.drain = { purpose: opts.purpose, voluntary: opts.voluntary };
    this.step(node);
  }

  isDraining(id: string): boolean {
    return this.running.has(id);
  }

  private step(node: ClusterNode): void {
    const r = this.running.get(node.id);
    if (!r || !this.cluster.nodes.has(node.id)) {
      this.running.delete(node.id);
      return;
    }
    for (const p of [...node.pods]) if (p.state !== 'terminating') this.cluster.evict(p);
    if (node.pods.size === 0) {
      this.running.delete(node.id);
      r.opts.onEmpty?.();
      return;
    }
    const t = r.opts.timeoutMs;
    if (t !== undefined && this.clock.now() - r.startedAtMs >= t) {
      this.running.delete(node.id);
      node.cordoned = false;
      node.drain = null;
      r.opts.onAbort?.();
      return;
    }
    this.clock.setTimeout(() => this.step(node), RETRY_MS);
  }
}
