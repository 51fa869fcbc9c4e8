import type { JobLogEntry, JobLogLevel, JobRecord, JobStatus, StepRecord, StepStatus } from './job-types.ts';
import { toMs, toMsOrNull } from './sql-values.ts';

export interface JobRow {
  id: string;
  client_id: string;
  kind: string;
  status: JobStatus;
  dry_run: boolean;
  params: Record<string, unknown>;
  requested_by: string;
  source_ip: string | null;
  note: string;
  steps_total: number;
  steps_done: number;
  attempt: number;
  cancel_requested: boolean;
  claimed_by: string | null;
  claim_expires_at: Date | null;
  run_after: Date | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface StepRow {
  job_id: string;
  seq: number;
  name: string;
  target: string;
  input: Record<string, unknown>;
  status: StepStatus;
  effect: Record<string, unknown>;
  attempts: number;
  message: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface LogRow {
  id: number;
  job_id: string;
  step_seq: number | null;
  at: Date;
  level: JobLogLevel;
  message: string;
}

/** Every jobs column, source_ip as text (inet would come back in a driver-specific shape); `t` qualifies them. */
export function jobColumns(t = ''): string {
  const p = t ? `${t}.` : '';
  return [
    'id',
    'client_id',
    'kind',
    'status',
    'dry_run',
    'params',
    'requested_by',
    `host(${p}source_ip) AS source_ip`,
    'note',
    'steps_total',
    'steps_done',
    'attempt',
    'cancel_requested',
    'claimed_by',
    'claim_expires_at',
    'run_after',
    'error',
    'created_at',
    'updated_at',
    'started_at',
    'finished_at',
  ]
    .map((c) => (c.startsWith('host(') ? c : `${p}${c}`))
    .join(', ');
}

export const JOB_COLUMNS = jobColumns();

export function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    kind: r.kind,
    status: r.status,
    dryRun: r.dry_run,
    params: r.params,
    requestedBy: r.requested_by,
    sourceIp: r.source_ip,
    note: r.note,
    stepsTotal: r.steps_total,
    stepsDone: r.steps_done,
    attempt: r.attempt,
    cancelRequested: r.cancel_requested,
    claimedBy: r.claimed_by,
    claimExpiresAt: toMsOrNull(r.claim_expires_at),
    runAfter: toMsOrNull(r.run_after),
    error: r.error,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
    startedAt: toMsOrNull(r.started_at),
    finishedAt: toMsOrNull(r.finished_at),
  };
}

export function toStep(r: StepRow): StepRecord {
  return {
    jobId: r.job_id,
    seq: r.seq,
    name: r.name,
    target: r.target,
    input: r.input,
    status: r.status,
    effect: r.effect,
    attempts: r.attempts,
    message: r.message,
    startedAt: toMsOrNull(r.started_at),
    finishedAt: toMsOrNull(r.finished_at),
  };
}

export function toLog(r: LogRow): JobLogEntry {
  return { id: r.id, jobId: r.job_id, stepSeq: r.step_seq, at: toMs(r.at), level: r.level, message: r.message };
}
