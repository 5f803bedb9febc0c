#!/usr/bin/env bash
# The Debian packages the test suite drives: the real psql and pgbench (postgresql-15 carries
# pgbench), openssl for TLS certificates, and the drivers BI tools are built on (test/drivers/):
# pgJDBC with a JDK to compile its program, psqlODBC with unixODBC and pyodbc, psycopg 3 and
# asyncpg (in the system Python, /usr/bin/python3), XGBoost in the same Python (test/training/
# first-tree-xgboost compares the trees with XGBoost's), and chromium, the real browser the dashboard's
# tests drive headless (playwright-core, which downloads no browser). The database itself is the
# embedded PostgreSQL from npm. Run as root, installs what is missing; otherwise prints the one apt-get line and fails.
set -euo pipefail
missing=()
[ -x /usr/lib/postgresql/15/bin/pgbench ] || missing+=(postgresql-15)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
[ -f /usr/share/java/postgresql.jar ] || missing+=(libpostgresql-jdbc-java)
[ -f /usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so ] || missing+=(odbc-postgresql)
command -v isql >/dev/null 2>&1 || missing+=(unixodbc)
python_has() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
python_has pyodbc || missing+=(python3-pyodbc)
python_has psycopg || missing+=(python3-psycopg)
python_has asyncpg || missing+=(python3-asyncpg)
python_has xgboost || missing+=(python3-xgboost)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need Debian packages that are missing. Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
