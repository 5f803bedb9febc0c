-- The catalog's home. Ordinary roles may look (USAGE) but never write: every change goes through
-- modelgres statements, which call SECURITY DEFINER functions owned by the catalog's owner.
CREATE SCHEMA IF NOT EXISTS modelgres;
REVOKE CREATE ON SCHEMA modelgres FROM PUBLIC;
GRANT USAGE ON SCHEMA modelgres TO PUBLIC;

-- One row: which modelgres built this catalog, for operators and support.
CREATE TABLE modelgres.installation (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO modelgres.installation DEFAULT VALUES;
REVOKE ALL ON modelgres.installation FROM PUBLIC;
GRANT SELECT ON modelgres.installation TO PUBLIC;
