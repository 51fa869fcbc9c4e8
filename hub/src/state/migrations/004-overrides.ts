import type { Migration } from '../migrator.ts';

/**
 * Force-on-demand overrides at instance, cluster or client level. Whether one is active
 * depends on the time asked about (expires_at, lifted_at), so no constraint can say "one
 * active per target"; several may overlap and any of them forces on-demand.
 * An instance override names its cluster, so lifting a cluster's overrides finds it.
 */
export const migration: Migration = {
  version: 4,
  name: 'overrides',
  sql: `
CREATE TABLE overrides (
  id uuid PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  level text NOT NULL CHECK (level IN ('instance', 'cluster', 'client')),
  cluster_id text,
  target_id text NOT NULL CHECK (target_id <> ''),
  reason text NOT NULL CHECK (reason <> ''),
  created_by text NOT NULL CHECK (created_by <> ''),
  created_at timestamptz NOT NULL,
  expires_at timestamptz CHECK (expires_at > created_at),
  lifted_at timestamptz CHECK (lifted_at >= created_at),
  lifted_by text,
  FOREIGN KEY (client_id, cluster_id) REFERENCES clusters (client_id, id),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CHECK (level <> 'client' OR (target_id = client_id AND cluster_id IS NULL)),
  CHECK (level <> 'cluster' OR target_id = cluster_id),
  CHECK (level <> 'instance' OR cluster_id IS NOT NULL)
);

CREATE INDEX overrides_unlifted ON overrides (client_id, level, target_id) WHERE lifted_at IS NULL;
`,
};
