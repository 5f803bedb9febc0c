-- Models, their versions, training snapshots and the job queue.
-- No role but the catalog's owner writes these tables: modelgres statements call the SECURITY
-- DEFINER functions in sql/, which check ownership and state first.

CREATE TABLE modelgres.model (
  model_id        bigserial PRIMARY KEY,
  schema_name     name NOT NULL,
  model_name      name NOT NULL,
  owner           name NOT NULL,
  function_schema name NOT NULL,
  function_name   name NOT NULL,
  -- Features, in the function's parameter order; types by PostgreSQL's internal names.
  parameter_names text[] NOT NULL,
  parameter_types text[] NOT NULL,
  return_type     text NOT NULL,
  target_column   name,
  problem_type    text,
  activation      text NOT NULL DEFAULT 'LATEST' CHECK (activation IN ('LATEST', 'BEST', 'MANUAL')),
  active_version  integer,
  -- Version numbers are never reused, even after DROP MODEL m VERSION n.
  last_version    integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (schema_name, model_name)
);

CREATE TABLE modelgres.model_version (
  model_id             bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  version              integer NOT NULL,
  state                text NOT NULL CHECK (state IN ('TRAINING', 'READY', 'FAILED', 'CANCELED', 'IMPORT_IN_PROGRESS')),
  source               text NOT NULL CHECK (source IN ('TRAINED', 'RETRAINED', 'IMPORTED', 'COPIED')),
  job_name             text NOT NULL UNIQUE,
  -- The statement as parsed (model type, objective, hyperparameters, settings...).
  spec                 jsonb NOT NULL,
  training_source      text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  training_started_at  timestamptz,
  training_finished_at timestamptz,
  training_rows        bigint,
  model_type           text,
  problem_type         text,
  objective            text,
  metric               text,
  metric_value         double precision,
  failure_reason       text,
  cut_short            boolean NOT NULL DEFAULT false,
  -- Latest progress report of the worker: {"done": 42, "total": 100, "unit": "rounds"}.
  progress             jsonb,
  classes              jsonb,
  onnx                 bytea,
  PRIMARY KEY (model_id, version)
);

-- The training data as read by the caller at CREATE MODEL time: COPY text rows, gzip-compressed.
CREATE TABLE modelgres.training_snapshot (
  job_name    text PRIMARY KEY REFERENCES modelgres.model_version (job_name) ON DELETE CASCADE,
  columns     jsonb NOT NULL,
  row_count   bigint NOT NULL,
  sampled     boolean NOT NULL,
  data        bytea NOT NULL
);

CREATE TABLE modelgres.job (
  job_id       bigserial PRIMARY KEY,
  job_name     text NOT NULL UNIQUE REFERENCES modelgres.model_version (job_name) ON DELETE CASCADE,
  state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
  attempts     integer NOT NULL DEFAULT 0,
  lease_owner  text,
  lease_until  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_claimable ON modelgres.job (created_at) WHERE state <> 'done';

REVOKE ALL ON modelgres.model, modelgres.model_version, modelgres.training_snapshot, modelgres.job FROM PUBLIC;
