-- Functions and views of the catalog, re-applied by `modelgres migrate` whenever this file changes.

-- The newest migration applied, so a client can tell which catalog it talks to.
CREATE OR REPLACE FUNCTION modelgres.catalog_version() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, modelgres
  AS $$ SELECT max(name) FROM modelgres.migrations $$;
REVOKE ALL ON FUNCTION modelgres.catalog_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION modelgres.catalog_version() TO PUBLIC;
