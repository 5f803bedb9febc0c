-- Inference schedules: CREATE / ALTER / DROP INFERENCE SCHEDULE and the views SHOW reads.
-- The workers claim and record executions on their own connection (src/schedule/).

-- The first time on the grid start_at + k * every that is not before p_after.
CREATE OR REPLACE FUNCTION modelgres.next_schedule_time(p_start_at timestamptz, p_every interval, p_after timestamptz)
  RETURNS timestamptz
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE WHEN p_after <= p_start_at THEN p_start_at
              ELSE p_start_at + p_every * ceil(extract(epoch FROM p_after - p_start_at) / extract(epoch FROM p_every)) END $$;

-- The schedule, locked, for a change by its owner (or a superuser).
CREATE OR REPLACE FUNCTION modelgres.owned_schedule(p_caller name, p_schema name, p_name name)
  RETURNS modelgres.inference_schedule
  LANGUAGE plpgsql SET search_path = pg_catalog, modelgres AS $$
DECLARE
  s inference_schedule%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  SELECT * INTO s FROM inference_schedule WHERE schema_name = p_schema AND schedule_name = p_name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'inference schedule "%" does not exist', p_name USING ERRCODE = '42704';
  END IF;
  IF NOT (is_superuser(p_caller) OR pg_has_role(p_caller, s.owner, 'MEMBER')) THEN
    RAISE EXCEPTION 'must be owner of inference schedule %', p_name USING ERRCODE = '42501';
  END IF;
  RETURN s;
END $$;

-- The model a schedule may use: it exists (42704) and the caller may call it (42501). Internal:
-- called by the SECURITY DEFINER functions below after check_caller.
CREATE OR REPLACE FUNCTION modelgres.schedulable_model(p_caller name, p_schema name, p_model name)
  RETURNS modelgres.model
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
BEGIN
  SELECT * INTO m FROM model WHERE schema_name = p_schema AND model_name = p_model;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'model "%" does not exist', p_model USING ERRCODE = '42704';
  END IF;
  IF NOT has_function_privilege(p_caller, model_function(m), 'EXECUTE') THEN
    RAISE EXCEPTION 'permission denied for model %', p_model USING ERRCODE = '42501',
      HINT = format('The model''s owner can run GRANT EXECUTE ON MODEL %I TO %I.', p_model, p_caller);
  END IF;
  RETURN m;
END $$;
REVOKE ALL ON FUNCTION modelgres.schedulable_model(name, name, name) FROM PUBLIC;

DROP FUNCTION IF EXISTS modelgres.create_inference_schedule(name, name, name, name, name, text, text, text, text, name, text,
  name, name, text, text, text);
CREATE OR REPLACE FUNCTION modelgres.create_inference_schedule(
  p_caller name, p_schema name, p_name name, p_model_schema name, p_model name,
  p_source_kind text, p_source_label text, p_source_sql text, p_search_path text,
  p_key name, p_key_type text, p_target_schema name, p_target name,
  p_every text, p_delay text, p_start_at text)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
  v_every interval := p_every::interval;
  v_delay interval := coalesce(p_delay, '0')::interval;
  v_start timestamptz := coalesce(p_start_at::timestamptz, now());
  v_id bigint;
BEGIN
  PERFORM check_caller(p_caller);
  m := schedulable_model(p_caller, p_model_schema, p_model);
  IF NOT has_schema_privilege(p_caller, p_schema, 'CREATE') THEN
    RAISE EXCEPTION 'permission denied for schema %', p_schema USING ERRCODE = '42501',
      HINT = 'Creating an inference schedule needs CREATE on its schema.';
  END IF;
  IF v_every < interval '1 minute' OR v_every > interval '1 day' THEN
    RAISE EXCEPTION 'EVERY must be between 1 minute and 1 day, not %', v_every USING ERRCODE = '22023';
  END IF;
  IF v_delay < interval '0' OR v_delay > interval '1 day' THEN
    RAISE EXCEPTION 'DELAY must be between 0 and 1 day, not %', v_delay USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM inference_schedule WHERE schema_name = p_schema AND schedule_name = p_name) THEN
    RAISE EXCEPTION 'inference schedule "%" already exists', p_name USING ERRCODE = '42710';
  END IF;
  INSERT INTO inference_schedule (schema_name, schedule_name, owner, model_id, source_kind, source_label, source_sql,
                                  search_path, key_column, key_type, target_schema, target_table, every, delay,
                                  start_at, next_run)
  VALUES (p_schema, p_name, p_caller, m.model_id, p_source_kind, p_source_label, p_source_sql, p_search_path,
          p_key, p_key_type, p_target_schema, p_target, v_every, v_delay, v_start,
          -- Without START AT, the first execution comes one interval after CREATE, as on a clock.
          CASE WHEN p_start_at IS NULL THEN now() + v_every ELSE v_start END)
  RETURNING schedule_id INTO v_id;
  INSERT INTO inference_watermark (schedule_id) VALUES (v_id);
END $$;
GRANT EXECUTE ON FUNCTION modelgres.create_inference_schedule(name, name, name, name, name, text, text, text, text, name,
  text, name, name, text, text, text) TO PUBLIC;

