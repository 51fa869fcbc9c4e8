import type { Clock } from '@ballast/common';
import { type ApprovalPolicy, needsApproval } from '../governance/approval-policy.ts';
import type { MetadataStore, SqlSession } from '../state/metadata-store.ts';
import { MetadataStoreError } from '../state/metadata-store-error.ts';
import { type ApprovalRecord, ApprovalRepository } from '../state/repositories/approval-repository.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import type { JobFilter, JobLogEntry, JobRecord, StepRecord } from '../state/repositories/job-types.ts';
import type { Page } from '../state/repositories/page.ts';
import { auditJob } from './job-audit.ts';
import { JobError } from './job-error.ts';
import { type JobChangeListener, notifyJobChange } from './job-execution.ts';
import type { JobKindRegistry } from './job-kind-registry.ts';

/** Who asks: the actor and where the request came from, for the audit log. */
export interface Requester {
  actor: string;
  sourceIp: string | null;
}

export interface SubmitRequest extends Requester {
  clientId: string;
  kind: string;
  params: unknown;
  dryRun: boolean;
  /** The requester's note for the audit log. */
  note: string;
}

export interface JobDetail {
  job: JobRecord;
  steps: StepRecord[];
  logs: JobLogEntry[];
  approvals: ApprovalRecord[];
}

export interface JobServiceDeps {
  store: MetadataStore;
  kinds: JobKindRegistry;
  policy: ApprovalPolicy;
  clock: Clock;
  /** Tells the runner there is work (JobRunner.wake). */
  wake: () => void;
  /** Hears each job created, cancelled or retried; more can be added with {@link JobService.onChange}. */
  onChange?: JobChangeListener;
}

/**
 * Jobs as people start and steer them: submit (asking for approval where the policy
 * says), cancel, retry, read. Each change commits with its audit entry; the runner does
 * the work.
 */
export class JobService {
  private readonly listeners = new Set<JobChangeListener>();

  constructor(private readonly d: JobServiceDeps) {
    if (d.onChange) this.listeners.add(d.onChange);
  }

