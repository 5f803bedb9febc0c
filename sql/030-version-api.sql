-- Models and their versions: creation, activation, rollback, cancel, drop, grants.
-- Every function checks who calls (check_caller) and what they may do, then changes the catalog.

CREATE OR REPLACE FUNCTION modelgres.check_may_create(p_caller name, p_schema name) RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, modelgres AS $$
BEGIN
  IF is_superuser(p_caller) THEN RETURN; END IF;
  IF NOT EXISTS (SELECT 1 FROM create_model_grant g
                  WHERE g.role_name = 'public' OR pg_has_role(p_caller, g.role_name, 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied to create model' USING ERRCODE = '42501',
      HINT = format('A superuser can run GRANT CREATE MODEL TO %I.', p_caller);
  END IF;
  IF NOT has_schema_privilege(p_caller, p_schema, 'CREATE') THEN
    RAISE EXCEPTION 'permission denied for schema %', p_schema USING ERRCODE = '42501',
      HINT = 'Creating a model needs CREATE on its schema.';
  END IF;
END $$;

-- The model, locked, for a change by its owner (or a superuser).
CREATE OR REPLACE FUNCTION modelgres.owned_model(p_caller name, p_schema name, p_model name) RETURNS modelgres.model
  LANGUAGE plpgsql SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT * INTO m FROM model WHERE schema_name = p_schema AND model_name = p_model FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'model "%" does not exist', p_model USING ERRCODE = '42704';
  END IF;
  IF NOT (is_superuser(p_caller) OR pg_has_role(p_caller, m.owner, 'MEMBER')) THEN
    RAISE EXCEPTION 'must be owner of model %', p_model USING ERRCODE = '42501';
  END IF;
  RETURN m;
END $$;

-- Gives a new function of a model the EXECUTE grants its main function has.
CREATE OR REPLACE FUNCTION modelgres.copy_grants(p_from regprocedure, p_to regprocedure) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, modelgres AS $$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT a.grantee FROM pg_proc p, aclexplode(p.proacl) a
            WHERE p.oid = p_from AND a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', p_to,
                   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION modelgres.model_function(m modelgres.model, p_suffix text DEFAULT '') RETURNS regprocedure
  LANGUAGE sql STABLE SET search_path = pg_catalog, modelgres AS $$
  SELECT to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || p_suffix,
                                array_to_string(m.parameter_types, ', '))) $$;

-- A version turned READY: its pinned function f_vN, then the activation rule.
CREATE OR REPLACE FUNCTION modelgres.version_ready(p_model_id bigint, p_version integer) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v model_version%ROWTYPE;
  pinned regprocedure;
  beats boolean;
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id FOR UPDATE;
  SELECT * INTO v FROM model_version WHERE model_id = p_model_id AND version = p_version;
  pinned := create_model_function(m.function_schema, m.function_name || '_v' || p_version, m.parameter_types,
                                  m.return_type, m.owner, format('%I.%I', m.schema_name, m.model_name),
                                  p_model_id, p_version, v.compiled_value, true);
  PERFORM copy_grants(model_function(m), pinned);
  IF m.activation = 'LATEST' OR m.active_version IS NULL AND m.activation = 'BEST' THEN
    PERFORM set_active(m, p_version, m.activation, m.owner);
  ELSIF m.activation = 'BEST' THEN
    -- Errors and losses are better lower; accuracy, F1 and AUC higher.
    SELECT CASE WHEN v.metric IN ('mse', 'rmse', 'wape', 'mape', 'mase', 'average_weighted_quantile_loss')
                THEN v.metric_value < a.metric_value ELSE v.metric_value > a.metric_value END
      INTO beats FROM model_version a WHERE a.model_id = p_model_id AND a.version = m.active_version;
    IF coalesce(beats, false) THEN PERFORM set_active(m, p_version, 'BEST', m.owner); END IF;
  END IF;
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', m.schema_name, m.model_name));
END $$;

CREATE OR REPLACE FUNCTION modelgres.set_active(m modelgres.model, p_version integer, p_reason text, p_by name) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, modelgres AS $$
BEGIN
  UPDATE model SET active_version = p_version WHERE model_id = m.model_id;
  PERFORM write_active_bodies(m.model_id);
  INSERT INTO activation (model_id, version, reason, activated_by) VALUES (m.model_id, p_version, p_reason, p_by);
END $$;

/*
 * Starts a new version of a model, creating the model (and its functions) when it is new.
 * CREATE MODEL on an existing name is 42710, as in Redshift; CREATE OR REPLACE adds a version,
 * which must keep the model's function name and types (42P13 otherwise).
 */
