-- The catalog's write API and its views. Re-applied by `modelgres migrate` when this file changes.
--
-- Who is calling: SECURITY DEFINER functions run as the catalog's owner, so the caller passes its
-- current_user and the function checks that the session's login role could become that role
-- (pg_has_role ... 'MEMBER'). Nobody can act for a role they could not SET ROLE to anyway.

-- Signatures replaced by later versions of this file.
DROP FUNCTION IF EXISTS modelgres.create_model(name, name, name, name, name, text[], text[], text, name, text, jsonb, text, jsonb, bigint, boolean, bytea);
DROP FUNCTION IF EXISTS modelgres.drop_model(name, name, name, boolean);

CREATE OR REPLACE FUNCTION modelgres.check_caller(p_caller name) RETURNS void
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  IF NOT pg_has_role(session_user, p_caller, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: role "%" cannot act as role "%"', session_user, p_caller
      USING ERRCODE = '42501';
  END IF;
END $$;

-- Type names reach the catalog owner's CREATE FUNCTION as text (%s, as format_type spells them),
-- so each must be one PostgreSQL type name and nothing else: PostgreSQL's own type-name parser
-- (to_regtype) accepts it, and it holds no statement separator or comment that would end the
-- DDL early. The proxy checks types before; this holds for a role calling the API directly.
CREATE OR REPLACE FUNCTION modelgres.check_type_names(p_types text[]) RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
  t text;
  known boolean;
BEGIN
  FOREACH t IN ARRAY coalesce(p_types, ARRAY[NULL]::text[]) LOOP
    BEGIN
      known := t IS NOT NULL AND t !~ '(;|--|/\*)' AND to_regtype(t) IS NOT NULL;
    EXCEPTION WHEN OTHERS THEN
      known := false;
    END;
    IF NOT known THEN
      RAISE EXCEPTION '% is not the name of a type', coalesce(quote_literal(t), 'NULL') USING ERRCODE = '22023';
    END IF;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION modelgres.is_superuser(p_role name) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = p_role), false) $$;

-- redshiftml-YYYYMMDDHHMMSSffffff, unique in the database.
CREATE OR REPLACE FUNCTION modelgres.new_job_name() RETURNS text
  LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, modelgres AS $$
DECLARE
  t timestamptz := clock_timestamp();
  candidate text;
