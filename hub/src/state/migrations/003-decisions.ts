import type { Migration } from '../migrator.ts';

/**
 * Decisions and how far each got through the funnel. `stage` is the furthest stage
 * reached (stages only move forward); `outcome` is pending until the decision ends. A pool
 * is (instance type, availability zone, capacity type), stored as three columns so pools
 * can be filtered and grouped; a side is all-null or all-set.
 */
export const migration: Migration = {
  version: 3,
  name: 'decisions',
  sql: `
CREATE TABLE decisions (
  id uuid PRIMARY KEY,
  client_id text NOT NULL,
  cluster_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('replace', 'fallback-on-demand', 'revert-to-spot', 'consolidate')),
  stage text NOT NULL DEFAULT 'candidate'
    CHECK (stage IN ('candidate', 'feasible', 'scored', 'solved', 'validated', 'approved', 'executed', 'verified')),
  outcome text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'dropped', 'executed', 'failed')),
  outcome_reason text,
  node_name text,
  instance_id text,
  from_instance_type text,
  from_availability_zone text,
  from_capacity_type text CHECK (from_capacity_type IN ('spot', 'on-demand')),
  to_instance_type text,
  to_availability_zone text,
  to_capacity_type text CHECK (to_capacity_type IN ('spot', 'on-demand')),
  inputs jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(inputs) = 'object'),
  score_breakdown jsonb CHECK (jsonb_typeof(score_breakdown) IN ('object', 'array')),
  expected_savings_per_hour numeric(14, 6),
  realized_savings numeric(14, 6),
  model_id uuid REFERENCES scoring_models (id),
  from_shadow boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz,
  FOREIGN KEY (client_id, cluster_id) REFERENCES clusters (client_id, id),
  CHECK ((outcome = 'pending') = (finished_at IS NULL)),
  CHECK (outcome NOT IN ('dropped', 'failed') OR outcome_reason <> ''),
  CHECK (outcome <> 'executed' OR stage IN ('executed', 'verified')),
  CHECK (NOT from_shadow OR model_id IS NOT NULL),
  -- A shadow model's decisions are recorded to compare models, never acted on.
  CHECK (NOT from_shadow OR stage NOT IN ('approved', 'executed', 'verified')),
  CHECK (num_nulls(from_instance_type, from_availability_zone, from_capacity_type) IN (0, 3)),
  CHECK (num_nulls(to_instance_type, to_availability_zone, to_capacity_type) IN (0, 3))
);

COMMENT ON COLUMN decisions.expected_savings_per_hour IS 'USD per hour the decision was expected to save when made';
COMMENT ON COLUMN decisions.realized_savings IS 'USD saved since execution (on-demand price x hours - paid), updated as it accrues';

-- Listing and funnel counts read one tenant's (or cluster's) decisions newest first.
CREATE INDEX decisions_by_client_time ON decisions (client_id, created_at DESC, id DESC);
CREATE INDEX decisions_by_cluster_time ON decisions (client_id, cluster_id, created_at DESC, id DESC);
-- The decision engine looks for open decisions of a cluster.
CREATE INDEX decisions_pending ON decisions (client_id, cluster_id) WHERE outcome = 'pending';
`,
};
