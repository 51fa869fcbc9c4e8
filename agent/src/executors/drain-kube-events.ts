import type { Logger } from '@ballast/common';
import type { ClusterApi } from './cluster-port.ts';
import type { DrainProgressEvent, PdbRef, PodRef } from './drain-types.ts';

const podName = (p: PodRef) => `${p.namespace}/${p.name}`;

function pdbText(pdb: PdbRef | undefined): string {
  if (!pdb) return 'a PodDisruptionBudget';
  const s = pdb.status;
  const numbers = s
    ? ` (disruptionsAllowed ${s.disruptionsAllowed}, currentHealthy ${s.currentHealthy}, desiredHealthy ${s.desiredHealthy}, expectedPods ${s.expectedPods})`
    : '';
  return `PodDisruptionBudget ${pdb.namespace}/${pdb.name}${numbers}`;
}

/**
 * The Kubernetes Event, if any, for a progress event. Only what an operator running
 * `kubectl describe node` needs: that a drain ran, what blocked it, what was forced, how it
 * ended. Per-pod evictions are left to the pods' own events.
 */
export function kubeEventFor(
  e: DrainProgressEvent,
  reason: string,
): { reason: string; message: string; type: 'Normal' | 'Warning' } | undefined {
  switch (e.kind) {
    case 'cordoned':
      return { reason: 'DrainStarted', message: `Ballast is draining the node: ${reason}`, type: 'Normal' };
    case 'pod-blocked':
      return {
        reason: 'DrainBlocked',
        message: `Eviction of pod ${podName(e.pod)} is refused by ${pdbText(e.pdb)} with ${Math.round(e.timeLeftMs / 1000)}s to the deadline; ${e.willForce ? 'it will be deleted at the deadline' : 'it will be left running'}`,
        type: 'Warning',
      };
    case 'pod-forced':
      return {
        reason: 'ForcedAtDeadline',
        message: `Deleted pod ${podName(e.pod)} at the drain deadline although ${pdbText(e.pdb)} did not allow its eviction`,
        type: 'Warning',
      };
    case 'pod-failed':
      return { reason: 'DrainEvictionFailed', message: `Eviction of pod ${podName(e.pod)} failed: ${e.message}`, type: 'Warning' };
    case 'done': {
      const s = e.summary;
      const counts = `${s.evicted} evicted, ${s.blocked} blocked, ${s.forced} forced, ${s.refused} refused, ${s.failed} failed, ${s.notGone} not gone, ${s.skipped} skipped, in ${(s.durationMs / 1000).toFixed(1)}s`;
      return s.metDeadline
        ? { reason: 'DrainCompleted', message: `Drain completed before the deadline: ${counts}`, type: 'Normal' }
        : { reason: 'DrainIncomplete', message: `Drain did not complete cleanly by the deadline: ${counts}`, type: 'Warning' };
    }
    default:
      return undefined;
  }
}

/**
 * Writes those Events on the node without holding the drain up: a failed write is logged,
 * never thrown, and `flush` waits for the writes still in flight.
 */
export class DrainEventRecorder {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly cluster: ClusterApi,
    private readonly node: { name: string; uid: string },
    private readonly reason: string,
    private readonly log: Logger,
  ) {}

  record(e: DrainProgressEvent): void {
    if (e.dryRun) return;
    const ev = kubeEventFor(e, this.reason);
    if (!ev) return;
    const write = this.cluster
      .createEvent({ kind: 'Node', name: this.node.name, uid: this.node.uid }, ev)
      .catch((err: unknown) =>
        this.log.warn('drain: recording a Kubernetes event failed', { node: this.node.name, reason: ev.reason, err }),
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
