#!/usr/bin/env bash
# Brings up a local PostgreSQL for the metadata-database tests and prints the
# TEST_DATABASE_URL to use on stdout (progress goes to stderr), e.g.
#   export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)"
# Idempotent: installs Debian's postgresql only when missing (root only), starts
# the first cluster only when it is down, creates the role and database only
# when absent. Settings: WARREN_TEST_PG_DB (default warren_test).
set -euo pipefail

db="${WARREN_TEST_PG_DB:-warren_test}"
role="warren"
password="warren"

say() { echo "start-test-postgres: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed; run this script as root or: sudo apt-get install -y postgresql"
    exit 1
  fi
  say "installing postgresql from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

cluster="$(pg_lsclusters --no-header | head -n 1)"
if [ -z "$cluster" ]; then
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  say "creating cluster $version/main"
  pg_createcluster "$version" main >&2
  cluster="$(pg_lsclusters --no-header | head -n 1)"
fi
read -r version name port status _ <<<"$cluster"

if [ "$status" != "online" ]; then
  say "starting cluster $version/$name on port $port"
  pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.2
done
pg_isready -q -h 127.0.0.1 -p "$port" || { say "cluster $version/$name did not become ready on port $port"; exit 1; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_admin() { as_postgres psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -tA "$@"; }

# CREATEDB: creating a migration replays history in a temporary shadow database.
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]; then
  say "creating role $role"
  psql_admin -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
  say "creating database $db"
  psql_admin -c "CREATE DATABASE $db OWNER $role"
fi

echo "postgresql://$role:$password@127.0.0.1:$port/$db"
