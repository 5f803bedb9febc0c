/*
 * A trained version registered READY, by a worker after training, or by the session whose open
 * transaction queued the job (WAIT FOR MODEL in the migration's own transaction: the job is
 * invisible to workers until COMMIT, so that session trains it on the snapshot it holds).
 */

-- Whether this backend's open transaction (or one of its subtransactions) wrote a row with this
-- xmin: every transaction id a backend assigns stays locked by it until the transaction ends.
CREATE OR REPLACE FUNCTION modelgres.written_by_this_transaction(p_xmin xid) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT EXISTS (SELECT 1 FROM pg_locks
                  WHERE locktype = 'transactionid' AND transactionid = p_xmin AND pid = pg_backend_pid() AND granted) $$;

/*
 * The training snapshot of a version still TRAINING whose job this transaction queued (and so no
 * worker can see), for the caller to train in its own session. No row for any other version.
 */
CREATE OR REPLACE FUNCTION modelgres.own_training_job(p_caller name, p_schema name, p_model name, p_version integer)
  RETURNS TABLE (job_name text, model_id bigint, version integer, spec jsonb, columns jsonb, data bytea,
                 parameter_types jsonb, return_type text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  PERFORM check_caller(p_caller);
  RETURN QUERY
    SELECT v.job_name, v.model_id, v.version, v.spec, s.columns, s.data, to_jsonb(m.parameter_types), m.return_type
      FROM model m
      JOIN model_version v ON v.model_id = m.model_id
      JOIN job j ON j.job_name = v.job_name
      JOIN training_snapshot s ON s.job_name = v.job_name
     WHERE m.schema_name = p_schema AND m.model_name = p_model AND v.version = p_version
       AND v.state = 'TRAINING' AND j.state = 'queued' AND written_by_this_transaction(j.xmin);
END $$;

-- The job a version is registered for, locked: its id, or NULL when it is gone. Only the workers
-- (UPDATE on modelgres.job) and the transaction that queued it may register it; anyone else 42501.
CREATE OR REPLACE FUNCTION modelgres.job_to_register(p_job_name text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  j_id bigint;
  j_xmin xid;
BEGIN
  -- xmin by name: a %ROWTYPE record holds no system columns.
  SELECT job.job_id, job.xmin INTO j_id, j_xmin FROM job WHERE job_name = p_job_name FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF NOT (has_table_privilege(session_user, 'modelgres.job', 'UPDATE') OR written_by_this_transaction(j_xmin)) THEN
    RAISE EXCEPTION 'permission denied: the training job % was not queued by this transaction', p_job_name
      USING ERRCODE = '42501';
  END IF;
  RETURN j_id;
END $$;

-- What every registration ends with, once the version is READY: activation as the model says, the
-- snapshot dropped (unless S3_GARBAGE_COLLECT OFF), the job done, and every proxy told.
CREATE OR REPLACE FUNCTION modelgres.finish_registration(p_job_id bigint, p_job_name text, v modelgres.model_version)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  PERFORM version_ready(v.model_id, v.version);
  IF (v.spec ->> 's3GarbageCollect') IS DISTINCT FROM 'false' THEN
    DELETE FROM training_snapshot WHERE job_name = p_job_name;
  END IF;
  UPDATE job SET state = 'done', lease_until = NULL WHERE job_id = p_job_id;
  PERFORM pg_notify('modelgres_catalog', p_job_name);
END $$;

/*
 * The catalog updates that make a trained version READY: artifact, metrics, classes, explanation,
 * prediction baseline and compiled SQL bodies; its pinned function and the activation rule
 * (version_ready); the snapshot dropped unless S3_GARBAGE_COLLECT OFF; the job done, so no worker
 * trains it again. Callable by the catalog's owner (the workers) and by the transaction that
 * queued the job. False when the version is no longer TRAINING (dropped or cancelled meanwhile).
 */
CREATE OR REPLACE FUNCTION modelgres.register_trained_version(
  p_job_name text, p_onnx bytea, p_model_type text, p_problem_type text, p_objective text, p_metric text,
  p_metric_value double precision, p_classes jsonb, p_cut_short boolean, p_explanation jsonb,
  p_prediction_baseline jsonb, p_compiled_value jsonb, p_compiled_probabilities jsonb
) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  j_id bigint := job_to_register(p_job_name);
  v model_version%ROWTYPE;
BEGIN
  IF j_id IS NULL THEN
    RETURN false;
  END IF;
  UPDATE model_version
     SET state = 'READY', onnx = p_onnx, model_type = p_model_type, problem_type = p_problem_type,
         objective = p_objective, metric = p_metric, metric_value = p_metric_value, classes = p_classes,
         cut_short = p_cut_short, explanation = p_explanation,
         baseline = coalesce(baseline, '{}'::jsonb) || jsonb_build_object('prediction', p_prediction_baseline),
         compiled_value = p_compiled_value, compiled_probabilities = p_compiled_probabilities,
         training_finished_at = now(), training_started_at = coalesce(training_started_at, now()), progress = NULL
   WHERE job_name = p_job_name AND state = 'TRAINING'
  RETURNING * INTO v;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM finish_registration(j_id, p_job_name, v);
  RETURN true;
END $$;

REVOKE ALL ON FUNCTION modelgres.written_by_this_transaction(xid) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.job_to_register(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.finish_registration(bigint, text, modelgres.model_version) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.own_training_job(name, name, name, integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.register_trained_version(text, bytea, text, text, text, text, double precision, jsonb, boolean, jsonb, jsonb, jsonb, jsonb) TO PUBLIC;
