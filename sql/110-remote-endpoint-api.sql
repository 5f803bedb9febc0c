-- Remote endpoints in the catalog (migrations/0014): set and dropped by superusers only, followed
-- by every proxy through NOTIFY modelgres_endpoints.

CREATE OR REPLACE FUNCTION modelgres.set_remote_endpoint(p_name text, p_url text) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  IF NOT is_superuser(session_user) THEN
    RAISE EXCEPTION 'permission denied to set remote endpoint "%"', p_name
      USING ERRCODE = '42501', HINT = 'Only a superuser sets where remote models are evaluated.';
  END IF;
  IF p_name IS NULL OR p_name = '' OR length(p_name) > 200 THEN
    RAISE EXCEPTION 'a remote endpoint needs a name of 1 to 200 characters' USING ERRCODE = '22023';
  END IF;
  IF p_url IS NULL OR p_url !~ '^https?://[^/?#\s]+' THEN
    RAISE EXCEPTION 'remote endpoint "%": % is not an http or https URL', p_name, coalesce(quote_literal(p_url), 'NULL')
      USING ERRCODE = '22023', HINT = 'Give the full URL the rows are POSTed to, such as http://host:8080/invocations.';
  END IF;
  INSERT INTO remote_endpoint (name, url) VALUES (p_name, p_url)
    ON CONFLICT (name) DO UPDATE SET url = excluded.url, set_by = session_user, set_at = now();
  PERFORM pg_notify('modelgres_endpoints', p_name);
END $$;

CREATE OR REPLACE FUNCTION modelgres.drop_remote_endpoint(p_name text) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
BEGIN
  IF NOT is_superuser(session_user) THEN
    RAISE EXCEPTION 'permission denied to drop remote endpoint "%"', p_name
      USING ERRCODE = '42501', HINT = 'Only a superuser sets where remote models are evaluated.';
  END IF;
  DELETE FROM remote_endpoint WHERE name = p_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'remote endpoint "%" does not exist', p_name USING ERRCODE = '42704';
  END IF;
  PERFORM pg_notify('modelgres_endpoints', p_name);
END $$;

-- The names (not the URLs) any role may see: which endpoints a SAGEMAKER model may name.
CREATE OR REPLACE FUNCTION modelgres.remote_endpoint_names() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres AS $$
  SELECT name FROM remote_endpoint ORDER BY name $$;

REVOKE ALL ON FUNCTION modelgres.set_remote_endpoint(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgres.drop_remote_endpoint(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.remote_endpoint_names() TO PUBLIC;
