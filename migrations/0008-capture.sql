-- Captured inference calls (SET MONITORING (CAPTURE_PERCENT p)): a sampled share of the rows a
-- model predicted, its inputs as the model saw them and its output, for SHOW MODEL ... DRIFT.
CREATE TABLE modelgres.model_capture (
  capture_id  bigserial PRIMARY KEY,
  model_id    bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  version     integer NOT NULL,
  captured_at timestamptz NOT NULL DEFAULT now(),
  inputs      jsonb NOT NULL,
  output      text
);
CREATE INDEX model_capture_by_time ON modelgres.model_capture (model_id, captured_at);
REVOKE ALL ON modelgres.model_capture FROM PUBLIC;
