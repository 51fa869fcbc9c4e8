import type { Migration } from '../migrator.ts';

/**
 * Scoring models are hub-wide (the same formula ranks every tenant's pools), so they carry
 * no tenant. At most one is active and at most one runs in shadow: the partial unique
 * indexes make a second one a unique violation whatever the code does.
 */
export const migration: Migration = {
  version: 2,
  name: 'scoring-models',
  sql: `
CREATE TABLE scoring_models (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  version integer NOT NULL CHECK (version > 0),
  model jsonb NOT NULL CHECK (jsonb_typeof(model) = 'object'),
  status text NOT NULL DEFAULT 'inactive' CHECK (status IN ('active', 'shadow', 'inactive')),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL CHECK (created_by <> ''),
  promoted_at timestamptz,
  UNIQUE (name, version),
  CHECK (status <> 'active' OR promoted_at IS NOT NULL)
);

CREATE UNIQUE INDEX scoring_models_one_active ON scoring_models (status) WHERE status = 'active';
CREATE UNIQUE INDEX scoring_models_one_shadow ON scoring_models (status) WHERE status = 'shadow';
`,
};
