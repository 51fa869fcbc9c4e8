import type { SqlSession } from '../metadata-store.ts';
import { at, toMsOrNull } from './sql-values.ts';

export interface LoginFailureState {
  failures: number;
  /** Sign-ins for this username are refused until then (epoch ms); null: not locked. */
  lockedUntil: number | null;
}

export interface LockoutRule {
  /** Failures within `windowMs` that lock the username. */
  maxFailures: number;
  /** How long a lock lasts, and how far back failures count. */
  windowMs: number;
}

/**
 * Failed sign-ins per attempted username, in the database so that every hub process
 * counts the same failures and a restart does not reset a lock.
 */
export class LoginFailureRepository {
  constructor(private readonly db: SqlSession) {}

  async get(username: string): Promise<LoginFailureState | null> {
    const { rows } = await this.db.query<{ failures: number; locked_until: Date | null }>(
      'SELECT failures, locked_until FROM login_failures WHERE username = $1',
      [username],
    );
    const r = rows[0];
    return r ? { failures: r.failures, lockedUntil: toMsOrNull(r.locked_until) } : null;
  }

  /**
   * Counts one failure and locks the username when it reaches the limit. One statement,
   * so failures racing from several requests or hubs are all counted. A count whose
   * window or lock has passed starts again at 1.
   */
  async recordFailure(username: string, rule: LockoutRule, now: number): Promise<LoginFailureState> {
    const stale = `(f.first_failed_at <= $3 OR f.locked_until <= $2)`;
    const { rows } = await this.db.query<{ failures: number; locked_until: Date | null }>(
      `INSERT INTO login_failures AS f (username, failures, first_failed_at, locked_until)
       VALUES ($1, 1, $2, CASE WHEN $4::int <= 1 THEN $5::timestamptz END)
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN ${stale} THEN 1 ELSE f.failures + 1 END,
         first_failed_at = CASE WHEN ${stale} THEN $2 ELSE f.first_failed_at END,
         locked_until = CASE WHEN (CASE WHEN ${stale} THEN 1 ELSE f.failures + 1 END) >= $4::int THEN $5::timestamptz END
       RETURNING failures, locked_until`,
      [username, at(now, 'now'), at(now - rule.windowMs, 'now'), rule.maxFailures, at(now + rule.windowMs, 'now')],
    );
    const r = rows[0] as { failures: number; locked_until: Date | null };
    return { failures: r.failures, lockedUntil: toMsOrNull(r.locked_until) };
  }

  /** Forgets the failures (after a successful sign-in). */
  async clear(username: string): Promise<void> {
    await this.db.query('DELETE FROM login_failures WHERE username = $1', [username]);
  }

  /** Drops counts that no longer matter, so guessed usernames do not pile up; returns how many. */
  async sweep(windowMs: number, now: number): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM login_failures WHERE first_failed_at <= $1 AND (locked_until IS NULL OR locked_until <= $2)',
      [at(now - windowMs, 'now'), at(now, 'now')],
    );
    return rowCount;
  }
}
