import type { Migration } from '../migrator.ts';

/**
 * Jobs: every action the hub takes on the world runs as a job of planned steps, so it can
 * be followed, cancelled, retried and resumed after a restart.
 *
 * A runner owns a job while `claimed_by` names it and `claim_expires_at` lies ahead; a
 * runner that stops renewing (a crashed hub) loses it when the lease runs out, and every
 * runner's write names itself, so one that lost its claim cannot write over the new
 * owner. `run_after` parks a job (a step waiting on the cloud, or backing off). A step's
 * `effect` is what it recorded before and after acting, so a resumed step can check the
 * world against its own intent instead of acting twice. client_id has no foreign key:
 * storage and governance jobs are account-wide and run under the hub's default tenant,
 * which exists before any of its clusters does.
 */
export const migration: Migration = {
  version: 6,
  name: 'jobs',
  sql: `
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  client_id text NOT NULL CHECK (client_id <> ''),
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{0,62}$'),
  status text NOT NULL CHECK (status IN ('pending', 'waiting-approval', 'running', 'succeeded', 'failed', 'cancelled')),
  dry_run boolean NOT NULL DEFAULT false,
  params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  requested_by text NOT NULL CHECK (requested_by <> ''),
  source_ip inet,
  note text NOT NULL DEFAULT '',
  steps_total integer NOT NULL CHECK (steps_total >= 0),
  steps_done integer NOT NULL DEFAULT 0 CHECK (steps_done >= 0 AND steps_done <= steps_total),
  attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  cancel_requested boolean NOT NULL DEFAULT false,
  claimed_by text CHECK (claimed_by <> ''),
  claim_expires_at timestamptz,
  run_after timestamptz,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
  CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
  -- Only a running job has an owner: a finished or parked one must be claimable or left alone.
  CHECK (claimed_by IS NULL OR status = 'running'),
  CHECK (status <> 'failed' OR error <> '')
);

-- Listing reads one tenant's jobs newest first; runners look for claimable ones.
CREATE INDEX jobs_by_client_time ON jobs (client_id, created_at DESC, id DESC);
CREATE INDEX jobs_claimable ON jobs (created_at, id) WHERE status IN ('pending', 'running');

CREATE TABLE job_steps (
  job_id uuid NOT NULL REFERENCES jobs (id),
  seq integer NOT NULL CHECK (seq >= 0),
  name text NOT NULL CHECK (name <> ''),
  target text NOT NULL,
  input jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(input) = 'object'),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'succeeded', 'skipped', 'failed', 'cancelled')),
  effect jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(effect) = 'object'),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  message text,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (job_id, seq)
);

CREATE TABLE job_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id),
  step_seq integer,
  at timestamptz NOT NULL,
  level text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  message text NOT NULL CHECK (message <> '')
);

CREATE INDEX job_logs_by_job ON job_logs (job_id, id);
`,
};
