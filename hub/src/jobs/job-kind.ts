import type { JobLogLevel, JobRecord, NewStep, StepRecord } from '../state/repositories/job-types.ts';

/** What a step asks the runner to do next. */
export type StepOutcome =
  /** Done: `succeeded` acted (or found the work already done), `skipped` decided not to act. */
  | { status: 'succeeded' | 'skipped'; message?: string }
  /** Not done yet (e.g. a snapshot still pending): run this step again after `afterMs`. */
  | { status: 'wait'; afterMs: number; message?: string };

/** An entry for the audit log about what a step did to the world. */
export interface StepAudit {
  action: string;
  target: string;
  result: 'success' | 'failure' | 'denied';
  details?: Record<string, unknown>;
}

/** What a step sees while it runs. Every write is guarded by the runner's claim. */
export interface StepContext {
  readonly job: JobRecord;
  /** The step as it starts this attempt; `effect` holds what earlier attempts recorded. */
  readonly step: StepRecord;
  readonly dryRun: boolean;
  /** Aborted when the runner shuts down or loses the job; a step may stop early on it. */
  readonly signal: AbortSignal;
  now(): number;
  /** A line in the job's log (and the hub's). */
  log(level: JobLogLevel, message: string): Promise<void>;
  /**
   * Merges `effect` into the step's stored effect. Record the intent before acting and the
   * outcome after, so an attempt that resumes after a crash knows to check the world first.
   */
  recordEffect(effect: Record<string, unknown>): Promise<void>;
  /** An idempotency token for this step, the same on every attempt and runner (≤ 64 chars). */
  clientToken(suffix?: string): string;
  /** Appends to the audit log as the job's requester, with the job id in the details. */
  audit(entry: StepAudit): Promise<void>;
}

/**
 * A kind of job: how to check its parameters, plan its steps and run one step. Kinds are
 * registered by name (JobKindRegistry), so new actions (switch, force on-demand) plug in
 * without touching the runner. Steps must be idempotent: a step may run again after a
 * crash or a retry, so it checks the world (and its recorded effect) before it acts, and
 * uses client tokens or tags so a repeat finds what the first attempt made.
 */
export interface JobKind<P = unknown> {
  /** kebab-case, stored with each job. */
  readonly name: string;
  /** Checks raw parameters (from a request, or as stored); throws JobError `bad-params` naming the field. */
  parseParams(raw: unknown): P;
  /** The steps, in order. Planned once, when the job is created. */
  plan(params: P): NewStep[] | Promise<NewStep[]>;
  /** The approval policy action this job is (e.g. `storage.delete`); null: never needs approval. */
  approvalAction(params: P): string | null;
  /** One line for the approver and the log: what the job would do. */
  summary(params: P): string;
  /**
   * Runs one step. In a dry run it checks the world and logs what it would do, changing
   * nothing. Throw to fail; errors `isRetryable` accepts park the job and run it again later.
   */
  runStep(params: P, ctx: StepContext): Promise<StepOutcome>;
  /** Default: CloudErrors the cloud marks retryable (throttled, unavailable, capacity). */
  isRetryable?(err: unknown): boolean;
}
