import type { Clock, Logger } from '@ballast/common';
import { isCloudError } from '../cloud/cloud-error.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import { MetadataStoreError } from '../state/metadata-store-error.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import { JobRunRepository } from '../state/repositories/job-run-repository.ts';
import type { ClaimedJob, JobRecord, StepRecord } from '../state/repositories/job-types.ts';
import { auditJob, RUNNER_ACTOR } from './job-audit.ts';
import type { JobKind, StepOutcome } from './job-kind.ts';
import type { JobKindRegistry } from './job-kind-registry.ts';
import { stepContext } from './step-context.ts';

export interface ExecutionDeps {
  store: MetadataStore;
  kinds: JobKindRegistry;
  clock: Clock;
  log: Logger;
  runnerId: string;
  /** Failures of one step (retryable ones included) before the job fails. */
  maxStepFailures: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Aborted at shutdown or when the claim was lost: stop at the next step boundary. */
  signal: AbortSignal;
  /** Hears the job after each change this run makes (step started or ended, parked, handed back, finished). */
  onChange?: JobChangeListener;
}

/**
 * Hears a job as it is after a change (status, step, progress), e.g. to stream job progress.
 * Called after the change committed; it must not throw (a throw is swallowed) and must not block.
 */
export type JobChangeListener = (job: JobRecord) => void;

/** Tells `listener` (when there is one) about a job, never letting it fail the job. */
export function notifyJobChange(listener: JobChangeListener | undefined, job: JobRecord): void {
  if (!listener) return;
  try {
    listener(job);
  } catch {
    // A listener's failure is its own; the job goes on.
  }
}

/** Re-reads the job for the listener; only when there is one (one query per change). */
async function notifyById(d: ExecutionDeps, jobId: string): Promise<void> {
  if (!d.onChange) return;
  const job = await new JobRepository(d.store).get(null, jobId);
  if (job) notifyJobChange(d.onChange, job);
}

/** How a run of a job ended: finished, parked until later, handed back at shutdown, or taken by another runner. */
export type ExecutionEnd = { end: 'finished'; job: JobRecord } | { end: 'parked'; runAfter: number } | { end: 'stopped' } | { end: 'lost' };

const defaultRetryable = (err: unknown) => isCloudError(err) && err.retryable;

/**
 * Runs a claimed job's remaining steps in order, one at a time, until it finishes, a step
 * parks it, or the runner stops. Steps that ended are not run again; a step left running
 * by an interrupted attempt runs again and finds its recorded effect. Cancellation is
 * honoured between steps, never inside one.
 */
export async function executeJob(job: ClaimedJob, d: ExecutionDeps): Promise<ExecutionEnd> {
  try {
    return await execute(job, d);
  } catch (err) {
    // Only the claim-guarded writes of JobRunRepository refuse with invalid_state (a step's own
    // errors go through failStep, whose writes hit the guard if the claim is gone): another
    // runner holds the job now, and its work is its own.
    if (err instanceof MetadataStoreError && err.code === 'invalid_state') return { end: 'lost' };
    throw err;
  }
}

async function execute(job: ClaimedJob, d: ExecutionDeps): Promise<ExecutionEnd> {
  const run = new JobRunRepository(d.store);
  const logs = new JobRepository(d.store);
  const log = async (level: 'info' | 'warn' | 'error', message: string, seq: number | null = null) => {
    d.log[level](message, { job: job.id, kind: job.kind });
    await logs.appendLog(job.id, seq, level, message, d.clock.now());
  };
  const kind = d.kinds.get(job.kind) as JobKind<unknown>;
  let params: unknown;
  try {
    params = kind.parseParams(job.params);
  } catch (err) {
    return finish(job, d, 'failed', `stored parameters are not valid for ${job.kind}: ${(err as Error).message}`);
  }
  for (;;) {
    if (d.signal.aborted) return stop(job, d, run);
    const next = (await run.steps(job.id)).find((s) => s.status === 'pending' || s.status === 'running');
    if (!next) return finish(job, d, 'succeeded', null);
    if (await run.cancelRequested(job.id)) {
      await log('info', `cancelled before step ${next.seq} (${next.name} ${next.target})`);
      return finish(job, d, 'cancelled', null);
    }
    const interrupted = next.status === 'running';
    const step = await run.startStep(job.id, d.runnerId, next.seq, d.clock.now());
    await notifyById(d, job.id);
    if (interrupted && Object.keys(step.effect).length > 0) {
      await log(
        'info',
        `step ${step.seq} (${step.name} ${step.target}) runs again; recorded so far: ${JSON.stringify(step.effect)}`,
        step.seq,
      );
    }
    let outcome: StepOutcome;
    try {
      outcome = await kind.runStep(params, stepContext(job, step, d));
    } catch (err) {
      if (d.signal.aborted) return stop(job, d, run);
      return failStep(job, step, err, kind, d, run, log);
    }
    if (outcome.status === 'wait') {
      const runAfter = d.clock.now() + outcome.afterMs;
      if (outcome.message) await log('info', outcome.message, step.seq);
      await run.release(job.id, d.runnerId, d.clock.now(), runAfter);
      await notifyById(d, job.id);
      return { end: 'parked', runAfter };
    }
    notifyJobChange(d.onChange, await run.finishStep(job.id, d.runnerId, step.seq, outcome.status, outcome.message ?? null, d.clock.now()));
  }
}

