-- SHOW MODELGRES STATS / CLIENTS / WORKERS: who may see every session, and the training queue.

-- Superusers and members of modelgres_monitor see every session; other roles their own.
CREATE OR REPLACE FUNCTION modelgres.sees_all_sessions(p_role name) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT modelgres.is_superuser(p_role)
      OR EXISTS (SELECT FROM pg_roles r WHERE r.rolname = 'modelgres_monitor' AND pg_has_role(p_role, r.oid, 'MEMBER'))
$$;

-- The training queue's unfinished jobs with the worker that holds each (SHOW MODELGRES WORKERS):
-- all of them for a role that sees all sessions, else those of models the caller's roles own.
CREATE OR REPLACE FUNCTION modelgres.training_workers(p_caller name)
  RETURNS TABLE (worker text, state text, schema_name name, model_name name, version integer, job_name text,
                 attempts integer, lease_until timestamptz, queued_at timestamptz, progress jsonb)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  PERFORM check_caller(p_caller);
  RETURN QUERY
  SELECT j.lease_owner, j.state, m.schema_name, m.model_name, v.version, j.job_name, j.attempts, j.lease_until, j.created_at, v.progress
    FROM modelgres.job j
    JOIN modelgres.model_version v USING (job_name)
    JOIN modelgres.model m USING (model_id)
   WHERE j.state <> 'done'
     AND (sees_all_sessions(p_caller) OR pg_has_role(p_caller, m.owner, 'MEMBER'))
   ORDER BY j.state DESC, j.created_at;
END $$;

GRANT EXECUTE ON FUNCTION modelgres.sees_all_sessions(name) TO PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.training_workers(name) TO PUBLIC;
