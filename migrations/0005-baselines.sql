-- The distribution of each feature in the training data, kept with the version: the reference
-- SHOW MODEL m DRIFT compares new data against.
ALTER TABLE modelgres.model_version ADD COLUMN baseline jsonb;
