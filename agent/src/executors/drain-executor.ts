import { type Clock, createLogger, type Logger } from '@ballast/common';
import type { ClusterApi } from './cluster-port.ts';
import { type DrainDeps, DrainRun } from './drain-run.ts';
import type { DrainProgressEvent, DrainRequest, DrainResult } from './drain-types.ts';

export interface DrainExecutorOptions {
  cluster: ClusterApi;
  clock: Clock;
  /** Every drain's progress; the agent forwards these to the hub as drain-progress Events. Must not throw (it is guarded anyway). */
  onProgress?: (event: DrainProgressEvent) => void;
  log?: Logger;
  /** Jitter source for eviction backoff; injectable so tests can pin it. */
  random?: () => number;
}

/**
 * Drains nodes inside a deadline: cordon (and taint), evict every pod that must leave
 * through the Eviction API in parallel, retry budget refusals until the deadline, wait for
 * the pods to be gone, and report each step. A second `drain` of a node whose drain is still
 * running joins it and gets the same result: an interruption notice and a hub order for the
 * same node must not race each other's cordons and evictions.
 */
export class DrainExecutor {
  private readonly running = new Map<string, Promise<DrainResult>>();
  private readonly deps: DrainDeps;

  constructor(options: DrainExecutorOptions) {
    this.deps = {
      cluster: options.cluster,
      clock: options.clock,
      log: options.log ?? createLogger('drain', 'silent'),
      random: options.random ?? Math.random,
      onProgress: options.onProgress ?? (() => {}),
    };
  }

  /**
   * Rejects with a `DrainError` when the drain cannot run at all (node not found, API server
   * unreachable until the deadline, RBAC); pods that could not be moved are in the result.
   */
  drain(node: string, request: DrainRequest): Promise<DrainResult> {
    const current = this.running.get(node);
    if (current) {
      this.deps.log.info('drain: joining the drain already running', { node, reason: request.reason });
      return current;
    }
    const run = (async () => new DrainRun(this.deps, node, request).run())();
    const tracked = run.finally(() => this.running.delete(node));
    this.running.set(node, tracked);
    return tracked;
  }

  /** Nodes with a drain in progress. */
  draining(): string[] {
    return [...this.running.keys()];
  }
}
