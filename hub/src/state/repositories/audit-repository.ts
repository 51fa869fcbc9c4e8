import type { SqlSession } from '../metadata-store.ts';
import { decodeCursor, type Page, pageSize, toPage } from './page.ts';
import { at, Conditions, json, toMs } from './sql-values.ts';

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  /** Increases with every append. */
  id: number;
  at: number;
  /** null: a hub-wide action. */
  clientId: string | null;
  actor: string;
  sourceIp: string | null;
  action: string;
  /** What was acted on, e.g. `scoring-model:<id>`. */
  target: string;
  details: Record<string, unknown>;
  result: AuditResult;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'clientId' | 'sourceIp' | 'details'> & {
  clientId?: string | null;
  sourceIp?: string | null;
  details?: Record<string, unknown>;
};

export interface AuditFilter {
  /** null: every tenant and the hub-wide entries (operators only). */
  clientId: string | null;
  actor?: string;
  action?: string;
  target?: string;
  /** at >= from (epoch ms). */
  from?: number;
  /** at < to (epoch ms). */
  to?: number;
  limit?: number;
  cursor?: string;
}

interface Row {
  id: number;
  at: Date;
  client_id: string | null;
  actor: string;
  source_ip: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
  result: AuditResult;
}

/**
 * The audit log: append and read, nothing else — the table refuses UPDATE, DELETE and
 * TRUNCATE (`append_only`). Append inside the transaction of the change it records, so
 * the change and its record commit or vanish together.
 */
export class AuditRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `invalid_input` for a malformed source IP, `constraint` for an empty actor or action. */
  async append(e: NewAuditEntry, now: number): Promise<AuditEntry> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO audit_log (at, client_id, actor, source_ip, action, target, details, result)
       VALUES ($1, $2, $3, $4::inet, $5, $6, $7::jsonb, $8) RETURNING id, at, client_id, actor, host(source_ip) AS source_ip, action, target, details, result`,
      [at(now, 'now'), e.clientId ?? null, e.actor, e.sourceIp ?? null, e.action, e.target, json(e.details ?? {}), e.result],
    );
    return toEntry(rows[0] as Row);
  }

  /** Newest first (by id: the order of appends, whatever clock stamped them). */
  async list(filter: AuditFilter): Promise<Page<AuditEntry>> {
    const limit = pageSize(filter.limit);
    const where = new Conditions();
    if (filter.clientId !== null) where.add('client_id = ?', filter.clientId);
    if (filter.actor !== undefined) where.add('actor = ?', filter.actor);
    if (filter.action !== undefined) where.add('action = ?', filter.action);
    if (filter.target !== undefined) where.add('target = ?', filter.target);
    if (filter.from !== undefined) where.add('at >= ?', at(filter.from, 'from'));
    if (filter.to !== undefined) where.add('at < ?', at(filter.to, 'to'));
    if (filter.cursor !== undefined) where.add('id < ?', decodeCursor(filter.cursor, ['number'])[0] as number);
    const { rows } = await this.db.query<Row>(
      `SELECT id, at, client_id, actor, host(source_ip) AS source_ip, action, target, details, result
       FROM audit_log ${where.where()} ORDER BY id DESC LIMIT ${where.bind(limit + 1)}`,
      where.params,
    );
    return toPage(rows, limit, toEntry, (r) => [r.id]);
  }
}

function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    at: toMs(r.at),
    clientId: r.client_id,
    actor: r.actor,
    sourceIp: r.source_ip,
    action: r.action,
    target: r.target,
    details: r.details,
    result: r.result,
  };
}
