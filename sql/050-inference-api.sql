-- What a model function call needs, on the proxy's fast path.

-- The version a call of p_function (f, f_probabilities or f_vN) evaluates: the model's active one,
-- or the pinned one. One indexed lookup, instead of the role-filtered views a call would otherwise
-- read, with the same rule: no row unless p_caller may execute the function (PostgreSQL's own
-- EXECUTE privilege), and p_caller must be the session's role or one it can act as. The artifact
-- comes along when its job is not among p_loaded, the artifacts the proxy holds already.
-- `debug`: the session's client_min_messages is at a DEBUG level, so the proxy says which evaluator runs.
DROP FUNCTION IF EXISTS modelgres.call_version(name, bigint, name, int, text[]);
CREATE OR REPLACE FUNCTION modelgres.call_version(p_caller name, p_model_id bigint, p_function name, p_pinned int, p_loaded text[])
  RETURNS TABLE (version int, state text, job_name text, failure_reason text, classes text, active_version int,
                 io_plan text, may_execute boolean, onnx bytea, debug boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  -- plpgsql keeps this query's plan for the session: a call costs no planning.
  RETURN QUERY
  SELECT v.version, v.state, v.job_name, v.failure_reason, v.classes::text, m.active_version, v.io_plan::text, true,
         CASE WHEN p_loaded IS NOT NULL AND v.state = 'READY' AND v.job_name <> ALL (p_loaded) THEN v.onnx END,
         current_setting('client_min_messages') LIKE 'debug%'
    FROM model m JOIN model_version v USING (model_id)
   WHERE m.model_id = p_model_id
     AND (p_pinned IS NULL OR v.version = p_pinned)
     AND pg_has_role(session_user, p_caller, 'MEMBER')
     -- One of this model's own functions: EXECUTE on some other function of the same signature
     -- in that schema (one the caller made, say) must not hand out this model's artifact.
     AND CASE WHEN p_pinned IS NULL THEN p_function IN (m.function_name, m.function_name || '_probabilities')
              ELSE p_function = m.function_name || '_v' || p_pinned END
     AND has_function_privilege(p_caller,
           format('%I.%I(%s)', m.function_schema, p_function, array_to_string(m.parameter_types, ','))::regprocedure, 'EXECUTE')
   ORDER BY (v.version = m.active_version) DESC, v.version DESC
   LIMIT 1;
END $$;

GRANT EXECUTE ON FUNCTION modelgres.call_version(name, bigint, name, int, text[]) TO PUBLIC;

-- The stamp of a function's pg_proc row (its xmin): a one-row call reads it in the calling
-- statement itself, with the caller's EXECUTE privilege, and the proxy evaluates the version it
-- learnt for that stamp (src/inference/known-versions.ts: every activation rewrites f and
-- f_probabilities). plpgsql keeps the plan for the session: a few microseconds, where the same
-- subquery in the statement is planned with every call.
CREATE OR REPLACE FUNCTION modelgres.function_stamp(p_fn oid) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
  v_stamp text;
BEGIN
  SELECT p.xmin::text INTO v_stamp FROM pg_proc p WHERE p.oid = p_fn;
  RETURN v_stamp;
END $$;

GRANT EXECUTE ON FUNCTION modelgres.function_stamp(oid) TO PUBLIC;
