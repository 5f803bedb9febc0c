-- Versions beyond Redshift: activation history, imported artifacts, CREATE MODEL grants.

ALTER TABLE modelgres.model_version
  ADD COLUMN artifact_source text,   -- the job name or file a COPIED or IMPORTED version came from
  ADD COLUMN io_plan jsonb;          -- how to feed an imported ONNX model (null: modelgres's own contract)

-- Every activation, in order: ROLLBACK goes back one step, and a second ROLLBACK undoes the first.
CREATE TABLE modelgres.activation (
  activation_id bigserial PRIMARY KEY,
  model_id      bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  version       integer NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('LATEST', 'BEST', 'MANUAL', 'ROLLBACK')),
  activated_by  name NOT NULL,
  activated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX activation_by_model ON modelgres.activation (model_id, activation_id);

-- Roles allowed to create models besides superusers (GRANT CREATE MODEL TO role).
CREATE TABLE modelgres.create_model_grant (
  role_name  name PRIMARY KEY,
  granted_by name NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now()
);

-- Existing active versions start the history.
INSERT INTO modelgres.activation (model_id, version, reason, activated_by)
SELECT model_id, active_version, 'LATEST', owner FROM modelgres.model WHERE active_version IS NOT NULL;

REVOKE ALL ON modelgres.activation, modelgres.create_model_grant FROM PUBLIC;
