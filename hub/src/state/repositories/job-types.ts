/** Jobs as the metadata store holds them; see migrations/006-jobs.ts for the rules the table keeps. */

export const JOB_STATUSES = ['pending', 'waiting-approval', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A finished job changes only through retry. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'skipped', 'failed', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export type JobLogLevel = 'info' | 'warn' | 'error';

export interface JobRecord {
  id: string;
  clientId: string;
  kind: string;
  status: JobStatus;
  dryRun: boolean;
  params: Record<string, unknown>;
  requestedBy: string;
  sourceIp: string | null;
  /** The requester's note (the audit note of a destructive action); empty when none. */
  note: string;
  stepsTotal: number;
  /** Steps that succeeded or were skipped. */
  stepsDone: number;
  /** 1 for the first run; each retry adds one. */
  attempt: number;
  cancelRequested: boolean;
  /** The runner that owns the job now, while its lease runs. */
  claimedBy: string | null;
  claimExpiresAt: number | null;
  /** Not to be picked up before this time (a step waiting on the cloud, or backing off). */
  runAfter: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface StepRecord {
  jobId: string;
  seq: number;
  /** What the step does, e.g. `delete-volume`; the job kind knows how. */
  name: string;
  /** What it acts on, e.g. a volume id. */
  target: string;
  input: Record<string, unknown>;
  status: StepStatus;
  /** What the step recorded before and after acting (intent, then outcome). */
  effect: Record<string, unknown>;
  attempts: number;
  message: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface JobLogEntry {
  id: number;
  jobId: string;
  stepSeq: number | null;
  at: number;
  level: JobLogLevel;
  message: string;
}

export interface NewStep {
  name: string;
  target: string;
  input?: Record<string, unknown>;
}

export interface NewJob {
  id?: string;
  clientId: string;
  kind: string;
  /** pending, or waiting-approval when the policy asks a second person first. */
  status: 'pending' | 'waiting-approval';
  dryRun: boolean;
  params: Record<string, unknown>;
  requestedBy: string;
  sourceIp?: string | null;
  note?: string;
  steps: NewStep[];
}

export interface JobFilter {
  /** null: every tenant's jobs. */
  clientId: string | null;
  status?: JobStatus;
  kind?: string;
  requestedBy?: string;
  limit?: number;
  cursor?: string;
}

/** A job a runner just claimed, with what it was before, so the runner can tell a start, a resume and a parked step apart. */
export interface ClaimedJob extends JobRecord {
  previousStatus: JobStatus;
  /** The runner whose lease had expired; null when the job was unclaimed. */
  previousClaim: string | null;
  /** Set when the job was parked (a step waiting or backing off) rather than interrupted. */
  previousRunAfter: number | null;
}
