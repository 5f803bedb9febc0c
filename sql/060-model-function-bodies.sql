-- The bodies of model functions. f and f_probabilities evaluate the active version, f_vN its own;
-- each body is the version's SQL compiled from its ONNX artifact (src/compile/), so PostgreSQL
-- evaluates the model itself wherever SQL runs. Activation, rollback and drop rewrite them in the
-- same transaction as the catalog: every path sees the same active version, a ROLLBACK undoes
-- both, and a running statement keeps the body it started with.

-- (Re)defines a model function's body. Its parameters are named after the model's features, so
-- tools that list functions (\df, JDBC getFunctionColumns, ODBC SQLProcedureColumns) show them;
-- bodies refer to them as $1..$n only. Only the two languages the compiler writes are accepted:
-- the body is created by the catalog's owner, so nothing else may reach CREATE FUNCTION.
DROP FUNCTION IF EXISTS modelgres.write_model_function(text, text, bigint, integer, jsonb, boolean);
CREATE OR REPLACE FUNCTION modelgres.write_model_function(
  p_schema name, p_name name, p_return_type text, p_model_id bigint, p_version integer, p_compiled jsonb, p_pinned boolean
) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  v_language text := p_compiled->>'language';
  m model%ROWTYPE;
  declaration text;
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  SELECT format('%I.%I(%s)', p_schema, p_name, string_agg(format('%I %s', n, t), ', ' ORDER BY i))
    INTO declaration FROM unnest(m.parameter_names, m.parameter_types) WITH ORDINALITY AS a(n, t, i);
  IF p_compiled ? 'body' AND v_language IN ('sql', 'plpgsql') THEN
    -- A pinned version never changes meaning: IMMUTABLE where its body is (indexes, generated
    -- columns). f follows activation, so it is STABLE: the same within one statement.
    EXECUTE format('CREATE OR REPLACE FUNCTION %s RETURNS %s LANGUAGE %s %s PARALLEL SAFE AS %L',
      declaration, p_return_type, v_language,
      CASE WHEN p_pinned AND (p_compiled->>'immutable')::boolean THEN 'IMMUTABLE' ELSE 'STABLE' END,
      p_compiled->>'body');
  ELSIF p_compiled ? 'unsupported' THEN
    EXECUTE format('CREATE OR REPLACE FUNCTION %s RETURNS %s LANGUAGE plpgsql STABLE AS %L', declaration, p_return_type,
      format($body$BEGIN RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = %L,
        HINT = 'Call the model through the modelgres proxy, which evaluates it with onnxruntime.'; END$body$,
        'this model cannot be evaluated inside PostgreSQL: ' || (p_compiled->>'unsupported')));
  ELSE
    -- No version to evaluate yet (or one not compiled yet): the body says why, as the proxy would.
    EXECUTE format('CREATE OR REPLACE FUNCTION %s RETURNS %s LANGUAGE plpgsql STABLE AS %L', declaration, p_return_type,
      format('BEGIN PERFORM modelgres.raise_not_callable(current_user, %s, %s); %s END', p_model_id, coalesce(p_version::text, 'NULL'),
             -- A forecast model's function returns a table (sql/100): a bare RETURN ends it.
             CASE WHEN p_return_type LIKE 'TABLE(%' THEN 'RETURN;' ELSE 'RETURN NULL;' END));
  END IF;
END $$;

