import type { SqlSession } from '../metadata-store.ts';
import { at, toMs, toMsOrNull } from './sql-values.ts';

export type SwitchOutcome = 'in-progress' | 'switched' | 'rolled-back' | 'failed';

export interface PoolRef {
  instanceType: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
}

export interface SwitchHistoryRecord {
  jobId: string;
  clientId: string;
  clusterId: string;
  /** The instance that was (or was to be) replaced. */
  instanceId: string;
  replacementId: string | null;
  from: PoolRef;
  to: PoolRef;
  reason: string;
  savingsPerHour: number | null;
  decisionId: string | null;
  outcome: SwitchOutcome;
  startedAt: number;
  finishedAt: number | null;
}

export type NewSwitchHistory = Omit<SwitchHistoryRecord, 'outcome' | 'finishedAt' | 'replacementId'>;

interface Row {
  job_id: string;
  client_id: string;
  cluster_id: string;
  instance_id: string;
  replacement_id: string | null;
  from_type: string;
  from_zone: string;
  from_capacity: 'spot' | 'on-demand';
  to_type: string;
  to_zone: string;
  to_capacity: 'spot' | 'on-demand';
  reason: string;
  savings_per_hour: number | string | null;
  decision_id: string | null;
  outcome: SwitchOutcome;
  started_at: Date;
  finished_at: Date | null;
}

/** Switch history per instance, keyed by switch job so a resumed job updates its own row. */
export class SwitchHistoryRepository {
  constructor(private readonly db: SqlSession) {}

  /** Records the start of a switch; a second call for the same job keeps the first row. */
  async begin(r: NewSwitchHistory): Promise<void> {
    await this.db.query(
      `INSERT INTO switch_history (job_id, client_id, cluster_id, instance_id, from_type, from_zone, from_capacity,
         to_type, to_zone, to_capacity, reason, savings_per_hour, decision_id, outcome, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'in-progress', $14)
       ON CONFLICT (job_id) DO NOTHING`,
      [
        r.jobId,
        r.clientId,
        r.clusterId,
        r.instanceId,
        r.from.instanceType,
        r.from.zone,
        r.from.capacityType,
        r.to.instanceType,
        r.to.zone,
        r.to.capacityType,
        r.reason,
        r.savingsPerHour,
        r.decisionId,
        at(r.startedAt, 'startedAt'),
      ],
    );
  }

  async setReplacement(jobId: string, replacementId: string): Promise<void> {
    await this.db.query('UPDATE switch_history SET replacement_id = $2 WHERE job_id = $1', [jobId, replacementId]);
  }

  /** Ends the switch; idempotent (a finished row keeps its first outcome). */
  async finish(jobId: string, outcome: Exclude<SwitchOutcome, 'in-progress'>, now: number): Promise<void> {
    await this.db.query(`UPDATE switch_history SET outcome = $2, finished_at = $3 WHERE job_id = $1 AND outcome = 'in-progress'`, [
      jobId,
      outcome,
      at(now, 'now'),
    ]);
  }

  async get(jobId: string): Promise<SwitchHistoryRecord | null> {
    const { rows } = await this.db.query<Row>('SELECT * FROM switch_history WHERE job_id = $1', [jobId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Every switch that replaced this instance or launched it, newest first. */
  async forInstance(clientId: string, instanceId: string, limit = 100): Promise<SwitchHistoryRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM switch_history WHERE client_id = $1 AND (instance_id = $2 OR replacement_id = $2)
       ORDER BY started_at DESC, job_id DESC LIMIT $3`,
      [clientId, instanceId, limit],
    );
    return rows.map(toRecord);
  }

  /** Switches that ended switched at or after `sinceMs` (null client: every client), newest first, at most `limit`. */
  async switchedSince(clientId: string | null, sinceMs: number, limit = 5_000): Promise<SwitchHistoryRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM switch_history WHERE outcome = 'switched' AND finished_at >= $1 AND ($2::text IS NULL OR client_id = $2)
       ORDER BY finished_at DESC, job_id DESC LIMIT $3`,
      [at(sinceMs, 'sinceMs'), clientId, limit],
    );
    return rows.map(toRecord);
  }
}

function toRecord(r: Row): SwitchHistoryRecord {
  return {
    jobId: r.job_id,
    clientId: r.client_id,
    clusterId: r.cluster_id,
    instanceId: r.instance_id,
    replacementId: r.replacement_id,
    from: { instanceType: r.from_type, zone: r.from_zone, capacityType: r.from_capacity },
    to: { instanceType: r.to_type, zone: r.to_zone, capacityType: r.to_capacity },
    reason: r.reason,
    savingsPerHour: r.savings_per_hour === null ? null : Number(r.savings_per_hour),
    decisionId: r.decision_id,
    outcome: r.outcome,
    startedAt: toMs(r.started_at),
    finishedAt: toMsOrNull(r.finished_at),
  };
}
