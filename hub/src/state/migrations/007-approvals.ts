import type { Migration } from '../migrator.ts';

/**
 * Approvals: a second person's yes or no to a job the policy marks destructive. The job
 * waits in `waiting-approval` while its request is pending. A job has at most one pending
 * request (a retry after a rejection asks again). The requester cannot approve their own
 * request: the service refuses it first, the check below refuses it whatever the code does.
 */
export const migration: Migration = {
  version: 7,
  name: 'approvals',
  sql: `
CREATE TABLE approvals (
  id uuid PRIMARY KEY,
  client_id text NOT NULL CHECK (client_id <> ''),
  job_id uuid NOT NULL REFERENCES jobs (id),
  action text NOT NULL CHECK (action <> ''),
  summary text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  requested_by text NOT NULL CHECK (requested_by <> ''),
  requested_at timestamptz NOT NULL,
  decided_by text CHECK (decided_by <> ''),
  decided_at timestamptz,
  reason text,
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
  CHECK (status <> 'approved' OR decided_by <> requested_by),
  CHECK (status NOT IN ('approved', 'rejected') OR reason <> '')
);

CREATE UNIQUE INDEX approvals_one_pending_per_job ON approvals (job_id) WHERE status = 'pending';
CREATE INDEX approvals_by_client_time ON approvals (client_id, requested_at DESC, id DESC);
`,
};