CREATE OR REPLACE FUNCTION modelgres.begin_version(
  p_caller name, p_schema name, p_model name, p_function_schema name, p_function_name name,
  p_parameter_names text[], p_parameter_types text[], p_return_type text, p_target name, p_problem_type text,
  p_or_replace boolean, p_state text, p_source text, p_spec jsonb, p_training_source text, p_artifact_source text
) RETURNS TABLE (model_id bigint, version integer, job_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v_display text := format('%I.%I', p_schema, p_model);
  v_job text := new_job_name();
BEGIN
  PERFORM check_caller(p_caller);
  IF p_problem_type = 'FORECAST' THEN
    -- A forecast model's function returns a table (sql/100-forecast-api.sql).
    PERFORM check_forecast_return_type(p_return_type);
    PERFORM check_type_names(p_parameter_types);
  ELSE
    PERFORM check_type_names(p_parameter_types || p_return_type);
  END IF;
  SELECT * INTO m FROM model WHERE schema_name = p_schema AND model_name = p_model FOR UPDATE;
  IF FOUND THEN
    IF NOT p_or_replace THEN
      RAISE EXCEPTION 'model "%" already exists', p_model USING ERRCODE = '42710',
        HINT = 'Drop it first, or use CREATE OR REPLACE MODEL to add a version.';
    END IF;
    PERFORM owned_model(p_caller, p_schema, p_model);
    IF m.function_schema <> p_function_schema OR m.function_name <> p_function_name
       OR m.parameter_types <> p_parameter_types OR m.return_type <> p_return_type THEN
      RAISE EXCEPTION 'a new version of model "%" cannot change its function %(%) returning %',
        p_model, m.function_name, array_to_string(m.parameter_types, ', '), m.return_type
        USING ERRCODE = '42P13',
        DETAIL = format('The new version would be %s(%s) returning %s.', p_function_name,
                        array_to_string(p_parameter_types, ', '), p_return_type),
        HINT = 'All versions of a model share its function. Create a new model for a different function.';
    END IF;
    UPDATE model SET last_version = last_version + 1 WHERE model.model_id = m.model_id RETURNING * INTO m;
  ELSE
    PERFORM check_may_create(p_caller, p_schema);
    INSERT INTO model (schema_name, model_name, owner, function_schema, function_name, parameter_names,
                       parameter_types, return_type, target_column, problem_type, last_version)
    VALUES (p_schema, p_model, p_caller, p_function_schema, p_function_name, p_parameter_names,
            p_parameter_types, p_return_type, p_target, p_problem_type, 1)
    RETURNING * INTO m;
    PERFORM create_model_function(p_function_schema, p_function_name, p_parameter_types, p_return_type, p_caller, v_display,
                                  m.model_id, NULL, NULL, false);
    IF p_problem_type IN ('BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION') THEN
      PERFORM create_model_function(p_function_schema, p_function_name || '_probabilities', p_parameter_types, 'jsonb', p_caller, v_display,
                                    m.model_id, NULL, NULL, false);
    END IF;
  END IF;
  INSERT INTO model_version (model_id, version, state, source, job_name, spec, training_source, artifact_source)
  VALUES (m.model_id, m.last_version, p_state, p_source, v_job, p_spec, p_training_source, p_artifact_source);
  PERFORM pg_notify('modelgres_catalog', v_display);
  RETURN QUERY SELECT m.model_id, m.last_version, v_job;
END $$;

-- CREATE [OR REPLACE] MODEL ... FROM data, and ALTER MODEL RETRAIN: a version to train.
CREATE OR REPLACE FUNCTION modelgres.create_model(
  p_caller name, p_schema name, p_model name, p_function_schema name, p_function_name name,
  p_parameter_names text[], p_parameter_types text[], p_return_type text, p_target name, p_problem_type text,
  p_spec jsonb, p_training_source text, p_columns jsonb, p_row_count bigint, p_sampled boolean, p_snapshot bytea,
  p_or_replace boolean, p_source text
) RETURNS TABLE (version integer, job_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  b record;
BEGIN
  SELECT * INTO b FROM begin_version(p_caller, p_schema, p_model, p_function_schema, p_function_name, p_parameter_names,
    p_parameter_types, p_return_type, p_target, p_problem_type, p_or_replace, 'TRAINING', p_source, p_spec,
    p_training_source, NULL);
  UPDATE model_version SET training_rows = p_row_count WHERE model_version.job_name = b.job_name;
  INSERT INTO training_snapshot (job_name, columns, row_count, sampled, data)
  VALUES (b.job_name, p_columns, p_row_count, p_sampled, p_snapshot);
  INSERT INTO job (job_name) VALUES (b.job_name);
  -- Delivered at commit: a rolled-back CREATE MODEL wakes no worker.
  PERFORM pg_notify('modelgres_jobs', b.job_name);
  RETURN QUERY SELECT b.version, b.job_name;
END $$;

-- CREATE [OR REPLACE] MODEL ... FROM 'job_name' | 'file.onnx': a version READY at once.
DROP FUNCTION IF EXISTS modelgres.import_model(name, name, name, name, name, text[], text[], text, text, jsonb, boolean, text, text,
  bytea, jsonb, jsonb, text, text, text, float8);
CREATE OR REPLACE FUNCTION modelgres.import_model(
  p_caller name, p_schema name, p_model name, p_function_schema name, p_function_name name,
  p_parameter_names text[], p_parameter_types text[], p_return_type text, p_problem_type text,
  p_spec jsonb, p_or_replace boolean, p_source text, p_artifact_source text,
  p_onnx bytea, p_io_plan jsonb, p_classes jsonb, p_model_type text, p_objective text, p_metric text, p_metric_value float8,
  p_compiled_value jsonb, p_compiled_probabilities jsonb
) RETURNS TABLE (version integer, job_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  b record;
BEGIN
  SELECT * INTO b FROM begin_version(p_caller, p_schema, p_model, p_function_schema, p_function_name, p_parameter_names,
    p_parameter_types, p_return_type, NULL, p_problem_type, p_or_replace, 'READY', p_source, p_spec, NULL, p_artifact_source);
  UPDATE model_version v
     SET onnx = p_onnx, io_plan = p_io_plan, classes = p_classes, problem_type = p_problem_type,
         model_type = p_model_type, objective = p_objective, metric = p_metric, metric_value = p_metric_value,
         compiled_value = p_compiled_value, compiled_probabilities = p_compiled_probabilities, training_finished_at = now()
   WHERE v.job_name = b.job_name;
  PERFORM version_ready(b.model_id, b.version);
  RETURN QUERY SELECT b.version, b.job_name;
END $$;

DROP FUNCTION IF EXISTS modelgres.drop_model(name, name, name, boolean);
CREATE OR REPLACE FUNCTION modelgres.drop_model(p_caller name, p_schema name, p_model name, p_if_exists boolean, p_cascade boolean)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  IF p_if_exists AND NOT EXISTS (SELECT 1 FROM model WHERE schema_name = p_schema AND model_name = p_model) THEN
    RAISE NOTICE 'model "%" does not exist, skipping', p_model;
    RETURN false;
  END IF;
  m := owned_model(p_caller, p_schema, p_model);
  PERFORM drop_model_schedules(m.model_id, p_model, p_cascade); -- sql/080
  PERFORM drop_model_functions(m.model_id, p_cascade);
  -- Versions, snapshots and jobs go with it; a worker training it notices its job is gone.
  DELETE FROM model WHERE model_id = m.model_id;
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
  RETURN true;
END $$;

DROP FUNCTION IF EXISTS modelgres.drop_model_version(name, name, name, integer, boolean);
CREATE OR REPLACE FUNCTION modelgres.drop_model_version(p_caller name, p_schema name, p_model name, p_version integer,
  p_if_exists boolean, p_cascade boolean)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  pinned regprocedure;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM model_version WHERE model_id = m.model_id AND version = p_version) THEN
    IF p_if_exists THEN
      RAISE NOTICE 'version % of model "%" does not exist, skipping', p_version, p_model;
      RETURN false;
    END IF;
    RAISE EXCEPTION 'model "%" has no version %', p_model, p_version USING ERRCODE = '42704';
  END IF;
  IF m.active_version = p_version THEN
    RAISE EXCEPTION 'version % is the active version of model "%"', p_version, p_model USING ERRCODE = '55000',
      HINT = 'Activate another version first (ALTER MODEL ... SET ACTIVE VERSION n, or ROLLBACK).';
  END IF;
  pinned := to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || '_v' || p_version,
                                   array_to_string(m.parameter_types, ', ')));
  IF pinned IS NOT NULL THEN
    PERFORM drop_model_function(pinned::text, p_cascade, format('version %s of model %s', p_version, quote_ident(p_model)),
                                format('DROP MODEL %s VERSION %s CASCADE', quote_ident(p_model), p_version));
  END IF;
  DELETE FROM model_version WHERE model_id = m.model_id AND version = p_version;
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
  RETURN true;
