-- The global feature importance of each trained version, for EXPLAIN_MODEL.
ALTER TABLE modelgres.model_version ADD COLUMN explanation jsonb;