BEGIN
  LOOP
    candidate := 'redshiftml-' || to_char(t AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS');
    EXIT WHEN NOT EXISTS (SELECT 1 FROM model_version WHERE job_name = candidate);
    t := t + interval '1 microsecond';
  END LOOP;
  RETURN candidate;
END $$;

-- The SQL functions of a model. Their bodies compute the prediction inside PostgreSQL (compiled
-- from the model, see 060-model-function-bodies.sql); until a version is ready they say why they
-- cannot answer. EXECUTE on them is the model's EXECUTE privilege.
DROP FUNCTION IF EXISTS modelgres.create_model_function(name, name, text[], text, name, text);
CREATE OR REPLACE FUNCTION modelgres.create_model_function(
  p_schema name, p_name name, p_parameter_types text[], p_return_type text, p_owner name, p_model text,
  p_model_id bigint, p_version integer, p_compiled jsonb, p_pinned boolean
) RETURNS regprocedure
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  signature text := format('%I.%I(%s)', p_schema, p_name, array_to_string(p_parameter_types, ', '));
BEGIN
  PERFORM write_model_function(p_schema, p_name, p_return_type, p_model_id, p_version, p_compiled, p_pinned);
  EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', signature);
  EXECUTE format('ALTER FUNCTION %s OWNER TO %I', signature, p_owner);
  EXECUTE format('COMMENT ON FUNCTION %s IS %L', signature, 'modelgres model ' || p_model);
  RETURN signature::regprocedure;
END $$;

-- Every SQL function of a model: f, f_probabilities and each pinned f_vN.
CREATE OR REPLACE FUNCTION modelgres.model_functions(p_model_id bigint) RETURNS SETOF regprocedure
  LANGUAGE sql STABLE SET search_path = pg_catalog, modelgres AS $$
  SELECT p.oid::regprocedure
    FROM model m JOIN pg_namespace n ON n.nspname = m.function_schema JOIN pg_proc p ON p.pronamespace = n.oid
   WHERE m.model_id = p_model_id
     AND (p.proname = m.function_name OR p.proname = m.function_name || '_probabilities'
          OR p.proname ~ ('^' || m.function_name || '_v[0-9]+$'))
     AND obj_description(p.oid, 'pg_proc') LIKE 'modelgres model %' $$;

-- Objects that depend on a model function (views, indexes, other functions) stop a DROP, as
-- PostgreSQL's own DROP does, unless p_cascade; the error names the model rather than the function.
DROP FUNCTION IF EXISTS modelgres.drop_model_functions(bigint);
CREATE OR REPLACE FUNCTION modelgres.drop_model_functions(p_model_id bigint, p_cascade boolean) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  functions text;
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  -- One DROP for all of them: PostgreSQL's DETAIL then lists every dependent object.
  SELECT string_agg(fn::text, ', ') INTO functions FROM model_functions(p_model_id) AS fn;
  IF functions IS NULL THEN RETURN; END IF;
  PERFORM drop_model_function(functions, p_cascade, format('model %s', quote_ident(m.model_name)),
                              format('DROP MODEL %s CASCADE', quote_ident(m.model_name)));
END $$;

-- DROP FUNCTION of a model's functions (a comma-separated list of signatures from regprocedure).
DROP FUNCTION IF EXISTS modelgres.drop_model_function(regprocedure, boolean, text, text);
CREATE OR REPLACE FUNCTION modelgres.drop_model_function(p_functions text, p_cascade boolean, p_what text, p_cascade_hint text)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  v_detail text;
BEGIN
  EXECUTE format('DROP FUNCTION %s %s', p_functions, CASE WHEN p_cascade THEN 'CASCADE' ELSE 'RESTRICT' END);
EXCEPTION WHEN dependent_objects_still_exist THEN
  GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
  RAISE EXCEPTION 'cannot drop % because other objects depend on it', p_what USING ERRCODE = '2BP01',
    DETAIL = v_detail, HINT = format('Use %s to drop the dependent objects too.', p_cascade_hint);
END $$;

-- Models the current role can use: its own (or its roles'), and those whose function it may execute.
CREATE OR REPLACE VIEW modelgres.models WITH (security_barrier) AS
SELECT m.model_id, m.schema_name, m.model_name, m.owner, m.function_schema, m.function_name,
       m.parameter_names, m.parameter_types, m.return_type, m.target_column, m.problem_type,
       m.activation, m.active_version, m.last_version, m.created_at,
       pg_has_role(current_user, m.owner, 'MEMBER') AS is_owner
FROM modelgres.model m
WHERE pg_has_role(current_user, m.owner, 'MEMBER')
   OR modelgres.is_superuser(current_user)
   OR EXISTS (
     SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = m.function_schema AND p.proname = m.function_name
       AND has_function_privilege(current_user, p.oid, 'EXECUTE'));

CREATE OR REPLACE VIEW modelgres.model_versions WITH (security_barrier) AS
SELECT m.schema_name, m.model_name, v.model_id, v.version, v.state, v.source, v.job_name,
       v.version = m.active_version AS active,
       CASE WHEN m.is_owner OR modelgres.is_superuser(current_user) THEN v.spec
            ELSE v.spec - 'iamRole' - 's3Bucket' - 'kmsKeyId' END AS spec,
       v.training_source, v.created_at, v.training_started_at, v.training_finished_at, v.training_rows,
       v.model_type, v.problem_type, v.objective, v.metric, v.metric_value, v.failure_reason,
       v.cut_short, v.progress, v.classes, v.artifact_source, v.io_plan, v.baseline, v.explanation, v.forecast_summary
FROM modelgres.model_version v JOIN modelgres.models m USING (model_id);

-- The trained artifacts, for the roles that may call the model.
CREATE OR REPLACE VIEW modelgres.model_artifacts WITH (security_barrier) AS
SELECT v.model_id, v.version, v.job_name, v.onnx, v.io_plan, v.classes, v.problem_type, v.model_type, v.objective,
       v.metric, v.metric_value, m.parameter_names, m.parameter_types, m.return_type
FROM modelgres.model_version v JOIN modelgres.models m USING (model_id)
WHERE v.state = 'READY';

GRANT SELECT ON modelgres.models, modelgres.model_versions, modelgres.model_artifacts TO PUBLIC;
REVOKE ALL ON FUNCTION modelgres.create_model_function(name, name, text[], text, name, text, bigint, integer, jsonb, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.drop_model_functions(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.drop_model_function(text, boolean, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.model_functions(bigint) FROM PUBLIC;

-- Redshift's system views of models, with Redshift's columns. Through the proxy they also answer
-- unqualified, as Redshift users write them.
CREATE OR REPLACE VIEW modelgres.svv_ml_model_info AS
SELECT current_database()::char(128) AS database_name,
       m.schema_name::char(128) AS schema_name,
       m.owner::char(128) AS user_name,
       m.model_name::char(128) AS model_name,
       'ACTIVE'::char(20) AS life_cycle,
       CASE WHEN v.source IN ('TRAINED', 'RETRAINED') THEN 1 ELSE 0 END AS is_refreshable,
       (CASE v.state
          WHEN 'READY' THEN 'Model is Ready'
          WHEN 'TRAINING' THEN 'Train Model In Progress'
          WHEN 'FAILED' THEN 'Model Failed'
          WHEN 'CANCELED' THEN 'Model Canceled'
          ELSE 'Import In Progress' END)::char(128) AS model_state
FROM modelgres.models m
JOIN LATERAL (
  SELECT * FROM modelgres.model_version v WHERE v.model_id = m.model_id
  ORDER BY (v.version = m.active_version) DESC, v.version DESC LIMIT 1) v ON true;

CREATE OR REPLACE VIEW modelgres.stv_ml_model_info AS
SELECT schema_name, user_name, model_name, life_cycle, is_refreshable, model_state FROM modelgres.svv_ml_model_info;

-- Who may execute each model: the EXECUTE grants of its function, as PostgreSQL keeps them.
CREATE OR REPLACE VIEW modelgres.svv_ml_model_privileges AS
SELECT m.schema_name::char(128) AS namespace_name,
       m.model_name::char(128) AS model_name,
       m.active_version AS model_version,
       a.grantee::integer AS identity_id,
       coalesce(r.rolname, 'public')::char(128) AS identity_name,
       (CASE WHEN a.grantee = 0 THEN 'public' ELSE 'role' END)::char(128) AS identity_type,
       a.privilege_type::char(128) AS privilege_type,
       a.is_grantable AS admin_option
FROM modelgres.models m
JOIN pg_proc p ON p.proname = m.function_name
JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = m.function_schema
CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee;

GRANT SELECT ON modelgres.svv_ml_model_info, modelgres.stv_ml_model_info, modelgres.svv_ml_model_privileges TO PUBLIC;
