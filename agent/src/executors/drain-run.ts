import { type Clock, exponentialBackoff, type Logger } from '@ballast/common';
import { findBlockingBudget } from './budget-lookup.ts';
import { createLimiter, sleep } from './clock-sleep.ts';
import { type ClusterApi, type ClusterPod, isClusterApiError } from './cluster-port.ts';
import { dryRunPod } from './drain-dry-run.ts';
import { DrainEventRecorder } from './drain-kube-events.ts';
import { type PlannedEviction, planDrain, resolvePolicy } from './drain-plan.ts';
import { summarize } from './drain-summary.ts';
import {
  DrainError,
  type DrainPolicy,
  type DrainProgressEvent,
  type DrainRequest,
  type DrainResult,
  type Emit,
  type PdbRef,
  type PodReport,
} from './drain-types.ts';
import { type EvictionContext, evictUntilDeadline } from './pod-eviction.ts';
import { PodGoneTracker } from './pod-gone-tracker.ts';

export interface DrainDeps {
  cluster: ClusterApi;
  clock: Clock;
  log: Logger;
  random: () => number;
  onProgress: (e: DrainProgressEvent) => void;
}

/** One drain of one node, start to finish. */
export class DrainRun {
  private readonly policy: DrainPolicy;
  private readonly dryRun: boolean;
  private readonly startMs: number;
  private readonly reports: PodReport[] = [];
  private readonly background: Promise<void>[] = [];
  private recorder?: DrainEventRecorder;
  private firstAnswers = 0;
  private issuedAtMs: number | null = null;
  private acceptedAtMs: number | null = null;

  constructor(
    private readonly deps: DrainDeps,
    private readonly node: string,
    private readonly request: DrainRequest,
  ) {
    this.policy = resolvePolicy(request);
    this.dryRun = request.dryRun === true;
    this.startMs = deps.clock.now();
  }

  async run(): Promise<DrainResult> {
    const { cluster } = this.deps;
    const node = await this.nodeCall('read node', () => cluster.getNode(this.node));
    this.recorder = new DrainEventRecorder(cluster, { name: node.name, uid: node.uid }, this.request.reason, this.deps.log);
    if (!this.dryRun) {
      await this.nodeCall('cordon node', () => cluster.cordon(this.node));
      const taint = this.request.taint;
      if (taint) await this.nodeCall('taint node', () => cluster.addTaint(this.node, taint));
    }
    this.emit(this.request.taint ? { kind: 'cordoned', taint: this.request.taint } : { kind: 'cordoned' });
    if (!this.dryRun) await sleep(this.deps.clock, Math.min(this.policy.preDrainHookMs, this.timeLeft() - this.policy.safetyMarginMs));

    // Listed after the cordon and the hook: nothing new can land, and this is the world we act on.
    const plan = planDrain(await this.nodeCall('list pods', () => cluster.listPodsOnNode(this.node)), this.policy);
    for (const { ref, reason } of plan.skip) {
      this.emit({ kind: 'pod-skipped', pod: ref, reason });
      this.reports.push({ pod: ref, outcome: 'skipped', skipReason: reason });
    }
    if (this.dryRun) {
      const ctx = {
        ...this.deps,
        policy: this.policy,
        deadlineMs: this.request.deadlineMs,
        emit: this.emit,
        report: (r: PodReport) => this.reports.push(r),
      };
      await Promise.all(plan.evict.map((p) => dryRunPod(ctx, p)));
    } else {
      const tracker = new PodGoneTracker(
        cluster,
        this.deps.clock,
        this.node,
        this.request.deadlineMs,
        this.policy.goneCheckIntervalMs,
        this.deps.log,
      );
      const ctx = this.evictionContext(plan.evict.length);
      await Promise.all(plan.evict.map((p) => this.drainPod(p, tracker, ctx)));
    }
    await Promise.all(this.background);
    const summary = summarize(this.reports, {
      dryRun: this.dryRun,
      durationMs: this.deps.clock.now() - this.startMs,
      finishedInTime: this.deps.clock.now() <= this.request.deadlineMs,
      evictionsIssuedMs: this.issuedAtMs,
      evictionsAcceptedMs: this.acceptedAtMs,
    });
    this.emit({ kind: 'done', summary });
    await this.recorder.flush();
    const blocked = this.reports.filter((r) => r.outcome === 'blocked');
    return {
      node: this.node,
      reason: this.request.reason,
      dryRun: this.dryRun,
      deadlineMs: this.request.deadlineMs,
      summary,
      pods: this.reports,
      blocked,
    };
  }

  private evictionContext(total: number): Omit<EvictionContext, 'onEvicting' | 'onBlockedNearDeadline'> {
    return {
      cluster: this.deps.cluster,
      clock: this.deps.clock,
      policy: this.policy,
      deadlineMs: this.request.deadlineMs,
      random: this.deps.random,
      limit: createLimiter(this.policy.concurrency),
      onFirstAnswer: () => {
        this.firstAnswers += 1;
        if (this.firstAnswers === total) this.issuedAtMs = this.deps.clock.now() - this.startMs;
      },
    };
  }

