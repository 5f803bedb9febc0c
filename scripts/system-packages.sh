#!/usr/bin/env bash
# The Debian packages the test suite drives: the real psql and pgbench (postgresql-15 carries
# pgbench) and openssl for TLS certificates. The database itself is the embedded PostgreSQL from
# npm. Run as root, installs what is missing; otherwise prints the one apt-get line and fails.
set -euo pipefail
missing=()
[ -x /usr/lib/postgresql/15/bin/pgbench ] || missing+=(postgresql-15)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need Debian packages that are missing. Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
