import type { Clock } from '@ballast/common';
import { auditJob } from '../jobs/job-audit.ts';
import { JobError } from '../jobs/job-error.ts';
import type { Requester } from '../jobs/job-service.ts';
import type { MetadataStore, SqlSession } from '../state/metadata-store.ts';
import { MetadataStoreError } from '../state/metadata-store-error.ts';
import { type ApprovalFilter, type ApprovalRecord, ApprovalRepository } from '../state/repositories/approval-repository.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import type { Page } from '../state/repositories/page.ts';

export interface ApprovalServiceDeps {
  store: MetadataStore;
  clock: Clock;
  /** Tells the runner an approved job may start (JobRunner.wake). */
  wake: () => void;
}

/**
 * A second person's decision on a job waiting for approval. Approving releases the job to
 * the runner; rejecting cancels it. The requester cannot approve their own request: the
 * attempt is refused and recorded as denied in the audit log.
 */
export class ApprovalService {
  constructor(private readonly d: ApprovalServiceDeps) {}

  list(filter: ApprovalFilter): Promise<Page<ApprovalRecord>> {
    return new ApprovalRepository(this.d.store).list(filter);
  }

  /** @throws JobError `not-found`, `self-approval`, `invalid-state` (already decided, or the job no longer waits). */
  async approve(clientId: string, id: string, who: Requester, reason: string): Promise<ApprovalRecord> {
    const now = this.d.clock.now();
    const pending = await this.pending(clientId, id);
    if (pending.requestedBy === who.actor) {
      await this.audit(pending, who, 'approval.approved', 'denied', { reason, refused: 'the requester cannot approve their own request' });
      throw new JobError('self-approval', `approval ${id}: ${who.actor} requested it and cannot approve it; someone else must`);
    }
    const out = await this.mapped(() =>
      this.d.store.transaction(async (tx) => {
        const decided = await new ApprovalRepository(tx).decide(clientId, id, { status: 'approved', by: who.actor, reason }, now);
        const job = await new JobRepository(tx).approved(decided.jobId, now);
        await new JobRepository(tx).appendLog(job.id, null, 'info', `approved by ${who.actor}: ${reason}`, now);
        await this.audit(decided, who, 'approval.approved', 'success', { reason }, tx);
        await auditJob(tx, job, { action: 'job.approved', actor: who.actor, sourceIp: who.sourceIp, details: { approvalId: id } }, now);
        return decided;
      }),
    );
    this.d.wake();
    return out;
  }

  /** Rejects the request and cancels its job. @throws JobError `not-found`, `invalid-state`. */
  async reject(clientId: string, id: string, who: Requester, reason: string): Promise<ApprovalRecord> {
    const now = this.d.clock.now();
    await this.pending(clientId, id);
    return this.mapped(() =>
      this.d.store.transaction(async (tx) => {
        const decided = await new ApprovalRepository(tx).decide(clientId, id, { status: 'rejected', by: who.actor, reason }, now);
        const { job } = await new JobRepository(tx).cancel(null, decided.jobId, now);
        await new JobRepository(tx).appendLog(job.id, null, 'info', `rejected by ${who.actor}: ${reason}; job cancelled`, now);
        await this.audit(decided, who, 'approval.rejected', 'success', { reason }, tx);
        await auditJob(
          tx,
          job,
          { action: 'job.cancelled', actor: who.actor, sourceIp: who.sourceIp, details: { approvalId: id, reason } },
          now,
        );
        return decided;
      }),
    );
  }

  private async pending(clientId: string, id: string): Promise<ApprovalRecord> {
    const a = await new ApprovalRepository(this.d.store).get(clientId, id);
    if (!a) throw new JobError('not-found', `no approval ${id}`);
    if (a.status !== 'pending') throw new JobError('invalid-state', `approval ${id} was already ${a.status} by ${a.decidedBy}`);
    return a;
  }

  private async audit(
    a: ApprovalRecord,
    who: Requester,
    action: string,
    result: 'success' | 'denied',
    details: Record<string, unknown>,
    db: SqlSession = this.d.store,
  ): Promise<void> {
    await new AuditRepository(db).append(
      {
        clientId: a.clientId,
        actor: who.actor,
        sourceIp: who.sourceIp,
        action,
        target: `approval:${a.id}`,
        result,
        details: { jobId: a.jobId, action: a.action, requestedBy: a.requestedBy, ...details },
      },
      this.d.clock.now(),
    );
  }

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
