import type { SqlSession } from '../state/metadata-store.ts';
import { type AuditEntry, AuditRepository, type AuditResult } from '../state/repositories/audit-repository.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';

/** Who the audit log names for what the runner decides on its own (start, resume, finish). */
export const RUNNER_ACTOR = 'ballast-job-runner';

/** The audit target of a job. */
export function jobTarget(id: string): string {
  return `job:${id}`;
}

/**
 * Appends a job event to the audit log. Pass the transaction that makes the change, so
 * the change and its record commit together.
 */
export function auditJob(
  db: SqlSession,
  job: JobRecord,
  e: { action: string; actor: string; sourceIp?: string | null; result?: AuditResult; details?: Record<string, unknown> },
  now: number,
): Promise<AuditEntry> {
  return new AuditRepository(db).append(
    {
      clientId: job.clientId,
      actor: e.actor,
      sourceIp: e.sourceIp ?? null,
      action: e.action,
      target: jobTarget(job.id),
      result: e.result ?? 'success',
      details: { kind: job.kind, status: job.status, attempt: job.attempt, dryRun: job.dryRun, ...e.details },
    },
    now,
  );
}
