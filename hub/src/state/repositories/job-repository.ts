import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { JOB_COLUMNS, type JobRow, type LogRow, type StepRow, toJob, toLog, toStep } from './job-row.ts';
import type { JobFilter, JobLogEntry, JobLogLevel, JobRecord, NewJob, StepRecord } from './job-types.ts';
import { decodeCursor, type Page, pageSize, toPage } from './page.ts';
import { at, Conditions, isUuid, json } from './sql-values.ts';

const FINAL = `('succeeded', 'failed', 'cancelled')`;

/**
 * Jobs as people see and steer them: create, read, list, cancel, retry, and the approval
 * transitions. The runner's side (claims, step progress) is JobRunRepository. Methods that
 * write several rows (create, cancel, retry) belong inside a transaction, with the audit
 * entry that records them.
 */
export class JobRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an empty requester or a kind that is not kebab-case; `invalid_input` for a bad IP. */
  async create(j: NewJob, now: number): Promise<JobRecord> {
    const t = at(now, 'now');
    const id = j.id ?? randomUUID();
    const { rows } = await this.db.query<JobRow>(
      `INSERT INTO jobs (id, client_id, kind, status, dry_run, params, requested_by, source_ip, note, steps_total, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::inet, $9, $10, $11, $11) RETURNING ${JOB_COLUMNS}`,
      [id, j.clientId, j.kind, j.status, j.dryRun, json(j.params), j.requestedBy, j.sourceIp ?? null, j.note ?? '', j.steps.length, t],
    );
    for (const [seq, s] of j.steps.entries()) {
      await this.db.query('INSERT INTO job_steps (job_id, seq, name, target, input) VALUES ($1, $2, $3, $4, $5::jsonb)', [
        id,
        seq,
        s.name,
        s.target,
        json(s.input ?? {}),
      ]);
    }
    return toJob(rows[0] as JobRow);
  }

  /** null clientId: any tenant's job (operators, the runner). */
  async get(clientId: string | null, id: string): Promise<JobRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)`, [
      id,
      clientId,
    ]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  async steps(jobId: string): Promise<StepRecord[]> {
    if (!isUuid(jobId)) return [];
    const { rows } = await this.db.query<StepRow>('SELECT * FROM job_steps WHERE job_id = $1 ORDER BY seq', [jobId]);
    return rows.map(toStep);
  }

  /** Oldest first; `afterId` continues where an earlier read stopped. */
  async logs(jobId: string, q: { afterId?: number; limit?: number } = {}): Promise<JobLogEntry[]> {
    if (!isUuid(jobId)) return [];
    const { rows } = await this.db.query<LogRow>('SELECT * FROM job_logs WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
      jobId,
      q.afterId ?? 0,
      pageSize(q.limit ?? 500),
    ]);
    return rows.map(toLog);
  }

  async appendLog(jobId: string, stepSeq: number | null, level: JobLogLevel, message: string, now: number): Promise<void> {
    await this.db.query('INSERT INTO job_logs (job_id, step_seq, at, level, message) VALUES ($1, $2, $3, $4, $5)', [
      jobId,
      stepSeq,
      at(now, 'now'),
      level,
      message,
    ]);
  }

  /** Newest first (created_at, then id); see page.ts for the cursor. */
  async list(filter: JobFilter): Promise<Page<JobRecord>> {
    const limit = pageSize(filter.limit);
    const where = new Conditions();
    if (filter.clientId !== null) where.add('client_id = ?', filter.clientId);
    if (filter.status !== undefined) where.add('status = ?', filter.status);
    if (filter.kind !== undefined) where.add('kind = ?', filter.kind);
    if (filter.requestedBy !== undefined) where.add('requested_by = ?', filter.requestedBy);
    if (filter.cursor !== undefined) {
      const [t, id] = decodeCursor(filter.cursor, ['number', 'string']) as [number, string];
      if (!isUuid(id)) throw new MetadataStoreError('invalid_input', 'malformed page cursor: pass back a nextCursor unchanged');
      where.add('(created_at, id) < (?, ?::uuid)', at(t, 'cursor'), id);
    }
    const { rows } = await this.db.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs ${where.where()} ORDER BY created_at DESC, id DESC LIMIT ${where.bind(limit + 1)}`,
      where.params,
    );
    return toPage(rows, limit, toJob, (r) => [r.created_at.getTime(), r.id]);
  }

  /**
   * Cancels a job nobody is running (pending, waiting for approval, or parked and
   * unclaimed) at once: `cancelled: true`. A job a runner holds is asked to stop instead
   * (`cancel_requested`); the runner ends it at the next step boundary, since a step
   * half-done is worse than one finished. Its unfinished steps end cancelled.
   * @throws MetadataStoreError `not_found`; `invalid_state` when the job already ended.
   */
  async cancel(clientId: string | null, id: string, now: number): Promise<{ job: JobRecord; cancelled: boolean }> {
    const t = at(now, 'now');
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET status = 'cancelled', cancel_requested = true, claimed_by = NULL, claim_expires_at = NULL,
         run_after = NULL, finished_at = $3, updated_at = $3
       WHERE id = $1 AND ($2::text IS NULL OR client_id = $2) AND status NOT IN ${FINAL}
         AND (claimed_by IS NULL OR claim_expires_at <= $3)
       RETURNING ${JOB_COLUMNS}`,
      [isUuid(id) ? id : null, clientId, t],
    );
    if (rows[0]) {
      await this.db.query(
        `UPDATE job_steps SET status = 'cancelled', finished_at = $2 WHERE job_id = $1 AND status IN ('pending', 'running')`,
        [id, t],
      );
      return { job: toJob(rows[0]), cancelled: true };
    }
    const requested = await this.db.query<JobRow>(
      `UPDATE jobs SET cancel_requested = true, updated_at = $3
       WHERE id = $1 AND ($2::text IS NULL OR client_id = $2) AND status = 'running' RETURNING ${JOB_COLUMNS}`,
      [isUuid(id) ? id : null, clientId, t],
    );
    if (requested.rows[0]) return { job: toJob(requested.rows[0]), cancelled: false };
    throw await this.refusal(clientId, id, (j) => `job ${id} already ended ${j.status}`);
  }

  /**
   * Runs a failed or cancelled job again as a new attempt: its failed, cancelled and
   * interrupted steps go back to pending; steps that succeeded stay done (they are not
   * repeated, so a retry never deletes or launches twice). `status` is pending, or
   * waiting-approval when the job needs a fresh approval.
   * @throws MetadataStoreError `not_found`; `invalid_state` unless the job failed or was cancelled.
   */
  async retry(clientId: string | null, id: string, status: 'pending' | 'waiting-approval', now: number): Promise<JobRecord> {
    const t = at(now, 'now');
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET status = $3, attempt = attempt + 1, error = NULL, finished_at = NULL, cancel_requested = false,
         run_after = NULL, updated_at = $4
       WHERE id = $1 AND ($2::text IS NULL OR client_id = $2) AND status IN ('failed', 'cancelled')
       RETURNING ${JOB_COLUMNS}`,
      [isUuid(id) ? id : null, clientId, status, t],
    );
    if (!rows[0]) throw await this.refusal(clientId, id, (j) => `job ${id} is ${j.status}: only a failed or cancelled job can be retried`);
    await this.db.query(
      `UPDATE job_steps SET status = 'pending', message = NULL, finished_at = NULL
       WHERE job_id = $1 AND status IN ('failed', 'cancelled', 'running')`,
      [id],
    );
    return toJob(rows[0]);
  }

  /** waiting-approval → pending. @throws MetadataStoreError `not_found`; `invalid_state` when it is not waiting. */
  async approved(id: string, now: number): Promise<JobRecord> {
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET status = 'pending', updated_at = $2 WHERE id = $1 AND status = 'waiting-approval' RETURNING ${JOB_COLUMNS}`,
      [isUuid(id) ? id : null, at(now, 'now')],
    );
    if (rows[0]) return toJob(rows[0]);
    throw await this.refusal(null, id, (j) => `job ${id} is ${j.status}, not waiting for approval`);
  }

  private async refusal(clientId: string | null, id: string, explain: (j: JobRecord) => string): Promise<MetadataStoreError> {
    const j = await this.get(clientId, id);
    return j ? new MetadataStoreError('invalid_state', explain(j)) : new MetadataStoreError('not_found', `no job ${id}`);
  }
}
