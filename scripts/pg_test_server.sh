#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (the "postgres" backend of hub_test), listening only
# on a unix socket inside DIR (no TCP port).
#   scripts/pg_test_server.sh start DIR   creates the cluster in DIR/data if missing, starts it,
#                                         creates the database "cardhub_test" and prints the
#                                         conninfo ("host=DIR dbname=cardhub_test user=...") on
#                                         stdout (everything else goes to stderr)
#   scripts/pg_test_server.sh stop DIR    stops it (a no-op when it is not running)
# As root, the cluster belongs to the `postgres` user (initdb refuses to run as root).
# scripts/test.sh starts it before ctest and exports CK_TEST_PG_CONNINFO.
set -euo pipefail

usage() {
  echo "usage: scripts/pg_test_server.sh start|stop DIR" >&2
  exit 2
}
(($# == 2)) || usage
cmd="$1"
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
data="$dir/data"
db="cardhub_test"

bindir="${PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg_test_server: no PostgreSQL server binaries (install postgresql: scripts/setup.sh)" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  user="postgres"
  as_user() { runuser -u postgres -- "$@"; }
else
  user="$(id -un)"
  as_user() { "$@"; }
fi

case "$cmd" in
  start)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir"
      chmod 0700 "$dir"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_user "$bindir/initdb" -D "$data" -U "$user" -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
        {
          cat "$dir/initdb.log" >&2
          exit 1
        }
    fi
    if ! as_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_user "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
      }
    fi
    if ! as_user "$bindir/psql" -h "$dir" -U "$user" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      as_user "$bindir/createdb" -h "$dir" -U "$user" "$db"
    fi
    echo "host=$dir dbname=$db user=$user"
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ] && as_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_user "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  *) usage ;;
esac
