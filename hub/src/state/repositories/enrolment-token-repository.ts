import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { at, isUuid, toMs, toMsOrNull } from './sql-values.ts';

export interface EnrolmentTokenRecord {
  id: string;
  /** The token's first characters, to recognise it; not enough to use it. */
  prefix: string;
  clientId: string;
  clusterId: string;
  name: string;
  createdBy: string;
  createdAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewEnrolmentToken {
  id?: string;
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  prefix: string;
  clientId: string;
  clusterId: string;
  name: string;
  createdBy: string;
  expiresAt: number | null;
}

interface Row {
  id: string;
  prefix: string;
  client_id: string;
  cluster_id: string;
  name: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, prefix, client_id, cluster_id, name, created_by, created_at, expires_at, last_used_at, revoked_at';

/** Per-cluster agent enrolment tokens, stored as hashes; every read names the cluster's client. */
export class EnrolmentTokenRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an unknown cluster or an expiry not after now. */
  async create(t: NewEnrolmentToken, now: number): Promise<EnrolmentTokenRecord> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO enrolment_tokens (id, token_hash, prefix, client_id, cluster_id, name, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        t.id ?? randomUUID(),
        t.tokenHash,
        t.prefix,
        t.clientId,
        t.clusterId,
        t.name,
        t.createdBy,
        at(now, 'now'),
        t.expiresAt === null ? null : at(t.expiresAt, 'expiresAt'),
      ],
    );
    return toRecord(rows[0] as Row);
  }

  /** Newest first, revoked ones included. */
  async list(clientId: string, clusterId: string): Promise<EnrolmentTokenRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM enrolment_tokens WHERE client_id = $1 AND cluster_id = $2 ORDER BY created_at DESC, id`,
      [clientId, clusterId],
    );
    return rows.map(toRecord);
  }

  /** Revokes the cluster's token (a second revocation keeps the first time); null when the cluster has no such token. */
  async revoke(clientId: string, clusterId: string, id: string, now: number): Promise<EnrolmentTokenRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<Row>(
      `UPDATE enrolment_tokens SET revoked_at = coalesce(revoked_at, $4)
       WHERE id = $1 AND client_id = $2 AND cluster_id = $3 RETURNING ${COLUMNS}`,
      [id, clientId, clusterId, at(now, 'now')],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * The cluster a presented token enrols into, stamping its last use; null when no
   * token has this hash or it is revoked or expired. One statement: a revocation that
   * commits first is always seen.
   */
  async use(tokenHash: string, now: number): Promise<{ id: string; clientId: string; clusterId: string } | null> {
    const { rows } = await this.db.query<{ id: string; client_id: string; cluster_id: string }>(
      `UPDATE enrolment_tokens SET last_used_at = $2
       WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
       RETURNING id, client_id, cluster_id`,
      [tokenHash, at(now, 'now')],
    );
    const r = rows[0];
    return r ? { id: r.id, clientId: r.client_id, clusterId: r.cluster_id } : null;
  }

  /** The clients that have a cluster with this id, to resolve a cluster named without its client. */
  async clusterOwners(clusterId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ client_id: string }>('SELECT client_id FROM clusters WHERE id = $1 ORDER BY client_id', [
      clusterId,
    ]);
    return rows.map((r) => r.client_id);
  }
}

function toRecord(r: Row): EnrolmentTokenRecord {
  return {
    id: r.id,
    prefix: r.prefix,
    clientId: r.client_id,
    clusterId: r.cluster_id,
    name: r.name,
    createdBy: r.created_by,
    createdAt: toMs(r.created_at),
    expiresAt: toMsOrNull(r.expires_at),
    lastUsedAt: toMsOrNull(r.last_used_at),
    revokedAt: toMsOrNull(r.revoked_at),
  };
}
