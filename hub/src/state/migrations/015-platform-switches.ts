import type { Migration } from '../migrator.ts';

/**
 * The platform kill switch and the bookkeeping of override expiry.
 *
 * `platform_switches` holds hub-wide flags by name (one row: `spot-disabled`); each change
 * keeps who made it and the job carrying it out. `override_revert` records, once per
 * override, that its end (expiry or lift) was handled and which revert-to-spot job it
 * started, so two hubs sweeping at once start one job (the primary key decides).
 */
export const migration: Migration = {
  version: 15,
  name: 'platform-switches',
  sql: `
CREATE TABLE platform_switches (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  enabled boolean NOT NULL,
  changed_by text NOT NULL CHECK (changed_by <> ''),
  changed_at timestamptz NOT NULL,
  job_id uuid,
  note text NOT NULL DEFAULT ''
);

CREATE TABLE override_revert (
  override_id uuid PRIMARY KEY REFERENCES overrides (id),
  ended text NOT NULL CHECK (ended IN ('expired', 'lifted')),
  handled_at timestamptz NOT NULL,
  job_id uuid
);
`,
};
