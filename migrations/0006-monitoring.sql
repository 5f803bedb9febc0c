-- SET MONITORING: the schedule and threshold of a model's drift checks, and when it last ran.
ALTER TABLE modelgres.model
  ADD COLUMN monitoring jsonb,
  ADD COLUMN last_drift_check timestamptz;
