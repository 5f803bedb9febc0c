-- MODEL_TYPE FORECAST. A forecast model's function is named after the model, takes no argument
-- and returns the active version's stored forecast as a table: SELECT * FROM m() on a direct
-- connection, and what the proxy rewrites SELECT FORECAST(m) to. Each version's forecast is
-- computed at training (src/forecast/) and kept in forecast_row; f_vN reads version N's. EXECUTE
-- on the function is EXECUTE on the model, as for every model.

-- The one shape a forecast function's result may have: id, time and one column a percentile (or
-- mean), double precision. It reaches the catalog owner's CREATE FUNCTION as text, so nothing else
-- passes (see check_type_names for the other models).
CREATE OR REPLACE FUNCTION modelgres.check_forecast_return_type(p_type text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
  IF p_type IS NULL OR p_type !~ '^TABLE\(id text, "time" timestamp without time zone(, (p[0-9]{1,2}|mean) double precision)+\)$' THEN
    RAISE EXCEPTION '% is not the result of a forecast', coalesce(quote_literal(p_type), 'NULL') USING ERRCODE = '22023';
  END IF;
END $$;

-- The forecast of a version (NULL: the active one) for a role that may call the model. A model
-- with no READY active version says why, as every model function does (raise_not_callable).
CREATE OR REPLACE FUNCTION modelgres.forecast_rows(p_caller name, p_model_id bigint, p_version integer)
  RETURNS TABLE (id text, "time" timestamp, "values" double precision[])
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v_version integer;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  IF NOT FOUND OR NOT (pg_has_role(p_caller, m.owner, 'MEMBER') OR has_function_privilege(p_caller,
       format('%I.%I()', m.function_schema, m.function_name)::regprocedure, 'EXECUTE')) THEN
    RAISE EXCEPTION 'permission denied for model %', p_model_id USING ERRCODE = '42501';
  END IF;
  v_version := coalesce(p_version, m.active_version);
  IF NOT EXISTS (SELECT 1 FROM model_version WHERE model_id = p_model_id AND version = v_version AND state = 'READY') THEN
    PERFORM raise_not_callable(p_caller, p_model_id, p_version);
  END IF;
  RETURN QUERY SELECT r.series, r.at, r."values" FROM forecast_row r
                WHERE r.model_id = p_model_id AND r.version = v_version ORDER BY r.series, r.step;
END $$;

-- The SQL body of a forecast model's functions for a version: the stored rows, one column a value.
CREATE OR REPLACE FUNCTION modelgres.forecast_body(p_model_id bigint, p_version integer) RETURNS jsonb
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v_columns integer;
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  v_columns := array_length(regexp_split_to_array(m.return_type, ', '), 1) - 2;
  RETURN jsonb_build_object('language', 'sql', 'immutable', false, 'body', format(
    'SELECT f.id, f."time", %s FROM modelgres.forecast_rows(current_user, %s, %s) AS f',
    (SELECT string_agg(format('f."values"[%s]', i), ', ' ORDER BY i) FROM generate_series(1, v_columns) AS i),
    p_model_id, p_version));
END $$;

/*
 * Makes a trained forecast version READY: its rows (a jsonb array of [series, step, epoch seconds
 * of the wall-clock time, [values...]]), the held-out score, the summary, the functions' bodies;
 * then as register_trained_version (sql/070): pinned function, activation, snapshot, job done.
 * Callable by the catalog's owner (the workers) and by the transaction that queued the job.
 */
CREATE OR REPLACE FUNCTION modelgres.register_forecast_version(
  p_job_name text, p_model_type text, p_objective text, p_metric text, p_metric_value double precision,
  p_summary jsonb, p_rows jsonb
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
     SET state = 'READY', model_type = p_model_type, problem_type = 'FORECAST', objective = p_objective,
         metric = p_metric, metric_value = p_metric_value, forecast_summary = p_summary,
         training_finished_at = now(), training_started_at = coalesce(training_started_at, now()), progress = NULL
   WHERE job_name = p_job_name AND state = 'TRAINING'
  RETURNING * INTO v;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO forecast_row (model_id, version, series, step, at, "values")
  SELECT v.model_id, v.version, r->>0, (r->>1)::integer, to_timestamp((r->>2)::float8) AT TIME ZONE 'UTC',
         ARRAY(SELECT x::float8 FROM jsonb_array_elements_text(r->3) AS x)
    FROM jsonb_array_elements(p_rows) AS r;
  UPDATE model_version SET compiled_value = forecast_body(v.model_id, v.version)
   WHERE model_id = v.model_id AND version = v.version;
  PERFORM finish_registration(j_id, p_job_name, v);
  RETURN true;
END $$;

-- SELECT FORECAST(x) through the proxy when x is no forecast model it knows: the error the user
-- should see (the proxy learns of models at commit, so one created in this transaction lands here).
-- It returns a table (never a row) so that it stands where SELECT * FROM m() would, also in CREATE TABLE AS.
DROP FUNCTION IF EXISTS modelgres.forecast_not_found(name, name, name);
-- p_path is the caller's current_schemas(false): inside this function search_path is its own.
CREATE OR REPLACE FUNCTION modelgres.forecast_not_found(p_caller name, p_schema name, p_model name, p_path name[]) RETURNS TABLE (id text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m record;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT mm.model_name, mm.problem_type, mm.schema_name INTO m FROM model mm
   WHERE mm.model_name = p_model AND (mm.schema_name = p_schema OR p_schema IS NULL AND mm.schema_name = ANY (p_path))
   ORDER BY array_position(p_path, mm.schema_name) LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'model "%" does not exist', p_model USING ERRCODE = '42704',
      HINT = 'FORECAST(m) takes the name of a model created with MODEL_TYPE FORECAST.';
  ELSIF m.problem_type IS DISTINCT FROM 'FORECAST' THEN
    RAISE EXCEPTION 'model "%" is not a forecast model', p_model USING ERRCODE = '42809',
      HINT = 'FORECAST(m) takes a model created with MODEL_TYPE FORECAST; call other models through their function.';
  END IF;
  RAISE EXCEPTION 'forecast model "%" is not committed yet', p_model USING ERRCODE = '55000',
    HINT = format('Through the proxy FORECAST(m) works once the model is committed; in this transaction use SELECT * FROM %I.%I().',
                  m.schema_name, m.model_name);
END $$;

REVOKE ALL ON FUNCTION modelgres.forecast_body(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.forecast_rows(name, bigint, integer) TO PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.forecast_not_found(name, name, name, name[]) TO PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.register_forecast_version(text, text, text, text, double precision, jsonb, jsonb) TO PUBLIC;
