-- EVALUATE MODEL results, kept so accuracy over time is visible (SHOW MODEL m EVALUATIONS).
CREATE TABLE modelgres.model_evaluation (
  evaluation_id bigserial PRIMARY KEY,
  model_id      bigint NOT NULL REFERENCES modelgres.model ON DELETE CASCADE,
  version       integer NOT NULL,
  evaluated_by  name NOT NULL,
  evaluated_at  timestamptz NOT NULL DEFAULT now(),
  source        text NOT NULL,
  row_count     bigint NOT NULL,
  metrics       jsonb NOT NULL
);
CREATE INDEX model_evaluation_by_model ON modelgres.model_evaluation (model_id, evaluated_at);
REVOKE ALL ON modelgres.model_evaluation FROM PUBLIC;
