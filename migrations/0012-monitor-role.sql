-- modelgres_monitor: members see every client session in SHOW MODELGRES STATS / CLIENTS / WORKERS,
-- as superusers do; other roles see their own. Roles belong to the cluster, not to one database:
-- the first catalog to migrate creates it, the others find it. A catalog role without CREATEROLE
-- leaves it to an administrator (CREATE ROLE modelgres_monitor NOLOGIN), and until then only
-- superusers see everything.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'modelgres_monitor') THEN
    BEGIN
      CREATE ROLE modelgres_monitor NOLOGIN;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'modelgres_monitor was not created: the catalog role lacks CREATEROLE'
          USING HINT = 'Run CREATE ROLE modelgres_monitor NOLOGIN as a superuser.';
      -- Another database's migration created it at the same moment.
      WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;
