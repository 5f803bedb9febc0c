-- EVALUATE MODEL keeps its results; anyone who may call the model may evaluate it and see them.

CREATE OR REPLACE FUNCTION modelgres.record_evaluation(
  p_caller name, p_model_id bigint, p_version integer, p_source text, p_rows bigint, p_metrics jsonb
) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  v_id bigint;
BEGIN
  PERFORM check_caller(p_caller);
  -- The models view shows a model only to those who own it or may execute it.
  IF NOT EXISTS (SELECT 1 FROM model m
                  WHERE m.model_id = p_model_id
                    AND (is_superuser(p_caller) OR pg_has_role(p_caller, m.owner, 'MEMBER')
                         OR has_function_privilege(p_caller, model_function(m), 'EXECUTE'))) THEN
    RAISE EXCEPTION 'permission denied for model' USING ERRCODE = '42501';
  END IF;
  INSERT INTO model_evaluation (model_id, version, evaluated_by, source, row_count, metrics)
  VALUES (p_model_id, p_version, p_caller, p_source, p_rows, p_metrics)
  RETURNING evaluation_id INTO v_id;
  RETURN v_id;
END $$;

CREATE OR REPLACE VIEW modelgres.model_evaluations WITH (security_barrier) AS
SELECT m.schema_name, m.model_name, e.model_id, e.version, e.evaluated_at, e.evaluated_by, e.source, e.row_count, e.metrics
FROM modelgres.model_evaluation e JOIN modelgres.models m USING (model_id);

GRANT SELECT ON modelgres.model_evaluations TO PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.record_evaluation(name, bigint, integer, text, bigint, jsonb) TO PUBLIC;

-- The training data's feature distributions, measured by CREATE MODEL as the caller.
CREATE OR REPLACE FUNCTION modelgres.set_baseline(p_caller name, p_job_name text, p_baseline jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT model.* INTO m FROM model JOIN model_version v USING (model_id) WHERE v.job_name = p_job_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no model version with job name %', p_job_name USING ERRCODE = '42704';
  END IF;
  PERFORM owned_model(p_caller, m.schema_name, m.model_name);
  UPDATE model_version SET baseline = p_baseline WHERE job_name = p_job_name;
END $$;
GRANT EXECUTE ON FUNCTION modelgres.set_baseline(name, text, jsonb) TO PUBLIC;

-- ALTER MODEL m SET MONITORING (...): kept with the model; PostgreSQL reads the schedule as an interval.
CREATE OR REPLACE FUNCTION modelgres.set_monitoring(p_caller name, p_schema name, p_model name, p_options jsonb)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  merged jsonb := coalesce(m.monitoring, '{}'::jsonb) || p_options;
BEGIN
  IF merged ? 'schedule' AND (merged->>'schedule')::interval < interval '1 second' THEN
    RAISE EXCEPTION 'SCHEDULE must be at least 1 second' USING ERRCODE = '22023';
  END IF;
  UPDATE model SET monitoring = merged, last_drift_check = NULL WHERE model_id = m.model_id;
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
END $$;
GRANT EXECUTE ON FUNCTION modelgres.set_monitoring(name, name, name, jsonb) TO PUBLIC;

-- EXPLAIN_MODEL('[schema.]model'): the active version's global feature importance, for the roles
-- that may use the model (it reads the filtered views as the caller). Through the proxy it also
-- answers unqualified, as Redshift users write it.
-- No SET search_path: an unqualified model name resolves in the caller's schema, as CREATE MODEL's did.
CREATE OR REPLACE FUNCTION modelgres.explain_model(p_model text) RETURNS jsonb
  LANGUAGE plpgsql STABLE AS $$
DECLARE
  parts text[] := parse_ident(p_model);
  v_schema name := CASE WHEN array_length(parts, 1) > 1 THEN parts[1] ELSE current_schema() END;
  v_name name := parts[array_length(parts, 1)];
  result jsonb;
BEGIN
  SELECT jsonb_build_object(
           'model', format('%s.%s', m.schema_name, m.model_name),
           'model_version', v.version,
           'explanations', jsonb_build_object(
             'method', v.explanation->>'method',
             'global_importance', (SELECT pg_catalog.jsonb_object_agg(f->>'feature', (f->>'importance')::float8 ORDER BY ord)
                                     FROM pg_catalog.jsonb_array_elements(v.explanation->'features') WITH ORDINALITY AS e(f, ord))))
    INTO result
    FROM modelgres.models m JOIN modelgres.model_versions v USING (model_id)
   WHERE m.schema_name = v_schema AND m.model_name = v_name AND v.version = m.active_version;
  IF result IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM modelgres.models WHERE schema_name = v_schema AND model_name = v_name) THEN
      RAISE EXCEPTION 'model "%" does not exist', v_name USING ERRCODE = '42704';
    END IF;
    RAISE EXCEPTION 'model "%" has no explanation: its active version was not trained by modelgres, or is not ready', v_name
      USING ERRCODE = '55000';
  END IF;
  RETURN result;
END $$;
GRANT EXECUTE ON FUNCTION modelgres.explain_model(text) TO PUBLIC;

-- Captured calls, for the model's owner (and superusers) only: they are the inputs of whoever
-- called the model, so a role that may merely call it does not read other callers' rows.
CREATE OR REPLACE VIEW modelgres.model_captures WITH (security_barrier) AS
SELECT m.schema_name, m.model_name, c.model_id, c.version, c.captured_at, c.inputs, c.output
FROM modelgres.model_capture c JOIN modelgres.models m USING (model_id)
WHERE m.is_owner OR modelgres.is_superuser(current_user);
GRANT SELECT ON modelgres.model_captures TO PUBLIC;