  private async drainPod(p: PlannedEviction, tracker: PodGoneTracker, base: ReturnType<DrainRun['evictionContext']>): Promise<void> {
    const pod = p.ref;
    let announced: Promise<PdbRef | undefined> | undefined;
    const end = await evictUntilDeadline(
      {
        ...base,
        onEvicting: (graceSeconds) => this.emit({ kind: 'pod-evicting', pod, graceSeconds }),
        onBlockedNearDeadline: (refusal, timeLeftMs) => {
          announced = this.budget(p.pod, refusal.pdbName);
          const willForce = this.policy.forceAtDeadline;
          this.track(
            announced.then((pdb) =>
              this.emit({ kind: 'pod-blocked', pod, message: refusal.message, timeLeftMs, willForce, ...(pdb ? { pdb } : {}) }),
            ),
          );
        },
      },
      p,
    );
    if (end.outcome === 'gone') {
      this.emit({ kind: 'pod-gone', pod });
      this.reports.push({ pod, outcome: 'gone', message: 'already gone' });
    } else if (end.outcome === 'failed') {
      this.emit({ kind: 'pod-failed', pod, message: end.message });
      this.reports.push({ pod, outcome: 'failed', message: end.message });
    } else if (end.outcome === 'evicted') {
      this.acceptedAtMs = this.deps.clock.now() - this.startMs;
      this.emit({ kind: 'pod-evicted', pod, graceSeconds: end.graceSeconds, attempts: end.attempts });
      const gone = await tracker.waitGone(pod.uid);
      if (gone) this.emit({ kind: 'pod-gone', pod });
      this.reports.push({ pod, outcome: gone ? 'evicted' : 'not-gone', graceSeconds: end.graceSeconds });
    } else {
      const pdb = await (announced ?? this.budget(p.pod, end.pdbName));
      if (!announced)
        this.emit({
          kind: 'pod-blocked',
          pod,
          message: end.message,
          timeLeftMs: 0,
          willForce: this.policy.forceAtDeadline,
          ...(pdb ? { pdb } : {}),
        });
      if (this.policy.forceAtDeadline) await this.force(p, pdb, end.message);
      else this.reports.push({ pod, outcome: 'blocked', message: end.message, ...(pdb ? { pdb } : {}) });
    }
  }

  /** At the deadline the node is lost either way; deleting the object lets the owner recreate the pod now. */
  private async force(p: PlannedEviction, pdb: PdbRef | undefined, message: string): Promise<void> {
    const pod = p.ref;
    try {
      await this.deps.cluster.deletePod(pod.namespace, pod.name, 0, { uid: pod.uid });
      this.emit({ kind: 'pod-forced', pod, ...(pdb ? { pdb } : {}) });
      this.reports.push({ pod, outcome: 'forced', message, ...(pdb ? { pdb } : {}) });
    } catch (err) {
      if (isClusterApiError(err, 'not-found') || isClusterApiError(err, 'conflict')) {
        this.emit({ kind: 'pod-gone', pod });
        this.reports.push({ pod, outcome: 'gone', message: 'left before it was forced' });
      } else
        this.reports.push({ pod, outcome: 'blocked', message: `force delete failed: ${(err as Error).message}`, ...(pdb ? { pdb } : {}) });
    }
  }

  /** Node-level calls retry an unreachable API server until the deadline; anything else ends the drain. */
  private async nodeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (isClusterApiError(err, 'not-found'))
          throw new DrainError('node-not-found', this.node, `node "${this.node}" not found`, { cause: err });
        const retryable = isClusterApiError(err, 'unavailable') || isClusterApiError(err, 'conflict');
        const wait = exponentialBackoff(attempt, this.policy.evictionRetryMinMs, this.policy.evictionRetryMaxMs, this.deps.random);
        if (!retryable || wait >= this.timeLeft()) {
          const code = retryable ? 'cluster-unavailable' : 'cluster-error';
          throw new DrainError(code, this.node, `drain ${this.node}: ${what} failed: ${(err as Error).message}`, { cause: err });
        }
        this.deps.log.warn(`drain: ${what} failed; retrying`, { node: this.node, attempt, err });
        await sleep(this.deps.clock, wait);
      }
    }
  }

  private timeLeft(): number {
    return this.request.deadlineMs - this.deps.clock.now();
  }

  private budget(pod: ClusterPod, pdbName: string | undefined): Promise<PdbRef | undefined> {
    return findBlockingBudget(this.deps.cluster, this.deps.log, pod, pdbName);
  }

  private track(p: Promise<void>): void {
    this.background.push(p);
  }

  /** An arrow, so the dry run can be handed it. */
  private readonly emit: Emit = (partial) => {
    const e = { ...partial, node: this.node, atMs: this.deps.clock.now(), dryRun: this.dryRun } as DrainProgressEvent;
    try {
      this.deps.onProgress(e);
    } catch (err) {
      this.deps.log.warn('drain: progress listener threw', { node: this.node, kind: e.kind, err });
    }
    this.recorder?.record(e);
  };
}
