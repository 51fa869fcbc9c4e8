import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { JOB_COLUMNS, type JobRow, jobColumns, type StepRow, toJob, toStep } from './job-row.ts';
import type { ClaimedJob, JobRecord, JobStatus, StepRecord } from './job-types.ts';
import { at, isUuid, json, toMsOrNull } from './sql-values.ts';

/** The claim guard every runner write carries: it only lands while the job is still this runner's. */
const OWNED = 'EXISTS (SELECT 1 FROM jobs o WHERE o.id = $1 AND o.claimed_by = $2)';

/**
 * The job runner's side of the jobs table. A runner claims a job for a lease and renews
 * it while it works; every write here names the runner and lands only while the job is
 * still claimed by it, so a runner that lost its lease (paused, partitioned, presumed
 * dead) cannot overwrite the runner that took the job over. Those writes reject with
 * MetadataStoreError `invalid_state` ("no longer claimed"): the caller must stop working
 * on the job.
 */
export class JobRunRepository {
  constructor(private readonly db: SqlSession) {}

  /**
   * Claims the oldest runnable job — pending, or running but unclaimed or with an expired
   * lease (its runner stopped or died) — that is not parked past `now`. A pending job
   * becomes running. Two runners never get the same job: the row is locked and others
   * skip it (SKIP LOCKED), and a claimed job is not claimable until its lease expires.
   * Only jobs of `kinds` (the ones this runner knows how to run) are claimed, so an older
   * hub leaves a newer kind's jobs to a hub that knows them.
   */
  async claimNext(runnerId: string, kinds: readonly string[], now: number, leaseMs: number): Promise<ClaimedJob | null> {
    if (kinds.length === 0) return null;
    const t = at(now, 'now');
    const { rows } = await this.db.query<
      JobRow & { previous_status: JobStatus; previous_claim: string | null; previous_run_after: Date | null }
    >(
      `WITH picked AS (
         SELECT id, status AS previous_status, claimed_by AS previous_claim, run_after AS previous_run_after FROM jobs
         WHERE status IN ('pending', 'running') AND (run_after IS NULL OR run_after <= $2)
           AND (claimed_by IS NULL OR claim_expires_at <= $2) AND kind = ANY (string_to_array($4, ','))
         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET status = 'running', claimed_by = $1, claim_expires_at = $3, run_after = NULL,
         started_at = coalesce(j.started_at, $2), updated_at = $2
       FROM picked WHERE j.id = picked.id
       RETURNING ${jobColumns('j')},
         picked.previous_status, picked.previous_claim, picked.previous_run_after`,
      [runnerId, t, at(now + leaseMs, 'lease'), kinds.join(',')],
    );
    const r = rows[0];
    return r
      ? {
          ...toJob(r),
          previousStatus: r.previous_status,
          previousClaim: r.previous_claim,
          previousRunAfter: toMsOrNull(r.previous_run_after),
        }
      : null;
  }

