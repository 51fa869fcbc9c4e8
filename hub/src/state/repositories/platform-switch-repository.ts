import type { SqlSession } from '../metadata-store.ts';
import { at, toMs } from './sql-values.ts';

export interface PlatformSwitchRecord {
  name: string;
  enabled: boolean;
  changedBy: string;
  changedAt: number;
  jobId: string | null;
  note: string;
}

interface Row {
  name: string;
  enabled: boolean;
  changed_by: string;
  changed_at: Date;
  job_id: string | null;
  note: string;
}

/** The hub-wide flag that disables spot everywhere. */
export const SPOT_DISABLED = 'spot-disabled';

/** Hub-wide flags (the kill switch). A flag never set reads as off. */
export class PlatformSwitchRepository {
  constructor(private readonly db: SqlSession) {}

  async get(name: string): Promise<PlatformSwitchRecord | null> {
    const { rows } = await this.db.query<Row>('SELECT * FROM platform_switches WHERE name = $1', [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async set(r: Omit<PlatformSwitchRecord, 'changedAt'>, now: number): Promise<PlatformSwitchRecord> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO platform_switches (name, enabled, changed_by, changed_at, job_id, note) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET enabled = $2, changed_by = $3, changed_at = $4, job_id = $5, note = $6 RETURNING *`,
      [r.name, r.enabled, r.changedBy, at(now, 'now'), r.jobId, r.note],
    );
    return toRecord(rows[0] as Row);
  }
}

function toRecord(r: Row): PlatformSwitchRecord {
  return { name: r.name, enabled: r.enabled, changedBy: r.changed_by, changedAt: toMs(r.changed_at), jobId: r.job_id, note: r.note };
}
