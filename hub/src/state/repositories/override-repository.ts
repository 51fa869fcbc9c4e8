import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { at, Conditions, isUuid, toMs, toMsOrNull } from './sql-values.ts';

export type OverrideLevel = 'instance' | 'cluster' | 'client';

/** What an override forces on-demand: a whole client, one of its clusters, or one instance. */
export type OverrideTarget =
  | { level: 'client' }
  | { level: 'cluster'; clusterId: string }
  | { level: 'instance'; clusterId: string; instanceId: string };

export interface OverrideRecord {
  id: string;
  clientId: string;
  level: OverrideLevel;
  /** The cluster of a cluster or instance override; null for a client override. */
  clusterId: string | null;
  /** The client id, cluster id or instance id the level names. */
  targetId: string;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** null: until lifted. */
  expiresAt: number | null;
  liftedAt: number | null;
  liftedBy: string | null;
}

export interface NewOverride {
  id?: string;
  clientId: string;
  target: OverrideTarget;
  reason: string;
  createdBy: string;
  /** Epoch ms, after `now`; null or absent: until lifted. */
  expiresAt?: number | null;
}

interface Row {
  id: string;
  client_id: string;
  level: OverrideLevel;
  cluster_id: string | null;
  target_id: string;
  reason: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  lifted_at: Date | null;
  lifted_by: string | null;
}

/** Active at time t: created by t, not expired by t, not lifted by t. Half-open: at expires_at it is over. */
const ACTIVE_AT = (t: string) =>
  `created_at <= ${t} AND (expires_at IS NULL OR expires_at > ${t}) AND (lifted_at IS NULL OR lifted_at > ${t})`;

/**
 * Force-on-demand overrides. "Active" is always asked about a time the caller passes (the
 * injected clock's now, or a replay's), never the database's clock.
 */
export class OverrideRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an unknown client or cluster, an empty reason, or expiresAt <= now. */
  async create(o: NewOverride, now: number): Promise<OverrideRecord> {
    const t = o.target;
    const clusterId = t.level === 'client' ? null : t.clusterId;
    const targetId = t.level === 'client' ? o.clientId : t.level === 'cluster' ? t.clusterId : t.instanceId;
    const { rows } = await this.db.query<Row>(
      `INSERT INTO overrides (id, client_id, level, cluster_id, target_id, reason, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        o.id ?? randomUUID(),
        o.clientId,
        t.level,
        clusterId,
        targetId,
        o.reason,
        o.createdBy,
        at(now, 'now'),
        o.expiresAt == null ? null : at(o.expiresAt, 'expiresAt'),
      ],
    );
    return toOverride(rows[0] as Row);
  }

  async get(clientId: string, id: string): Promise<OverrideRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<Row>('SELECT * FROM overrides WHERE client_id = $1 AND id = $2', [clientId, id]);
    return rows[0] ? toOverride(rows[0]) : null;
  }

  /** Ends an active override now. @throws MetadataStoreError `not_found`; `invalid_state` if already lifted or expired. */
  async lift(clientId: string, id: string, by: string, now: number): Promise<OverrideRecord> {
    const t = at(now, 'now');
    const { rows } = await this.db.query<Row>(
      `UPDATE overrides SET lifted_at = $3, lifted_by = $4
       WHERE client_id = $1 AND id = $2 AND ${ACTIVE_AT('$3')} RETURNING *`,
      [clientId, isUuid(id) ? id : null, t, by],
    );
    if (rows[0]) return toOverride(rows[0]);
    const existing = await this.get(clientId, id);
    if (!existing) throw new MetadataStoreError('not_found', `no override ${id} for client ${clientId}`);
    const state =
      existing.liftedAt !== null
        ? `was lifted by ${existing.liftedBy}`
        : existing.createdAt > now
          ? 'does not exist yet at that time'
          : 'has expired';
    throw new MetadataStoreError('invalid_state', `override ${id} ${state}`);
  }

  /** A client's overrides active at `now`, oldest first; `clusterId` keeps that cluster's (cluster and instance level). */
  /** Overrides in force at `now`; a null client: every client's (hub staff). */
  async listActive(q: { clientId: string | null; clusterId?: string }, now: number): Promise<OverrideRecord[]> {
    const where = new Conditions();
    if (q.clientId !== null) where.add('client_id = ?', q.clientId);
    if (q.clusterId !== undefined) where.add('cluster_id = ?', q.clusterId);
    const t = where.bind(at(now, 'now'));
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM overrides ${where.where() === '' ? 'WHERE' : `${where.where()} AND`} ${ACTIVE_AT(t)} ORDER BY created_at, id`,
      where.params,
    );
    return rows.map(toOverride);
  }

  /**
   * The active overrides that force this instance on-demand: its client's, its cluster's
   * and its own, most specific first. Empty: it may run on spot.
   */
  async applicable(q: { clientId: string; clusterId: string; instanceId: string }, now: number): Promise<OverrideRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM overrides
       WHERE client_id = $1 AND ${ACTIVE_AT('$4')}
         AND (level = 'client' OR (level = 'cluster' AND cluster_id = $2) OR (level = 'instance' AND cluster_id = $2 AND target_id = $3))
       ORDER BY CASE level WHEN 'instance' THEN 0 WHEN 'cluster' THEN 1 ELSE 2 END, created_at, id`,
      [q.clientId, q.clusterId, q.instanceId, at(now, 'now')],
    );
    return rows.map(toOverride);
  }
}

function toOverride(r: Row): OverrideRecord {
  return {
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
  };
}
