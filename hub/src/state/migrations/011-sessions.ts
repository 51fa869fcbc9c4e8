import type { Migration } from '../migrator.ts';

/**
 * Signed-in browser sessions. The id is the SHA-256 of the cookie's secret, so a copy of
 * the table cannot sign anyone in. expires_at bounds a session's whole life; last_seen_at
 * drives the idle timeout (checked by the code, whose setting may change). Deleting a
 * user ends their sessions.
 */
export const migration: Migration = {
  version: 11,
  name: 'sessions',
  sql: `
CREATE TABLE sessions (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  source_ip inet,
  CHECK (expires_at > created_at)
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
`,
};
