import { APPEND_ONLY_SQLSTATE } from '../metadata-store-error.ts';
import type { Migration } from '../migrator.ts';

/**
 * Who did what, append-only. A statement trigger refuses UPDATE, DELETE and TRUNCATE (even
 * of zero rows) with our own SQLSTATE, so the code maps it to `append_only`. It guards
 * against the hub's own bugs; the table's owner can still drop the trigger, which is what
 * database permissions are for. client_id is null for hub-wide actions and has no foreign
 * key: the record must outlive what it describes.
 */
export const migration: Migration = {
  version: 5,
  name: 'audit-log',
  sql: `
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  client_id text,
  actor text NOT NULL CHECK (actor <> ''),
  source_ip inet,
  action text NOT NULL CHECK (action <> ''),
  target text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  result text NOT NULL CHECK (result IN ('success', 'failure', 'denied'))
);

CREATE INDEX audit_log_by_client ON audit_log (client_id, id DESC);
CREATE INDEX audit_log_by_at ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '${APPEND_ONLY_SQLSTATE}';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
`,
};
