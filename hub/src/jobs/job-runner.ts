import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Logger } from '@ballast/common';
import type { MetadataStore } from '../state/metadata-store.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import { JobRunRepository } from '../state/repositories/job-run-repository.ts';
import type { ClaimedJob, JobRecord } from '../state/repositories/job-types.ts';
import { auditJob, RUNNER_ACTOR } from './job-audit.ts';
import { executeJob, type JobChangeListener, notifyJobChange } from './job-execution.ts';
import type { JobKindRegistry } from './job-kind-registry.ts';

export interface JobRunnerOptions {
  store: MetadataStore;
  kinds: JobKindRegistry;
  clock: Clock;
  log: Logger;
  /** Names this runner in claims and the audit log. Default: host, PID and a random suffix. */
  runnerId?: string;
  /** How long a claim lasts without renewal; another hub takes the job over after it. Default 60 s. */
  leaseMs?: number;
  /** How often to look for jobs nobody woke this runner for (other hubs', expired leases). Default 5 s. */
  pollMs?: number;
  /** Jobs run at once. Default 2. */
  concurrency?: number;
  /** Real ms shutdown waits for steps in flight before leaving them to their leases. Default 10 s. */
  shutdownGraceMs?: number;
  /** Failures of one step before its job fails. Default 5. */
  maxStepFailures?: number;
  /** Back-off after a retryable step failure: doubles from this, up to retryMaxMs. Defaults 5 s and 5 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Hears every job this runner claims or changes; more can be added with {@link JobRunner.onChange}. */
  onChange?: JobChangeListener;
}

interface Running {
  promise: Promise<void>;
  controller: AbortController;
  heartbeat: ReturnType<Clock['setTimeout']> | null;
}

/**
 * Runs jobs from the metadata store: claims runnable ones for a lease, runs their steps,
 * renews the lease while it works. Jobs live in the store, not in this process, so a hub
 * that restarts picks up its pending and interrupted jobs again; a job whose hub died is
 * taken over once its lease runs out, and claims keep two hubs off the same job.
 *
 * Start/Shutdown lifecycle; Shutdown is safe before Start and twice. Timers use the
 * injected clock (so tests and the sim drive leases and waits), except the shutdown grace,
 * which bounds real waiting on real I/O.
 */
export class JobRunner {
  readonly runnerId: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly running = new Map<string, Running>();
  /** Wake-ups for parked jobs. */
  private readonly timers = new Set<ReturnType<Clock['setTimeout']>>();
  private pollTimer: ReturnType<Clock['setTimeout']> | null = null;
  private readonly ticks = new Set<Promise<void>>();
  private started = false;
  private stopping = false;
  private ticking = false;
  private again = false;
  private readonly listeners = new Set<JobChangeListener>();

  constructor(private readonly o: JobRunnerOptions) {
    this.runnerId = o.runnerId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollMs = o.pollMs ?? 5_000;
    this.concurrency = o.concurrency ?? 2;
    if (o.onChange) this.listeners.add(o.onChange);
  }

  /**
   * Hears each job this runner changes, after the change committed: claimed (running), each
   * step started and ended (progress), parked, handed back, finished. Returns the way to stop.
   */
  onChange(listener: JobChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private readonly notify = (job: JobRecord): void => {
    for (const l of this.listeners) notifyJobChange(l, job);
  };

  /** Begins claiming: at once (resuming what an earlier run left), then on every wake and poll. */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    this.o.log.info('job runner started', { runner: this.runnerId, kinds: this.o.kinds.names() });
    this.wake();
  }

  /** Looks for work now (a job was created, approved or retried). */
  wake(): void {
    if (!this.started || this.stopping) return;
    setImmediate(() => this.runTick());
  }