/** A failed step: parked for another try when the error may pass, else the job fails. */
async function failStep(
  job: JobRecord,
  step: StepRecord,
  err: unknown,
  kind: JobKind<unknown>,
  d: ExecutionDeps,
  run: JobRunRepository,
  log: (level: 'warn' | 'error', message: string, seq: number) => Promise<void>,
): Promise<ExecutionEnd> {
  const message = (err as Error)?.message ?? String(err);
  const failures = Number(step.effect.failures ?? 0) + 1;
  const retryable = (kind.isRetryable ?? defaultRetryable)(err);
  if (retryable && failures < d.maxStepFailures) {
    const runAfter = d.clock.now() + Math.min(d.retryBaseMs * 2 ** (failures - 1), d.retryMaxMs);
    await run.recordEffect(job.id, d.runnerId, step.seq, { failures, lastError: message });
    await log(
      'warn',
      `step ${step.seq} (${step.name} ${step.target}) failed (${failures}/${d.maxStepFailures}), trying again later: ${message}`,
      step.seq,
    );
    await run.release(job.id, d.runnerId, d.clock.now(), runAfter);
    await notifyById(d, job.id);
    return { end: 'parked', runAfter };
  }
  await run.recordEffect(job.id, d.runnerId, step.seq, { failures, lastError: message });
  await run.finishStep(job.id, d.runnerId, step.seq, 'failed', message, d.clock.now());
  await log('error', `step ${step.seq} (${step.name} ${step.target}) failed: ${message}`, step.seq);
  return finish(job, d, 'failed', `step ${step.seq} (${step.name} ${step.target}) failed: ${message}`);
}

/** Shutdown between steps: hand the job back at once so the next runner need not wait for the lease. */
async function stop(job: JobRecord, d: ExecutionDeps, run: JobRunRepository): Promise<ExecutionEnd> {
  await run.release(job.id, d.runnerId, d.clock.now(), null);
  await notifyById(d, job.id);
  d.log.info('job handed back at shutdown', { job: job.id, kind: job.kind });
  return { end: 'stopped' };
}

async function finish(job: JobRecord, d: ExecutionDeps, status: 'succeeded' | 'failed' | 'cancelled', error: string | null) {
  const now = d.clock.now();
  const done = await d.store.transaction(async (tx) => {
    const j = await new JobRunRepository(tx).finishJob(job.id, d.runnerId, status, error, now);
    await new JobRepository(tx).appendLog(
      job.id,
      null,
      status === 'failed' ? 'error' : 'info',
      `job ${status}${error ? `: ${error}` : ''}`,
      now,
    );
    await auditJob(
      tx,
      j,
      {
        action: `job.${status}`,
        actor: RUNNER_ACTOR,
        result: status === 'failed' ? 'failure' : 'success',
        details: { stepsDone: j.stepsDone, stepsTotal: j.stepsTotal, ...(error ? { error } : {}), runner: d.runnerId },
      },
      now,
    );
    return j;
  });
  notifyJobChange(d.onChange, done);
  d.log[status === 'failed' ? 'warn' : 'info'](`job ${status}`, { job: job.id, kind: job.kind, error: error ?? undefined });
  return { end: 'finished' as const, job: done };
}