  /** Extends the lease; false when the job is no longer this runner's (then stop working on it). */
  async renew(jobId: string, runnerId: string, now: number, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET claim_expires_at = $3 WHERE id = $1 AND claimed_by = $2 AND status = 'running'`,
      [jobId, runnerId, at(now + leaseMs, 'lease')],
    );
    return rowCount > 0;
  }

  /**
   * Gives the job back unfinished: any runner may take it once `runAfter` (null: at once)
   * has come. Used to park a step that waits on the cloud, to back off, and at shutdown.
   */
  async release(jobId: string, runnerId: string, now: number, runAfter: number | null): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET claimed_by = NULL, claim_expires_at = NULL, run_after = $3, updated_at = $4
       WHERE id = $1 AND claimed_by = $2`,
      [jobId, runnerId, runAfter === null ? null : at(runAfter, 'runAfter'), at(now, 'now')],
    );
    return rowCount > 0;
  }

  /** Whether someone asked to cancel the job (read at each step boundary). */
  async cancelRequested(jobId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ c: boolean }>('SELECT cancel_requested AS c FROM jobs WHERE id = $1', [jobId]);
    return rows[0]?.c ?? true;
  }

  async steps(jobId: string): Promise<StepRecord[]> {
    const { rows } = await this.db.query<StepRow>('SELECT * FROM job_steps WHERE job_id = $1 ORDER BY seq', [jobId]);
    return rows.map(toStep);
  }

  /** Marks a step running and counts the attempt. */
  async startStep(jobId: string, runnerId: string, seq: number, now: number): Promise<StepRecord> {
    const { rows } = await this.db.query<StepRow>(
      `UPDATE job_steps SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, $4)
       WHERE job_id = $1 AND seq = $3 AND status IN ('pending', 'running') AND ${OWNED} RETURNING *`,
      [jobId, runnerId, seq, at(now, 'now')],
    );
    return toStep(rows[0] ?? (await this.lost(jobId, runnerId)));
  }

  /** Merges `effect` into the step's effect record, before acting (intent) and after (outcome). */
  async recordEffect(jobId: string, runnerId: string, seq: number, effect: Record<string, unknown>): Promise<void> {
    const { rowCount } = await this.db.query(
      `UPDATE job_steps SET effect = effect || $4::jsonb WHERE job_id = $1 AND seq = $3 AND ${OWNED}`,
      [jobId, runnerId, seq, json(effect)],
    );
    if (rowCount === 0) await this.lost(jobId, runnerId);
  }

  /** Ends a step and recounts the job's progress. */
  async finishStep(
    jobId: string,
    runnerId: string,
    seq: number,
    status: 'succeeded' | 'skipped' | 'failed',
    message: string | null,
    now: number,
  ): Promise<JobRecord> {
    const t = at(now, 'now');
    const { rowCount } = await this.db.query(
      `UPDATE job_steps SET status = $4, message = $5, finished_at = $6 WHERE job_id = $1 AND seq = $3 AND ${OWNED}`,
      [jobId, runnerId, seq, status, message, t],
    );
    if (rowCount === 0) await this.lost(jobId, runnerId);
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET updated_at = $3, steps_done =
         (SELECT count(*)::int FROM job_steps s WHERE s.job_id = $1 AND s.status IN ('succeeded', 'skipped'))
       WHERE id = $1 AND claimed_by = $2 RETURNING ${JOB_COLUMNS}`,
      [jobId, runnerId, t],
    );
    return toJob(rows[0] ?? (await this.lost(jobId, runnerId)));
  }

  /** Ends the job and gives up the claim; a cancelled job's unfinished steps end cancelled. */
  async finishJob(
    jobId: string,
    runnerId: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    error: string | null,
    now: number,
  ): Promise<JobRecord> {
    const t = at(now, 'now');
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET status = $3, error = $4, claimed_by = NULL, claim_expires_at = NULL, run_after = NULL,
         finished_at = $5, updated_at = $5
       WHERE id = $1 AND claimed_by = $2 RETURNING ${JOB_COLUMNS}`,
      [jobId, runnerId, status, error, t],
    );
    const job = toJob(rows[0] ?? (await this.lost(jobId, runnerId)));
    if (status === 'cancelled') {
      await this.db.query(
        `UPDATE job_steps SET status = 'cancelled', finished_at = $2 WHERE job_id = $1 AND status IN ('pending', 'running')`,
        [jobId, t],
      );
    }
    return job;
  }

  private async lost(jobId: string, runnerId: string): Promise<never> {
    const { rows } = await this.db.query<{ claimed_by: string | null; status: JobStatus }>(
      'SELECT claimed_by, status FROM jobs WHERE id = $1',
      [isUuid(jobId) ? jobId : null],
    );
    const r = rows[0];
    if (!r) throw new MetadataStoreError('not_found', `no job ${jobId}`);
    throw new MetadataStoreError(
      'invalid_state',
      `job ${jobId} is no longer claimed by runner ${runnerId} (it is ${r.status}, claimed by ${r.claimed_by ?? 'nobody'})`,
    );
  }
}
