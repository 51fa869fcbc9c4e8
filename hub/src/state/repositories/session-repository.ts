import type { SqlSession } from '../metadata-store.ts';
import { at, toMs } from './sql-values.ts';
import { toUser, type UserRecord, type UserRow } from './user-repository.ts';

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie's secret; the secret itself is never stored. */
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface NewSession {
  id: string;
  userId: string;
  expiresAt: number;
  sourceIp: string | null;
}

interface SessionRow {
  session_id: string;
  user_id: string;
  session_created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/**
 * Browser sessions. Whether one is still good (expiry, idle timeout, a disabled user) is
 * the caller's decision: this repository stores and finds, and {@link sweep}s the dead.
 */
export class SessionRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an unknown user or an expiry not after now. */
  async create(s: NewSession, now: number): Promise<SessionRecord> {
    const time = at(now, 'now');
    await this.db.query(
      `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, source_ip)
       VALUES ($1, $2, $3, $3, $4, $5::inet)`,
      [s.id, s.userId, time, at(s.expiresAt, 'expiresAt'), s.sourceIp],
    );
    return { id: s.id, userId: s.userId, createdAt: now, lastSeenAt: now, expiresAt: s.expiresAt };
  }

  /** The session and its user as they are now (role and tenant changes apply at once). */
  async find(id: string): Promise<{ session: SessionRecord; user: UserRecord } | null> {
    const { rows } = await this.db.query<SessionRow & UserRow>(
      `SELECT s.id AS session_id, s.user_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at,
              u.id, u.username, u.name, u.role, u.client_id, u.disabled, u.created_at, u.updated_at, u.password_changed_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      session: {
        id: r.session_id,
        userId: r.user_id,
        createdAt: toMs(r.session_created_at),
        lastSeenAt: toMs(r.last_seen_at),
        expiresAt: toMs(r.expires_at),
      },
      user: toUser(r),
    };
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2', [id, at(now, 'now')]);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM sessions WHERE id = $1', [id])).rowCount > 0;
  }

  /** Ends every session of a user but `keep` (the one changing its password); returns how many. */
  async deleteForUser(userId: string, keep: string | null = null): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2', [userId, keep]);
    return rowCount;
  }

  async countForUser(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]);
    return rows[0]?.n ?? 0;
  }

  /** Deletes sessions past their expiry or idle longer than `idleMs`; returns how many. */
  async sweep(idleMs: number, now: number): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [
      at(now, 'now'),
      at(now - idleMs, 'now'),
    ]);
    return rowCount;
  }
}