-- STOP, START or RUN NOW. RUN NOW wakes the workers (NOTIFY modelgres_schedule at COMMIT).
CREATE OR REPLACE FUNCTION modelgres.alter_inference_schedule(p_caller name, p_schema name, p_name name, p_action text)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  s inference_schedule%ROWTYPE := owned_schedule(p_caller, p_schema, p_name);
BEGIN
  CASE p_action
    WHEN 'STOP' THEN
      UPDATE inference_schedule SET state = 'STOPPED' WHERE schedule_id = s.schedule_id;
    WHEN 'START' THEN
      -- Back on its clock: the next time of the grid from START AT, never a burst of missed runs.
      UPDATE inference_schedule SET state = 'SCHEDULED', next_run = next_schedule_time(s.start_at, s.every, now())
       WHERE schedule_id = s.schedule_id AND state = 'STOPPED';
    WHEN 'RUN NOW' THEN
      UPDATE inference_schedule SET run_requested = true WHERE schedule_id = s.schedule_id;
    ELSE
      RAISE EXCEPTION 'unknown action %', p_action USING ERRCODE = '22023';
  END CASE;
  PERFORM pg_notify('modelgres_schedule', s.schedule_id::text);
END $$;
GRANT EXECUTE ON FUNCTION modelgres.alter_inference_schedule(name, name, name, text) TO PUBLIC;

-- The target table is the owner's data and stays; the executions go with the schedule. A running
-- execution holds the watermark's row: DROP waits for it to finish, as DROP TABLE waits for readers.
CREATE OR REPLACE FUNCTION modelgres.drop_inference_schedule(p_caller name, p_schema name, p_name name, p_if_exists boolean)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  s inference_schedule%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  IF p_if_exists AND NOT EXISTS (SELECT 1 FROM inference_schedule WHERE schema_name = p_schema AND schedule_name = p_name) THEN
    RAISE NOTICE 'inference schedule "%" does not exist, skipping', p_name;
    RETURN false;
  END IF;
  s := owned_schedule(p_caller, p_schema, p_name);
  DELETE FROM inference_schedule WHERE schedule_id = s.schedule_id;
  RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION modelgres.drop_inference_schedule(name, name, name, boolean) TO PUBLIC;

-- DROP MODEL: the schedules that score with it stop it (2BP01) unless CASCADE, which drops them.
CREATE OR REPLACE FUNCTION modelgres.drop_model_schedules(p_model_id bigint, p_model name, p_cascade boolean)
  RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, modelgres AS $$
DECLARE
  names text;
BEGIN
  SELECT string_agg(format('inference schedule %I.%I depends on model %I', schema_name, schedule_name, p_model), E'\n'
                    ORDER BY schema_name, schedule_name)
    INTO names FROM inference_schedule WHERE model_id = p_model_id;
  IF names IS NULL THEN RETURN; END IF;
  IF NOT p_cascade THEN
    RAISE EXCEPTION 'cannot drop model % because other objects depend on it', quote_ident(p_model) USING ERRCODE = '2BP01',
      DETAIL = names,
      HINT = format('Use DROP MODEL %s CASCADE to drop the dependent objects too.', quote_ident(p_model));
  END IF;
  DELETE FROM inference_schedule WHERE model_id = p_model_id;
END $$;
REVOKE ALL ON FUNCTION modelgres.drop_model_schedules(bigint, name, boolean) FROM PUBLIC;

-- The schedules a role owns (all of them for a superuser), with their last execution.
CREATE OR REPLACE VIEW modelgres.inference_schedules WITH (security_barrier) AS
SELECT s.schedule_id, s.schema_name, s.schedule_name, s.owner, m.schema_name AS model_schema, m.model_name,
       s.source_kind, s.source_label, s.key_column, s.key_type, s.target_schema, s.target_table,
       s.every, s.delay, s.start_at, s.state,
       CASE WHEN s.run_requested THEN now() WHEN s.state = 'SCHEDULED' THEN s.next_run END AS next_run,
       w.watermark, w.updated_at AS watermark_updated_at, s.created_at,
       e.execution_id AS last_execution_id, e.status AS last_status, e.started_at AS last_started_at
FROM modelgres.inference_schedule s
JOIN modelgres.model m USING (model_id)
JOIN modelgres.inference_watermark w USING (schedule_id)
LEFT JOIN LATERAL (SELECT * FROM modelgres.inference_execution x WHERE x.schedule_id = s.schedule_id
                    ORDER BY x.execution_id DESC LIMIT 1) e ON true
WHERE pg_has_role(current_user, s.owner, 'MEMBER') OR modelgres.is_superuser(current_user);
GRANT SELECT ON modelgres.inference_schedules TO PUBLIC;

CREATE OR REPLACE VIEW modelgres.inference_executions WITH (security_barrier) AS
SELECT s.schema_name, s.schedule_name, x.execution_id, x.status, x.started_by, x.started_at, x.finished_at,
       x.window_start, x.window_end, x.rows_scored, x.model_version, x.error, x.worker
FROM modelgres.inference_execution x
JOIN modelgres.inference_schedule s USING (schedule_id)
WHERE pg_has_role(current_user, s.owner, 'MEMBER') OR modelgres.is_superuser(current_user);
GRANT SELECT ON modelgres.inference_executions TO PUBLIC;

-- The model a new schedule scores with, as the caller sees it: 42704 when missing, 42501 without
-- EXECUTE. Returns its features (the function's parameters, in order, as json) and return type.
CREATE OR REPLACE FUNCTION modelgres.schedule_model(p_caller name, p_schema name, p_model name)
  RETURNS TABLE (features text, return_type text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE;
BEGIN
  PERFORM check_caller(p_caller);
  m := schedulable_model(p_caller, p_schema, p_model);
  RETURN QUERY SELECT to_json(m.parameter_names)::text, m.return_type;
END $$;
GRANT EXECUTE ON FUNCTION modelgres.schedule_model(name, name, name) TO PUBLIC;
