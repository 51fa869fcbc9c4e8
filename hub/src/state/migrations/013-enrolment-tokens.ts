import type { Migration } from '../migrator.ts';

/**
 * Tokens an agent presents to join one cluster. Hashed like API tokens; expiry is
 * optional because agents present the token again at every reconnect for years.
 * created_by is the actor's name, not a user id: the record outlives the user.
 */
export const migration: Migration = {
  version: 13,
  name: 'enrolment-tokens',
  sql: `
CREATE TABLE enrolment_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  prefix text NOT NULL CHECK (length(prefix) <= 32),
  client_id text NOT NULL,
  cluster_id text NOT NULL,
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  created_by text NOT NULL CHECK (created_by <> ''),
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (client_id, cluster_id) REFERENCES clusters (client_id, id),
  CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE INDEX enrolment_tokens_by_cluster ON enrolment_tokens (client_id, cluster_id, created_at);
`,
};
