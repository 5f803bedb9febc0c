-- Hosting: ALTER MODEL m START / STOP / SET INFERENCE. The catalog holds the state; every proxy
-- LISTENs on modelgres_hosting, keeps the units, and reports them in modelgres.model_hosting.

CREATE OR REPLACE FUNCTION modelgres.start_model(p_caller name, p_schema name, p_model name, p_min integer, p_max integer)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
  v_min integer := coalesce(p_min, CASE WHEN p_max IS NOT NULL THEN least(1, p_max) ELSE m.min_inference_units END, 1);
  v_max integer := coalesce(p_max, greatest(v_min, CASE WHEN p_min IS NULL THEN m.max_inference_units END), v_min);
BEGIN
  IF v_min < 1 THEN
    RAISE EXCEPTION 'MIN_INFERENCE_UNITS must be at least 1' USING ERRCODE = '22023';
  END IF;
  IF v_max < v_min THEN
    RAISE EXCEPTION 'MAX_INFERENCE_UNITS (%) must not be below MIN_INFERENCE_UNITS (%)', v_max, v_min USING ERRCODE = '22023';
  END IF;
  IF m.active_version IS NULL THEN
    RAISE EXCEPTION 'model "%" has no active version to start', p_model USING ERRCODE = '55000',
      HINT = 'Wait for training (WAIT FOR MODEL), or SET ACTIVE VERSION n.';
  END IF;
  UPDATE model SET min_inference_units = v_min, max_inference_units = v_max,
                   inference_status = CASE WHEN inference_status = 'HOSTED' THEN 'HOSTED' ELSE 'STARTING' END
   WHERE model_id = m.model_id;
  PERFORM pg_notify('modelgres_hosting', m.model_id::text);
END $$;
GRANT EXECUTE ON FUNCTION modelgres.start_model(name, name, name, integer, integer) TO PUBLIC;

-- STOP drains: proxies keep their units for calls in flight, then report none; the last one to
-- finish sets STOPPED. With no proxy hosting it, STOPPED at once.
CREATE OR REPLACE FUNCTION modelgres.stop_model(p_caller name, p_schema name, p_model name)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
BEGIN
  IF m.inference_status = 'STOPPED' THEN
    RAISE NOTICE 'model "%" is not started, skipping', p_model;
    RETURN;
  END IF;
  UPDATE model SET inference_status = CASE WHEN EXISTS (SELECT 1 FROM model_hosting h WHERE h.model_id = m.model_id)
                                           THEN 'STOPPING' ELSE 'STOPPED' END
   WHERE model_id = m.model_id;
  PERFORM pg_notify('modelgres_hosting', m.model_id::text);
END $$;
GRANT EXECUTE ON FUNCTION modelgres.stop_model(name, name, name) TO PUBLIC;

CREATE OR REPLACE FUNCTION modelgres.set_inference_options(p_caller name, p_schema name, p_model name, p_require_start boolean)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
DECLARE
  m model%ROWTYPE := owned_model(p_caller, p_schema, p_model);
BEGIN
  UPDATE model SET require_start = p_require_start WHERE model_id = m.model_id;
  PERFORM pg_notify('modelgres_hosting', m.model_id::text);
END $$;
GRANT EXECUTE ON FUNCTION modelgres.set_inference_options(name, name, name, boolean) TO PUBLIC;

-- What SHOW MODEL adds: the status and bounds, and the units summed over the proxies.
CREATE OR REPLACE VIEW modelgres.model_hosting_status WITH (security_barrier) AS
SELECT v.schema_name, v.model_name, m.inference_status, m.min_inference_units, m.max_inference_units, m.require_start,
       coalesce((SELECT sum(h.desired) FROM modelgres.model_hosting h WHERE h.model_id = m.model_id), 0)::int AS desired_units,
       coalesce((SELECT sum(h.in_service) FROM modelgres.model_hosting h WHERE h.model_id = m.model_id), 0)::int AS in_service_units
FROM modelgres.models v JOIN modelgres.model m USING (model_id);
GRANT SELECT ON modelgres.model_hosting_status TO PUBLIC;
