import type { SqlSession } from '../metadata-store.ts';
import type { OverrideRecord } from './override-repository.ts';
import { at, toMs, toMsOrNull } from './sql-values.ts';

interface OverrideRow {
  id: string;
  client_id: string;
  level: OverrideRecord['level'];
  cluster_id: string | null;
  target_id: string;
  reason: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  lifted_at: Date | null;
  lifted_by: string | null;
}

/**
 * Which ended overrides (expired or lifted) have had their end handled — a revert-to-spot
 * job started — so the sweeper handles each exactly once, whichever hub sees it first.
 */
export class OverrideRevertRepository {
  constructor(private readonly db: SqlSession) {}

  /** Overrides of every client that ended by `now` (expired or lifted) and whose end nobody handled yet, oldest end first. */
  async endedUnhandled(now: number, limit = 100): Promise<OverrideRecord[]> {
    const { rows } = await this.db.query<OverrideRow>(
      `SELECT o.* FROM overrides o LEFT JOIN override_revert r ON r.override_id = o.id
       WHERE r.override_id IS NULL AND ((o.expires_at IS NOT NULL AND o.expires_at <= $1) OR o.lifted_at IS NOT NULL)
       ORDER BY COALESCE(o.lifted_at, o.expires_at), o.id LIMIT $2`,
      [at(now, 'now'), limit],
    );
    return rows.map((r) => ({
      id: r.id,
      clientId: r.client_id,
      level: r.level,
      clusterId: r.cluster_id,
      targetId: r.target_id,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: toMs(r.created_at),
      expiresAt: toMsOrNull(r.expires_at),
      liftedAt: toMsOrNull(r.lifted_at),
      liftedBy: r.lifted_by,
    }));
  }

  /** Claims the end of an override; false when another sweep already did. Call in the transaction that starts the job. */
  async claim(overrideId: string, ended: 'expired' | 'lifted', jobId: string | null, now: number): Promise<boolean> {
    const { rows } = await this.db.query<{ override_id: string }>(
      `INSERT INTO override_revert (override_id, ended, handled_at, job_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (override_id) DO NOTHING RETURNING override_id`,
      [overrideId, ended, at(now, 'now'), jobId],
    );
    return rows.length === 1;
  }

  async handled(overrideId: string): Promise<{ ended: string; jobId: string | null; handledAt: number } | null> {
    const { rows } = await this.db.query<{ ended: string; job_id: string | null; handled_at: Date }>(
      'SELECT ended, job_id, handled_at FROM override_revert WHERE override_id = $1',
      [overrideId],
    );
    const r = rows[0];
    return r ? { ended: r.ended, jobId: r.job_id, handledAt: toMs(r.handled_at) } : null;
  }
}
