import { get, post } from './http.ts';

export type JobStatus = 'pending' | 'waiting-approval' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'waiting-approval', 'running', 'succeeded', 'failed', 'cancelled'];
export const isFinished = (s: JobStatus) => s === 'succeeded' || s === 'failed' || s === 'cancelled';

export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  dryRun: boolean;
  params: unknown;
  requestedBy: string;
  note: string;
  progress: { done: number; total: number; percent: number };
  attempt: number;
  cancelRequested: boolean;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StepView {
  seq: number;
  name: string;
  target: string | null;
  status: string;
  attempts: number;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface LogView {
  id: number | string;
  at: string;
  level: string;
  step: number | null;
  message: string;
}

export interface ApprovalView {
  id: string;
  jobId: string;
  action: string;
  summary: string;
  status: string;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

export interface JobDetail extends JobView {
  steps: StepView[];
  logs: LogView[];
  approvals: ApprovalView[];
}

/** What every action endpoint answers: the job it queued and, where policy asks, the approval it waits for. */
export interface Submitted {
  job: JobView;
  approval: ApprovalView | null;
}

export interface JobFilter {
  status?: JobStatus;
  kind?: string;
  requestedBy?: string;
  cursor?: string;
}

export const fetchJobs = (f: JobFilter, signal?: AbortSignal) =>
  get<{ jobs: JobView[]; nextCursor: string | null }>('/api/v1/jobs', { query: { ...f, limit: 50 }, signal });

export const fetchJob = (id: string, signal?: AbortSignal) => get<JobDetail>(`/api/v1/jobs/${encodeURIComponent(id)}`, { signal });
export const cancelJob = (id: string, reason: string) => post<JobView>(`/api/v1/jobs/${encodeURIComponent(id)}/cancel`, { reason });
export const retryJob = (id: string) => post<Submitted>(`/api/v1/jobs/${encodeURIComponent(id)}/retry`, {});

export const fetchApprovals = (status: string, signal?: AbortSignal) =>
  get<{ approvals: ApprovalView[]; nextCursor: string | null }>('/api/v1/approvals', { query: { status }, signal });

export const decideApproval = (id: string, decision: 'approve' | 'reject', reason: string) =>
  post<ApprovalView>(`/api/v1/approvals/${encodeURIComponent(id)}/${decision}`, { reason });
