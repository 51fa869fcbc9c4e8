import type { Clock, Logger } from '@ballast/common';
import { sleep } from './clock-sleep.ts';
import type { ClusterApi } from './cluster-port.ts';

/**
 * Tells each evicted pod's waiter when the pod has left the node. One list of the node's
 * pods per interval serves every waiter, so a 100-pod drain costs one request per interval,
 * not one per pod. Pods are matched by uid: a StatefulSet replacement with the same name is
 * a different pod.
 */
export class PodGoneTracker {
  private readonly waiters = new Map<string, (gone: boolean) => void>();
  private polling = false;

  constructor(
    private readonly cluster: ClusterApi,
    private readonly clock: Clock,
    private readonly node: string,
    private readonly deadlineMs: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Resolves true once the pod is gone, false if it is still there at the deadline. */
  waitGone(uid: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiters.set(uid, resolve);
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        const left = this.deadlineMs - this.clock.now();
        await sleep(this.clock, Math.max(0, Math.min(this.intervalMs, left)));
        await this.check();
        if (this.clock.now() >= this.deadlineMs) break;
      }
    } finally {
      this.polling = false;
    }
    for (const [uid, resolve] of this.waiters) {
      this.waiters.delete(uid);
      resolve(false);
    }
  }

  private async check(): Promise<void> {
    try {
      const present = new Set((await this.cluster.listPodsOnNode(this.node)).map((p) => p.uid));
      for (const [uid, resolve] of this.waiters) {
        if (present.has(uid)) continue;
        this.waiters.delete(uid);
        resolve(true);
      }
    } catch (err) {
      // The next turn tries again; the deadline bounds the wait either way.
      this.log.warn('drain: listing pods to see which are gone failed', { node: this.node, err });
    }
  }
}