END $$;

CREATE OR REPLACE FUNCTION modelgres.activate_version(p_caller name, p_schema name, p_model name, p_version integer)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  v_state text;
BEGIN
  SELECT state INTO v_state FROM model_version WHERE model_id = m.model_id AND version = p_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'model "%" has no version %', p_model, p_version USING ERRCODE = '42704';
  END IF;
  IF v_state <> 'READY' THEN
    RAISE EXCEPTION 'version % of model "%" is %, and only a READY version can be activated', p_version, p_model, v_state
      USING ERRCODE = '55000';
  END IF;
  PERFORM set_active(m, p_version, 'MANUAL', p_caller);
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
END $$;

CREATE OR REPLACE FUNCTION modelgres.set_activation(p_caller name, p_schema name, p_model name, p_mode text)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
BEGIN
  UPDATE model SET activation = p_mode WHERE model_id = m.model_id;
END $$;

-- Back to the version active before the current one; the history keeps both moves.
CREATE OR REPLACE FUNCTION modelgres.rollback_model(p_caller name, p_schema name, p_model name)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  v_target integer;
  v_state text;
BEGIN
  SELECT a.version INTO v_target FROM activation a WHERE a.model_id = m.model_id
   ORDER BY a.activation_id DESC OFFSET 1 LIMIT 1;
  IF v_target IS NULL THEN
    RAISE EXCEPTION 'model "%" has no earlier active version to roll back to', p_model USING ERRCODE = '55000';
  END IF;
  SELECT state INTO v_state FROM model_version WHERE model_id = m.model_id AND version = v_target;
  IF coalesce(v_state, 'DROPPED') <> 'READY' THEN
    RAISE EXCEPTION 'the previously active version % of model "%" is %', v_target, p_model, coalesce(v_state, 'dropped')
      USING ERRCODE = '55000';
  END IF;
  PERFORM set_active(m, v_target, 'ROLLBACK', p_caller);
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
  RETURN v_target;
