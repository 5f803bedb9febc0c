-- Inference schedules (CREATE INFERENCE SCHEDULE): new rows of a source scored on a schedule by a
-- model's active version, and a row for every execution. Hosting (ALTER MODEL m START): a model's
-- inference units, followed by every proxy.

CREATE TABLE modelgres.inference_schedule (
  schedule_id    bigserial PRIMARY KEY,
  schema_name    name NOT NULL,
  schedule_name  name NOT NULL,
  owner          name NOT NULL,
  model_id       bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  source_kind    text NOT NULL CHECK (source_kind IN ('Table', 'Query')),
  -- As SHOW shows it: the table's name, or the query's text.
  source_label   text NOT NULL,
  -- What an execution reads, as the owner, with the search_path the owner had at CREATE.
  source_sql     text NOT NULL,
  search_path    text NOT NULL,
  key_column     name NOT NULL,
  -- PostgreSQL's name of the KEY column's type (int8, timestamptz, ...).
  key_type       text NOT NULL,
  target_schema  name NOT NULL,
  target_table   name NOT NULL,
  every          interval NOT NULL,
  delay          interval NOT NULL DEFAULT interval '0',
  start_at       timestamptz NOT NULL,
  state          text NOT NULL DEFAULT 'SCHEDULED' CHECK (state IN ('SCHEDULED', 'STOPPED')),
  next_run       timestamptz NOT NULL,
  -- ALTER INFERENCE SCHEDULE s RUN NOW: one execution as soon as a worker is free.
  run_requested  boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (schema_name, schedule_name)
);

-- The watermark lives apart from the settings: a running execution holds this row locked
-- (FOR UPDATE ... SKIP LOCKED), so other workers pass the schedule by, while ALTER still changes
-- the settings without waiting for the execution.
CREATE TABLE modelgres.inference_watermark (
  schedule_id bigint PRIMARY KEY REFERENCES modelgres.inference_schedule ON DELETE CASCADE,
  -- The KEY value scored up to, as text of key_type; NULL before the first rows.
  watermark   text,
  updated_at  timestamptz
);

CREATE TABLE modelgres.inference_execution (
  execution_id  bigserial PRIMARY KEY,
  schedule_id   bigint NOT NULL REFERENCES modelgres.inference_schedule ON DELETE CASCADE,
  status        text NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUCCESS', 'FAILED')),
  started_by    text NOT NULL CHECK (started_by IN ('SCHEDULE', 'RUN NOW')),
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  window_start  text,
  window_end    text,
  rows_scored   bigint,
  model_version integer,
  error         text,
  worker        text NOT NULL
);
CREATE INDEX inference_execution_by_schedule ON modelgres.inference_execution (schedule_id, execution_id DESC);

-- Hosting: the state every proxy follows, and what each proxy reports of its own units.
ALTER TABLE modelgres.model
  ADD COLUMN inference_status    text NOT NULL DEFAULT 'STOPPED'
    CHECK (inference_status IN ('STARTING', 'HOSTED', 'HOSTING_FAILED', 'STOPPING', 'STOPPED')),
  ADD COLUMN min_inference_units integer,
  ADD COLUMN max_inference_units integer,
  ADD COLUMN require_start       boolean NOT NULL DEFAULT false;

CREATE TABLE modelgres.model_hosting (
  model_id     bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  proxy_id     text NOT NULL,
  desired      integer NOT NULL,
  in_service   integer NOT NULL,
  failure      text,
  reported_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, proxy_id)
);

REVOKE ALL ON modelgres.inference_schedule, modelgres.inference_watermark, modelgres.inference_execution,
  modelgres.model_hosting FROM PUBLIC;
