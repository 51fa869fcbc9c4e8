import type { Migration } from '../migrator.ts';

/**
 * Bearer tokens for programs. Only the SHA-256 of a token is kept (the token itself is
 * shown once); prefix is its first characters, enough to recognise it in a list. A token
 * acts for the user who made it, with its own role and tenant, never more than that
 * user's (the code caps it at each use). Revoked tokens stay, for the record.
 */
export const migration: Migration = {
  version: 12,
  name: 'api-tokens',
  sql: `
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  prefix text NOT NULL CHECK (length(prefix) <= 32),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 100),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id text REFERENCES clients (id),
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK (expires_at > created_at)
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
CREATE INDEX api_tokens_by_client ON api_tokens (client_id, created_at);
`,
};
