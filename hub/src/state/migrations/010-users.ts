import type { Migration } from '../migrator.ts';

/**
 * People who sign in to the API and console. A user holds one role; client_id binds them
 * to one tenant (null: hub staff, who see every tenant). Usernames are lower-case and
 * never contain ':' so an actor named `token:…` in the audit log cannot be a person.
 * password_hash holds the scrypt parameters with the hash, so they can be raised later
 * without invalidating stored passwords.
 *
 * login_failures counts failed sign-ins per attempted username, whether or not the user
 * exists: a lockout that only real accounts reach would tell an attacker which exist.
 */
export const migration: Migration = {
  version: 10,
  name: 'users',
  sql: `
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
  name text NOT NULL CHECK (length(name) <= 200),
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  client_id text REFERENCES clients (id),
  password_hash text NOT NULL CHECK (password_hash LIKE '$scrypt$%'),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  password_changed_at timestamptz NOT NULL
);

CREATE INDEX users_by_client ON users (client_id, username);

CREATE TABLE login_failures (
  username text PRIMARY KEY CHECK (username <> '' AND length(username) <= 200),
  failures integer NOT NULL CHECK (failures > 0),
  first_failed_at timestamptz NOT NULL,
  locked_until timestamptz
);
`,
};
