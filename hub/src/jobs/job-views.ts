import type { ApprovalRecord } from '../state/repositories/approval-repository.ts';
import type { JobLogEntry, JobRecord, StepRecord } from '../state/repositories/job-types.ts';
import type { JobDetail } from './job-service.ts';

/** How the API shows jobs, steps, logs and approvals: ISO times, progress spelled out. */

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function jobView(j: JobRecord) {
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    dryRun: j.dryRun,
    params: j.params,
    requestedBy: j.requestedBy,
    note: j.note,
    progress: {
      done: j.stepsDone,
      total: j.stepsTotal,
      percent: j.stepsTotal === 0 ? 100 : Math.floor((100 * j.stepsDone) / j.stepsTotal),
    },
    attempt: j.attempt,
    cancelRequested: j.cancelRequested,
    error: j.error,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    /** Parked until then (a step waiting on the cloud, or backing off). */
    runAfter: iso(j.runAfter),
    runner: j.claimedBy,
  };
}

export function stepView(s: StepRecord) {
  return {
    seq: s.seq,
    name: s.name,
    target: s.target,
    status: s.status,
    attempts: s.attempts,
    message: s.message,
    effect: s.effect,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
  };
}

export function logView(l: JobLogEntry) {
  return { id: l.id, at: iso(l.at), level: l.level, step: l.stepSeq, message: l.message };
}

export function approvalView(a: ApprovalRecord) {
  return {
    id: a.id,
    jobId: a.jobId,
    action: a.action,
    summary: a.summary,
    status: a.status,
    requestedBy: a.requestedBy,
    requestedAt: iso(a.requestedAt),
    decidedBy: a.decidedBy,
    decidedAt: iso(a.decidedAt),
    reason: a.reason,
  };
}

export function jobDetailView(d: JobDetail) {
  return { ...jobView(d.job), steps: d.steps.map(stepView), logs: d.logs.map(logView), approvals: d.approvals.map(approvalView) };
}