  /** Jobs this runner is running now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Stops claiming, asks running jobs to stop at their next step boundary (they are handed
   * back for any runner to resume), and waits up to the grace for them. A step still in
   * flight after it keeps its claim until the lease expires: handing it back early could
   * let another runner act while it does.
   */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) this.o.clock.clearTimeout(t);
    this.timers.clear();
    if (this.pollTimer) this.o.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    // A claim in flight either lands before this (and its job is aborted below) or is handed back.
    await Promise.allSettled([...this.ticks]);
    for (const r of this.running.values()) r.controller.abort();
    const all = Promise.allSettled([...this.running.values()].map((r) => r.promise));
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), this.o.shutdownGraceMs ?? 10_000);
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), grace]);
    clearTimeout(graceTimer);
    for (const r of this.running.values()) if (r.heartbeat) this.o.clock.clearTimeout(r.heartbeat);
    if (outcome === 'timeout') {
      this.o.log.warn('job runner stopped with steps in flight; their jobs resume when the lease expires', {
        runner: this.runnerId,
        jobs: [...this.running.keys()],
      });
    }
  }

  /** Runs a tick, remembered so shutdown can wait for a claim in flight. */
  private runTick(): void {
    const t = this.tick();
    this.ticks.add(t);
    void t.finally(() => this.ticks.delete(t));
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        while (!this.stopping && this.running.size < this.concurrency) {
          const job = await this.claim();
          if (!job) break;
          // Shutdown began while claiming: hand it straight back rather than start work nobody waits for.
          if (this.stopping) await new JobRunRepository(this.o.store).release(job.id, this.runnerId, this.o.clock.now(), null);
          else {
            this.notify(job);
            this.launch(job);
          }
        }
      } while (this.again && !this.stopping);
    } catch (err) {
      this.o.log.warn('cannot claim jobs; trying again at the next poll', { runner: this.runnerId, err });
    } finally {
      this.ticking = false;
      this.armPoll();
    }
  }

  private async claim(): Promise<ClaimedJob | null> {
    const now = this.o.clock.now();
    return this.o.store.transaction(async (tx) => {
      const job = await new JobRunRepository(tx).claimNext(this.runnerId, this.o.kinds.names(), now, this.leaseMs);
      if (!job) return null;
      // A parked job coming back is the same run going on; anything else is a start or a resume worth recording.
      if (job.previousStatus === 'pending' || job.previousRunAfter === null) {
        const started = job.previousStatus === 'pending';
        const from = job.previousClaim ? ` after runner ${job.previousClaim}'s lease expired` : '';
        await new JobRepository(tx).appendLog(
          job.id,
          null,
          'info',
          `${started ? 'started' : 'resumed'} by runner ${this.runnerId}${from}`,
          now,
        );
        await auditJob(
          tx,
          job,
          {
            action: started ? 'job.started' : 'job.resumed',
            actor: RUNNER_ACTOR,
            details: { runner: this.runnerId, ...(job.previousClaim ? { previousRunner: job.previousClaim } : {}) },
          },
          now,
        );
      }
      return job;
    });
  }

  private launch(job: ClaimedJob): void {
    const controller = new AbortController();
    const entry: Running = { promise: Promise.resolve(), controller, heartbeat: null };
    const beat = () => {
      entry.heartbeat = this.o.clock.setTimeout(() => {
        new JobRunRepository(this.o.store)
          .renew(job.id, this.runnerId, this.o.clock.now(), this.leaseMs)
          .then((mine) => {
            if (!mine) controller.abort();
            else if (!controller.signal.aborted) beat();
          })
          .catch((err) => {
            this.o.log.warn('cannot renew a job lease', { job: job.id, err });
            if (!controller.signal.aborted) beat();
          });
      }, this.leaseMs / 3);
    };
    beat();
    entry.promise = executeJob(job, {
      store: this.o.store,
      kinds: this.o.kinds,
      clock: this.o.clock,
      log: this.o.log,
      runnerId: this.runnerId,
      maxStepFailures: this.o.maxStepFailures ?? 5,
      retryBaseMs: this.o.retryBaseMs ?? 5_000,
      retryMaxMs: this.o.retryMaxMs ?? 300_000,
      signal: controller.signal,
      ...(this.listeners.size > 0 ? { onChange: this.notify } : {}),
    })
      .then((end) => {
        if (end.end === 'parked') this.schedule(Math.max(0, end.runAfter - this.o.clock.now()));
        if (end.end === 'lost') this.o.log.warn('job taken over by another runner', { job: job.id, runner: this.runnerId });
      })
      .catch((err) => {
        // The store failed under the job: its claim lapses and a runner (maybe this one) resumes it.
        if (!this.stopping) this.o.log.error('job interrupted by an error; it resumes when its lease expires', { job: job.id, err });
      })
      .finally(() => {
        if (entry.heartbeat) this.o.clock.clearTimeout(entry.heartbeat);
        this.running.delete(job.id);
        this.wake();
      });
    this.running.set(job.id, entry);
  }

  private armPoll(): void {
    if (this.stopping) return;
    if (this.pollTimer) this.o.clock.clearTimeout(this.pollTimer);
    this.pollTimer = this.o.clock.setTimeout(() => {
      this.pollTimer = null;
      this.runTick();
    }, this.pollMs);
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    const t = this.o.clock.setTimeout(() => {
      this.timers.delete(t);
      this.runTick();
    }, ms);
    this.timers.add(t);
  }
}
