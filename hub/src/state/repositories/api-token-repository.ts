import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { at, isUuid, toMs, toMsOrNull } from './sql-values.ts';
import { toUser, type UserRecord, type UserRole } from './user-repository.ts';

export interface ApiTokenRecord {
  id: string;
  /** The token's first characters, to recognise it; not enough to use it. */
  prefix: string;
  name: string;
  /** The user the token acts for. */
  userId: string;
  username: string;
  /** The tenant it is scoped to; null: every tenant (only a hub-wide user can make one). */
  clientId: string | null;
  role: UserRole;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewApiToken {
  id?: string;
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  prefix: string;
  name: string;
  userId: string;
  clientId: string | null;
  role: UserRole;
  expiresAt: number;
}

export interface ApiTokenFilter {
  /** Tokens scoped to this tenant; null: every token. */
  clientId: string | null;
  /** Only this user's tokens. */
  userId?: string;
}

interface OwnerColumns {
  owner_name: string;
  owner_role: UserRole;
  owner_client_id: string | null;
  disabled: boolean;
  owner_created_at: Date;
  updated_at: Date;
  password_changed_at: Date;
}

interface TokenRow {
  id: string;
  prefix: string;
  name: string;
  user_id: string;
  username: string;
  client_id: string | null;
  role: UserRole;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const SELECT = `SELECT t.id, t.prefix, t.name, t.user_id, u.username, t.client_id, t.role, t.created_at, t.expires_at,
  t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id`;

/** API tokens, stored as hashes. Whether one may still be used is the caller's decision. */
export class ApiTokenRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an unknown user or client, or an expiry not after now. */
  async create(t: NewApiToken, now: number): Promise<ApiTokenRecord> {
    const id = t.id ?? randomUUID();
    await this.db.query(
      `INSERT INTO api_tokens (id, token_hash, prefix, name, user_id, client_id, role, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, t.tokenHash, t.prefix, t.name, t.userId, t.clientId, t.role, at(now, 'now'), at(t.expiresAt, 'expiresAt')],
    );
    return (await this.get(null, id)) as ApiTokenRecord;
  }

  /** The token a bearer presents, with its owner as they are now (a demoted owner's tokens shrink with them). */
  async findByHash(tokenHash: string): Promise<{ token: ApiTokenRecord; owner: UserRecord } | null> {
    const { rows } = await this.db.query<TokenRow & OwnerColumns>(
      `SELECT t.id, t.prefix, t.name, t.user_id, u.username, t.client_id, t.role, t.created_at, t.expires_at,
              t.last_used_at, t.revoked_at, u.name AS owner_name, u.role AS owner_role, u.client_id AS owner_client_id,
              u.disabled, u.created_at AS owner_created_at, u.updated_at, u.password_changed_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    const owner = toUser({
      id: r.user_id,
      username: r.username,
      name: r.owner_name,
      role: r.owner_role,
      client_id: r.owner_client_id,
      disabled: r.disabled,
      created_at: r.owner_created_at,
      updated_at: r.updated_at,
      password_changed_at: r.password_changed_at,
    });
    return { token: toToken(r), owner };
  }

  /** A token scoped to `scope` (null: any). */
  async get(scope: string | null, id: string): Promise<ApiTokenRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<TokenRow>(`${SELECT} WHERE t.id = $1 AND ($2::text IS NULL OR t.client_id = $2)`, [id, scope]);
    return rows[0] ? toToken(rows[0]) : null;
  }

  /** Newest first, revoked and expired ones included (a list is also a record). */
  async list(filter: ApiTokenFilter): Promise<ApiTokenRecord[]> {
    const { rows } = await this.db.query<TokenRow>(
      `${SELECT} WHERE ($1::text IS NULL OR t.client_id = $1) AND ($2::uuid IS NULL OR t.user_id = $2)
       ORDER BY t.created_at DESC, t.id`,
      [filter.clientId, filter.userId ?? null],
    );
    return rows.map(toToken);
  }

  /** Revokes the token (a second revocation keeps the first time); null when there is none. */
  async revoke(id: string, now: number): Promise<ApiTokenRecord | null> {
    if (!isUuid(id)) return null;
    await this.db.query('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1', [id, at(now, 'now')]);
    return this.get(null, id);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [
      id,
      at(now, 'now'),
    ]);
  }
}

function toToken(r: TokenRow): ApiTokenRecord {
  return {
    id: r.id,
    prefix: r.prefix,
    name: r.name,
    userId: r.user_id,
    username: r.username,
    clientId: r.client_id,
    role: r.role,
    createdAt: toMs(r.created_at),
    expiresAt: toMs(r.expires_at),
    lastUsedAt: toMsOrNull(r.last_used_at),
    revokedAt: toMsOrNull(r.revoked_at),
  };
}
