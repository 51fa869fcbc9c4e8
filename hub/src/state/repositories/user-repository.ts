import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { at, isUuid, toMs } from './sql-values.ts';

/** Ordered from most to least power: admin manages, operator acts, viewer reads. */
export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Lower-case, no ':' (kept for `token:` actors), at most 64 characters; the migration checks the same. */
export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._@-]{0,63}$';

export interface UserRecord {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  /** The tenant the user is bound to; null: hub staff, who see every tenant. */
  clientId: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
}

export interface NewUser {
  id?: string;
  username: string;
  name: string;
  role: UserRole;
  clientId: string | null;
  passwordHash: string;
}

export interface UserChange {
  name?: string;
  role?: UserRole;
  clientId?: string | null;
  passwordHash?: string;
  disabled?: boolean;
}

export interface UserRow {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  client_id: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
  password_changed_at: Date;
}

const COLUMNS = 'id, username, name, role, client_id, disabled, created_at, updated_at, password_changed_at';

/**
 * Users. The password hash leaves this repository only through {@link credentials}, so a
 * record that reaches a view or a log cannot carry it. Scoped reads take the caller's
 * tenant (null: every tenant); a user of another tenant reads as absent.
 */
export class UserRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `conflict` for a taken username, `constraint` for an unknown client or a malformed username. */
  async create(u: NewUser, now: number): Promise<UserRecord> {
    const time = at(now, 'now');
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (id, username, name, role, client_id, password_hash, created_at, updated_at, password_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING ${COLUMNS}`,
      [u.id ?? randomUUID(), u.username, u.name, u.role, u.clientId, u.passwordHash, time],
    );
    return toUser(rows[0] as UserRow);
  }

  async get(scope: string | null, id: string): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)`, [
      id,
      scope,
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The user and their password hash, for sign-in and password checks only. */
  async credentials(username: string): Promise<{ user: UserRecord; passwordHash: string } | null> {
    const { rows } = await this.db.query<UserRow & { password_hash: string }>(
      `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
      [username],
    );
    const r = rows[0];
    return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
  }

  /** Ordered by username. */
  async list(scope: string | null): Promise<UserRecord[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE $1::text IS NULL OR client_id = $1 ORDER BY username`,
      [scope],
    );
    return rows.map(toUser);
  }

  /**
   * Changes the given fields; a new password hash also stamps password_changed_at.
   * @throws MetadataStoreError `not_found` for an unknown id, `constraint` for an unknown client.
   */
  async update(id: string, change: UserChange, now: number): Promise<UserRecord> {
    if (!isUuid(id)) throw new MetadataStoreError('not_found', `no user ${id}`);
    const time = at(now, 'now');
    const { rows } = await this.db.query<UserRow>(
      `UPDATE users SET
         name = coalesce($2, name),
         role = coalesce($3, role),
         client_id = CASE WHEN $4 THEN $5 ELSE client_id END,
         password_hash = coalesce($6, password_hash),
         password_changed_at = CASE WHEN $6::text IS NULL THEN password_changed_at ELSE $8 END,
         disabled = coalesce($7, disabled),
         updated_at = $8
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        change.name ?? null,
        change.role ?? null,
        change.clientId !== undefined,
        change.clientId ?? null,
        change.passwordHash ?? null,
        change.disabled ?? null,
        time,
      ],
    );
    if (!rows[0]) throw new MetadataStoreError('not_found', `no user ${id}`);
    return toUser(rows[0]);
  }

  /** Stores a stronger hash of the same password (after a sign-in): not a password change, so no stamp. */
  async replaceHash(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  }

  /** Deletes the user with their sessions and API tokens; false when there was none. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (await this.db.query('DELETE FROM users WHERE id = $1', [id])).rowCount > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  }

  /**
   * Ids of the enabled hub-wide admins, row-locked: run inside the transaction that would
   * demote, disable or delete one, so two such changes at once cannot remove the last.
   */
  async lockHubAdmins(): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      "SELECT id FROM users WHERE role = 'admin' AND client_id IS NULL AND NOT disabled ORDER BY id FOR UPDATE",
    );
    return rows.map((r) => r.id);
  }
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    role: r.role,
    clientId: r.client_id,
    disabled: r.disabled,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
    passwordChangedAt: toMs(r.password_changed_at),
  };
}
