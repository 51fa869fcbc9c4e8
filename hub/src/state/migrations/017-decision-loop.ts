import type { Migration } from '../migrator.ts';

/**
 * What the live decision loop records beyond migration 3: `provision` decisions (launches
 * for pods that have nowhere to run), the dry-run mark (the loop approved the decision but
 * no executor acted on it: recorded as executed with nothing changed, as executors' dry
 * runs are), and the drop reason as a code the funnel can count by.
 */
export const migration: Migration = {
  version: 17,
  name: 'decision-loop',
  sql: `
ALTER TABLE decisions DROP CONSTRAINT decisions_kind_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_kind_check
  CHECK (kind IN ('provision', 'replace', 'fallback-on-demand', 'revert-to-spot', 'consolidate'));

ALTER TABLE decisions ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
-- A shadow decision is never executed, not even as a dry run.
ALTER TABLE decisions ADD CONSTRAINT decisions_dry_run_not_shadow CHECK (NOT (dry_run AND from_shadow));

ALTER TABLE decisions ADD COLUMN drop_reason text CHECK (drop_reason IS NULL OR drop_reason ~ '^[a-z][a-z-]{0,62}$');
ALTER TABLE decisions ADD CONSTRAINT decisions_drop_reason_when_dropped CHECK (drop_reason IS NULL OR outcome = 'dropped');

-- The shadow comparison reads one tenant's decisions of one model side in a time window.
CREATE INDEX decisions_by_side_time ON decisions (client_id, from_shadow, created_at DESC);
`,
};
