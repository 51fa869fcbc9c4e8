import type { Migration } from '../migrator.ts';

/**
 * Switch history: one row per switch job (its id is the key, so a resumed job updates its
 * row instead of adding one). `instance_id` is the instance that was replaced; the row is
 * found again from either side (`replacement_id`). Pools are (type, zone, capacity type).
 * `outcome` moves from in-progress to switched, rolled-back or failed.
 */
export const migration: Migration = {
  version: 14,
  name: 'switch-history',
  sql: `
CREATE TABLE switch_history (
  job_id uuid PRIMARY KEY,
  client_id text NOT NULL CHECK (client_id <> ''),
  cluster_id text NOT NULL CHECK (cluster_id <> ''),
  instance_id text NOT NULL CHECK (instance_id ~ '^i-[0-9a-f]{8,17}$'),
  replacement_id text CHECK (replacement_id ~ '^i-[0-9a-f]{8,17}$'),
  from_type text NOT NULL,
  from_zone text NOT NULL,
  from_capacity text NOT NULL CHECK (from_capacity IN ('spot', 'on-demand')),
  to_type text NOT NULL,
  to_zone text NOT NULL,
  to_capacity text NOT NULL CHECK (to_capacity IN ('spot', 'on-demand')),
  reason text NOT NULL CHECK (reason <> ''),
  savings_per_hour double precision,
  decision_id text,
  outcome text NOT NULL CHECK (outcome IN ('in-progress', 'switched', 'rolled-back', 'failed')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  CHECK ((outcome = 'in-progress') = (finished_at IS NULL))
);

CREATE INDEX switch_history_by_instance ON switch_history (client_id, instance_id, started_at DESC);
CREATE INDEX switch_history_by_replacement ON switch_history (client_id, replacement_id, started_at DESC);

-- Parent jobs (force on-demand, kill switch, revert) find their child switch jobs by this parameter.
CREATE INDEX jobs_by_parent ON jobs ((params->>'parentJobId')) WHERE params->>'parentJobId' IS NOT NULL;
`,
};
