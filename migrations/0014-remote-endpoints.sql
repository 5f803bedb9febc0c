-- Remote models' endpoints (CREATE MODEL ... SAGEMAKER 'name'): a name and the URL its rows are
-- POSTed to, set by a superuser with modelgres.set_remote_endpoint so every proxy of the catalog
-- finds it. A proxy's own --endpoint name=URL wins over a row here. Only the catalog owner reads
-- the table (URLs are often internal addresses): roles see names through remote_endpoint_names.

CREATE TABLE modelgres.remote_endpoint (
  name        text PRIMARY KEY CHECK (name <> '' AND length(name) <= 200),
  url         text NOT NULL CHECK (url ~ '^https?://'),
  set_by      name NOT NULL DEFAULT session_user,
  set_at      timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON modelgres.remote_endpoint FROM PUBLIC;
