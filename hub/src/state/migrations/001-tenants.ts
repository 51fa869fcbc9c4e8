import type { Migration } from '../migrator.ts';

/**
 * Tenants (clients) and their clusters. Ids are the names agents and the API use (the
 * hub's default tenant is "default"), so they are text, not generated.
 */
export const migration: Migration = {
  version: 1,
  name: 'tenants',
  sql: `
CREATE TABLE clients (
  id text PRIMARY KEY CHECK (id <> '' AND length(id) <= 253),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  created_at timestamptz NOT NULL
);

CREATE TABLE clusters (
  client_id text NOT NULL REFERENCES clients (id),
  id text NOT NULL CHECK (id <> '' AND length(id) <= 253),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, id)
);
`,
};
