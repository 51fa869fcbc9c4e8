import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { decodeCursor, type Page, pageSize, toPage } from './page.ts';
import { at, Conditions, isUuid, toMs, toMsOrNull } from './sql-values.ts';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalRecord {
  id: string;
  clientId: string;
  jobId: string;
  /** The policy action that asked for it, e.g. `storage.delete`. */
  action: string;
  /** One line for the approver: what the job would do. */
  summary: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
}

export interface NewApproval {
  id?: string;
  clientId: string;
  jobId: string;
  action: string;
  summary: string;
  requestedBy: string;
}

export interface ApprovalFilter {
  /** null: every tenant's. */
  clientId: string | null;
  status?: ApprovalStatus;
  jobId?: string;
  limit?: number;
  cursor?: string;
}

interface Row {
  id: string;
  client_id: string;
  job_id: string;
  action: string;
  summary: string;
  status: ApprovalStatus;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
}

/** Approval requests for jobs and their decisions. Decide inside the transaction that moves the job. */
export class ApprovalRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `conflict` when the job already has a pending request; `constraint` for an unknown job. */
  async create(a: NewApproval, now: number): Promise<ApprovalRecord> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO approvals (id, client_id, job_id, action, summary, requested_by, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [a.id ?? randomUUID(), a.clientId, a.jobId, a.action, a.summary, a.requestedBy, at(now, 'now')],
    );
    return toApproval(rows[0] as Row);
  }

  async get(clientId: string | null, id: string): Promise<ApprovalRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<Row>('SELECT * FROM approvals WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)', [
      id,
      clientId,
    ]);
    return rows[0] ? toApproval(rows[0]) : null;
  }

  /** The job's requests, newest first. */
  async forJob(jobId: string): Promise<ApprovalRecord[]> {
    if (!isUuid(jobId)) return [];
    const { rows } = await this.db.query<Row>('SELECT * FROM approvals WHERE job_id = $1 ORDER BY requested_at DESC, id DESC', [jobId]);
    return rows.map(toApproval);
  }

  /** Newest first (requested_at, then id). */
  async list(filter: ApprovalFilter): Promise<Page<ApprovalRecord>> {
    const limit = pageSize(filter.limit);
    const where = new Conditions();
    if (filter.clientId !== null) where.add('client_id = ?', filter.clientId);
    if (filter.status !== undefined) where.add('status = ?', filter.status);
    if (filter.jobId !== undefined) where.add('job_id = ?', isUuid(filter.jobId) ? filter.jobId : null);
    if (filter.cursor !== undefined) {
      const [t, id] = decodeCursor(filter.cursor, ['number', 'string']) as [number, string];
      if (!isUuid(id)) throw new MetadataStoreError('invalid_input', 'malformed page cursor: pass back a nextCursor unchanged');
      where.add('(requested_at, id) < (?, ?::uuid)', at(t, 'cursor'), id);
    }
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM approvals ${where.where()} ORDER BY requested_at DESC, id DESC LIMIT ${where.bind(limit + 1)}`,
      where.params,
    );
    return toPage(rows, limit, toApproval, (r) => [r.requested_at.getTime(), r.id]);
  }

  /**
   * Approves or rejects a pending request, with the decider's reason.
   * @throws MetadataStoreError `not_found`; `invalid_state` when it was already decided;
   *   `constraint` when the requester approves their own request, or without a reason.
   */
  async decide(
    clientId: string | null,
    id: string,
    d: { status: 'approved' | 'rejected'; by: string; reason: string },
    now: number,
  ): Promise<ApprovalRecord> {
    const { rows } = await this.db.query<Row>(
      `UPDATE approvals SET status = $3, decided_by = $4, reason = $5, decided_at = $6
       WHERE id = $1 AND ($2::text IS NULL OR client_id = $2) AND status = 'pending' RETURNING *`,
      [isUuid(id) ? id : null, clientId, d.status, d.by, d.reason, at(now, 'now')],
    );
    if (rows[0]) return toApproval(rows[0]);
    const existing = await this.get(clientId, id);
    if (!existing) throw new MetadataStoreError('not_found', `no approval ${id}`);
    throw new MetadataStoreError('invalid_state', `approval ${id} was already ${existing.status} by ${existing.decidedBy}`);
  }

  /** Withdraws the job's pending request (the job was cancelled); null when it had none. */
  async cancelPending(jobId: string, by: string, now: number): Promise<ApprovalRecord | null> {
    const { rows } = await this.db.query<Row>(
      `UPDATE approvals SET status = 'cancelled', decided_by = $2, decided_at = $3 WHERE job_id = $1 AND status = 'pending' RETURNING *`,
      [isUuid(jobId) ? jobId : null, by, at(now, 'now')],
    );
    return rows[0] ? toApproval(rows[0]) : null;
  }
}

function toApproval(r: Row): ApprovalRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    jobId: r.job_id,
    action: r.action,
    summary: r.summary,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: toMs(r.requested_at),
    decidedBy: r.decided_by,
    decidedAt: toMsOrNull(r.decided_at),
    reason: r.reason,
  };
}
