-- MODEL_TYPE FORECAST: the forecast of each version, computed at training and read by
-- SELECT FORECAST(m) (the model's set-returning function, sql/100-forecast-api.sql).
CREATE TABLE modelgres.forecast_row (
  model_id bigint NOT NULL,
  version  integer NOT NULL,
  series   text NOT NULL,
  -- 1 .. HORIZON: the step after the series' last timestamp.
  step     integer NOT NULL,
  at       timestamp NOT NULL,
  -- One value a forecast column, in the model's column order (p10, p50, p90, mean ...).
  "values" double precision[] NOT NULL,
  PRIMARY KEY (model_id, version, series, step),
  FOREIGN KEY (model_id, version) REFERENCES modelgres.model_version ON DELETE CASCADE
);

-- What training chose and why: the method kept, every candidate's held-out score, the horizon,
-- frequency and percentiles (SHOW MODEL lists them).
ALTER TABLE modelgres.model_version ADD COLUMN forecast_summary jsonb;

REVOKE ALL ON modelgres.forecast_row FROM PUBLIC;