  /** Hears each job this service creates, cancels or retries, after the change committed. Returns the way to stop. */
  onChange(listener: JobChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private notify(job: JobRecord): void {
    for (const l of this.listeners) notifyJobChange(l, job);
  }

  /** @throws JobError `unknown-kind`, `bad-params`. */
  async submit(r: SubmitRequest): Promise<{ job: JobRecord; approval: ApprovalRecord | null }> {
    const kind = this.d.kinds.require(r.kind);
    const params = kind.parseParams(r.params) as Record<string, unknown>;
    const steps = await kind.plan(params);
    const action = r.dryRun ? null : kind.approvalAction(params);
    const approvalNeeded = needsApproval(this.d.policy, action);
    const summary = kind.summary(params);
    const now = this.d.clock.now();
    const out = await this.d.store.transaction(async (tx) => {
      const job = await new JobRepository(tx).create(
        {
          clientId: r.clientId,
          kind: r.kind,
          status: approvalNeeded ? 'waiting-approval' : 'pending',
          dryRun: r.dryRun,
          params,
          requestedBy: r.actor,
          sourceIp: r.sourceIp,
          note: r.note,
          steps,
        },
        now,
      );
      const dry = r.dryRun ? ' (dry run)' : '';
      await new JobRepository(tx).appendLog(job.id, null, 'info', `created by ${r.actor}${dry}: ${summary}`, now);
      await auditJob(tx, job, { action: 'job.created', actor: r.actor, sourceIp: r.sourceIp, details: { summary, note: r.note } }, now);
      const approval = approvalNeeded ? await this.requestApproval(tx, job, action as string, summary, r, now) : null;
      return { job, approval };
    });
    this.notify(out.job);
    if (!approvalNeeded) this.d.wake();
    return out;
  }

  /**
   * Cancels a job that is not running now; asks a running one to stop after its current step.
   * @throws JobError `not-found`, `invalid-state` (it already ended).
   */
  async cancel(clientId: string, id: string, who: Requester, reason: string): Promise<JobRecord> {
    const now = this.d.clock.now();
    const cancelled = await this.mapped(() =>
      this.d.store.transaction(async (tx) => {
        const { job, cancelled } = await new JobRepository(tx).cancel(clientId, id, now);
        const withdrawn = cancelled ? await new ApprovalRepository(tx).cancelPending(id, who.actor, now) : null;
        const why = reason ? `: ${reason}` : '';
        const line = cancelled ? `cancelled by ${who.actor}${why}` : `${who.actor} asked to cancel${why}; stopping after the current step`;
        await new JobRepository(tx).appendLog(id, null, 'info', line, now);
        const action = cancelled ? 'job.cancelled' : 'job.cancel-requested';
        await auditJob(
          tx,
          job,
          { action, actor: who.actor, sourceIp: who.sourceIp, details: { reason, approvalWithdrawn: withdrawn?.id } },
          now,
        );
        return job;
      }),
    );
    this.notify(cancelled);
    return cancelled;
  }

  /**
   * Runs a failed or cancelled job again. Steps that already succeeded are kept (never
   * repeated). A job that needs approval and never got one asks again.
   * @throws JobError `not-found`, `invalid-state`.
   */
  async retry(clientId: string, id: string, who: Requester): Promise<{ job: JobRecord; approval: ApprovalRecord | null }> {
    const existing = await new JobRepository(this.d.store).get(clientId, id);
    if (!existing) throw new JobError('not-found', `no job ${id}`);
    const kind = this.d.kinds.require(existing.kind);
    const params = kind.parseParams(existing.params);
    const action = existing.dryRun ? null : kind.approvalAction(params);
    const approvedBefore = (await new ApprovalRepository(this.d.store).forJob(id)).some((a) => a.status === 'approved');
    const approvalNeeded = needsApproval(this.d.policy, action) && !approvedBefore;
    const now = this.d.clock.now();
    const out = await this.mapped(() =>
      this.d.store.transaction(async (tx) => {
        const job = await new JobRepository(tx).retry(clientId, id, approvalNeeded ? 'waiting-approval' : 'pending', now);
        await new JobRepository(tx).appendLog(id, null, 'info', `retried by ${who.actor} (attempt ${job.attempt})`, now);
        await auditJob(tx, job, { action: 'job.retried', actor: who.actor, sourceIp: who.sourceIp }, now);
        const approval = approvalNeeded ? await this.requestApproval(tx, job, action as string, kind.summary(params), who, now) : null;
        return { job, approval };
      }),
    );
    this.notify(out.job);
    if (!approvalNeeded) this.d.wake();
    return out;
  }

  /** @throws JobError `not-found`. */
  async detail(clientId: string, id: string, logLimit = 500): Promise<JobDetail> {
    const repo = new JobRepository(this.d.store);
    const job = await repo.get(clientId, id);
    if (!job) throw new JobError('not-found', `no job ${id}`);
    const [steps, logs, approvals] = await Promise.all([
      repo.steps(id),
      repo.logs(id, { limit: logLimit }),
      new ApprovalRepository(this.d.store).forJob(id),
    ]);
    return { job, steps, logs, approvals };
  }

  list(filter: JobFilter): Promise<Page<JobRecord>> {
    return new JobRepository(this.d.store).list(filter);
  }

  private async requestApproval(
    tx: SqlSession,
    job: JobRecord,
    action: string,
    summary: string,
    who: Requester,
    now: number,
  ): Promise<ApprovalRecord> {
    const approval = await new ApprovalRepository(tx).create(
      { clientId: job.clientId, jobId: job.id, action, summary, requestedBy: job.requestedBy },
      now,
    );
    await new JobRepository(tx).appendLog(
      job.id,
      null,
      'info',
      `waiting for approval ${approval.id} (${action}) by someone other than ${job.requestedBy}`,
      now,
    );
    await new AuditRepository(tx).append(
      {
        clientId: job.clientId,
        actor: who.actor,
        sourceIp: who.sourceIp,
        action: 'approval.requested',
        target: `approval:${approval.id}`,
        result: 'success',
        details: { jobId: job.id, action, summary },
      },
      now,
    );
    return approval;
  }

  /** The store's refusals in the service's terms. */
  private async mapped<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MetadataStoreError && err.code === 'not_found') throw new JobError('not-found', err.message, { cause: err });
      if (err instanceof MetadataStoreError && err.code === 'invalid_state')
        throw new JobError('invalid-state', err.message, { cause: err });
      throw err;
    }
  }
}