END $$;

-- Stops training in progress: the versions become CANCELED and their jobs end.
CREATE OR REPLACE FUNCTION modelgres.cancel_training(p_caller name, p_schema name, p_model name)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  n integer;
BEGIN
  UPDATE job SET state = 'done', lease_until = NULL
   WHERE job.job_name IN (SELECT job_name FROM model_version WHERE model_id = m.model_id AND state = 'TRAINING');
  UPDATE model_version SET state = 'CANCELED', failure_reason = 'canceled by ALTER MODEL CANCEL',
         training_finished_at = now(), progress = NULL
   WHERE model_id = m.model_id AND state = 'TRAINING';
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RAISE EXCEPTION 'model "%" has no version in training', p_model USING ERRCODE = '55000';
  END IF;
  PERFORM pg_notify('modelgres_catalog', format('%I.%I', p_schema, p_model));
  RETURN n;
END $$;

-- GRANT / REVOKE EXECUTE ON MODEL: the EXECUTE privilege of every function of the model.
CREATE OR REPLACE FUNCTION modelgres.grant_model(p_caller name, p_schema name, p_model name, p_grantee name, p_revoke boolean)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  fn regprocedure;
  who text := CASE WHEN lower(p_grantee) = 'public' THEN 'PUBLIC' ELSE quote_ident(p_grantee) END;
BEGIN
  IF who <> 'PUBLIC' AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_grantee) THEN
    RAISE EXCEPTION 'role "%" does not exist', p_grantee USING ERRCODE = '42704';
  END IF;
  FOR fn IN SELECT model_functions(m.model_id) LOOP
    EXECUTE format(CASE WHEN p_revoke THEN 'REVOKE EXECUTE ON FUNCTION %s FROM %s' ELSE 'GRANT EXECUTE ON FUNCTION %s TO %s' END, fn, who);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION modelgres.grant_create_model(p_caller name, p_grantee name, p_revoke boolean)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  PERFORM check_caller(p_caller);
  IF NOT is_superuser(p_caller) THEN
    RAISE EXCEPTION 'permission denied to grant CREATE MODEL' USING ERRCODE = '42501',
      HINT = 'Only a superuser can grant or revoke CREATE MODEL.';
  END IF;
  IF lower(p_grantee) <> 'public' AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_grantee) THEN
    RAISE EXCEPTION 'role "%" does not exist', p_grantee USING ERRCODE = '42704';
  END IF;
  IF p_revoke THEN
    DELETE FROM create_model_grant WHERE role_name = CASE WHEN lower(p_grantee) = 'public' THEN 'public' ELSE p_grantee END;
  ELSE
    INSERT INTO create_model_grant (role_name, granted_by)
    VALUES (CASE WHEN lower(p_grantee) = 'public' THEN 'public' ELSE p_grantee END, p_caller)
    ON CONFLICT (role_name) DO NOTHING;
  END IF;
END $$;

REVOKE ALL ON FUNCTION modelgres.version_ready(bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.begin_version(name, name, name, name, name, text[], text[], text, name, text, boolean, text, text, jsonb, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.set_active(modelgres.model, integer, text, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.owned_model(name, name, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.copy_grants(regprocedure, regprocedure) FROM PUBLIC;