-- Why a model function cannot answer now: the same errors the proxy gives for the same state.
-- p_caller is the role calling the model function; it must be one the session could act as, and
-- one that may call the model, so nobody learns more here than calling the model would tell.
CREATE OR REPLACE FUNCTION modelgres.raise_not_callable(p_caller name, p_model_id bigint, p_version integer) RETURNS void
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v model_version%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  IF NOT FOUND OR NOT (pg_has_role(p_caller, m.owner, 'MEMBER') OR has_function_privilege(p_caller,
       format('%I.%I(%s)', m.function_schema, m.function_name, array_to_string(m.parameter_types, ','))::regprocedure, 'EXECUTE')) THEN
    RAISE EXCEPTION 'permission denied for model %', p_model_id USING ERRCODE = '42501';
  END IF;
  SELECT * INTO v FROM model_version
   WHERE model_id = p_model_id AND (p_version IS NULL OR version = p_version)
   ORDER BY (version = m.active_version) DESC, version DESC LIMIT 1;
  IF v.state = 'READY' AND p_version IS NULL AND m.active_version IS NULL THEN
    RAISE EXCEPTION 'model "%" has no active version', m.model_name USING ERRCODE = '55000',
      HINT = format('Its activation is MANUAL: run ALTER MODEL %s SET ACTIVE VERSION n.', quote_ident(m.model_name));
  ELSIF v.state = 'FAILED' THEN
    RAISE EXCEPTION 'model "%" is not ready: its training failed: %', m.model_name, v.failure_reason USING ERRCODE = '55000';
  ELSIF v.state IS DISTINCT FROM 'READY' THEN
    RAISE EXCEPTION 'model "%" is not ready: its state is %', m.model_name, coalesce(v.state, 'unknown') USING ERRCODE = '55000',
      HINT = CASE WHEN v.state = 'TRAINING' THEN format('SHOW MODEL %s shows the training progress.', quote_ident(m.model_name)) END;
  END IF;
  RAISE EXCEPTION 'version % of model "%" has no SQL form yet', v.version, m.model_name USING ERRCODE = '55000',
    HINT = 'modelgres compiles it when the proxy starts; until then call the model through the proxy.';
END $$;

-- f and f_probabilities take the body of the model's active version (or say why they cannot answer).
-- f's body is its version's f_vN's, which PostgreSQL checked when it created f_vN: when the
-- text is the same it is not parsed and analysed again (some 50 ms for a tree ensemble's
-- 500 kB body, at every registration and activation).
CREATE OR REPLACE FUNCTION modelgres.write_active_bodies(p_model_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v model_version%ROWTYPE;
  types text;
  pinned regprocedure;
  checked boolean;
  check_setting text := current_setting('check_function_bodies');
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id;
  SELECT * INTO v FROM model_version WHERE model_id = p_model_id AND version = m.active_version AND state = 'READY';
  types := array_to_string(m.parameter_types, ', ');
  pinned := to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || '_v' || v.version, types));
  checked := v.compiled_value ? 'body' AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.oid = pinned AND p.prosrc = v.compiled_value->>'body');
  IF checked THEN PERFORM set_config('check_function_bodies', 'off', true); END IF;
  PERFORM write_model_function(m.function_schema, m.function_name, m.return_type, p_model_id, NULL, v.compiled_value, false);
  IF checked THEN PERFORM set_config('check_function_bodies', check_setting, true); END IF;
  IF to_regprocedure(format('%I.%I(%s)', m.function_schema, m.function_name || '_probabilities', types)) IS NOT NULL THEN
    PERFORM write_model_function(m.function_schema, m.function_name || '_probabilities', 'jsonb',
      p_model_id, NULL, v.compiled_probabilities, false);
  END IF;
END $$;

-- Stores a version's compiled bodies after the fact (versions from before they existed, compiled
-- by the proxy at start) and rewrites the functions that evaluate it.
CREATE OR REPLACE FUNCTION modelgres.install_compiled(p_model_id bigint, p_version integer, p_value jsonb, p_probabilities jsonb)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  pinned text;
BEGIN
  SELECT * INTO m FROM model WHERE model_id = p_model_id FOR UPDATE;
  UPDATE model_version SET compiled_value = p_value, compiled_probabilities = p_probabilities
   WHERE model_id = p_model_id AND version = p_version AND state = 'READY' AND compiled_value IS NULL;
  IF NOT FOUND THEN RETURN; END IF;
  pinned := format('%I.%I(%s)', m.function_schema, m.function_name || '_v' || p_version, array_to_string(m.parameter_types, ', '));
  IF to_regprocedure(pinned) IS NOT NULL THEN
    PERFORM write_model_function(m.function_schema, m.function_name || '_v' || p_version, m.return_type, p_model_id, p_version, p_value, true);
  END IF;
  IF m.active_version = p_version THEN PERFORM write_active_bodies(p_model_id); END IF;
END $$;

REVOKE ALL ON FUNCTION modelgres.write_model_function(name, name, text, bigint, integer, jsonb, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.write_active_bodies(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.install_compiled(bigint, integer, jsonb, jsonb) FROM PUBLIC;
-- Every body that cannot answer calls it, as whoever called the model function.
GRANT EXECUTE ON FUNCTION modelgres.raise_not_callable(name, bigint, integer) TO PUBLIC;
