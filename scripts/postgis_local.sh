#!/usr/bin/env bash
# A throw-away PostGIS server for tests and development, from Debian's packages.
#
#   scripts/postgis_local.sh start   # initdb + pg_ctl in a temporary folder; prints the URL
#   scripts/postgis_local.sh env     # prints: export GEO_TEST_DATABASE_URL=...
#   scripts/postgis_local.sh url     # prints the URL only
#   scripts/postgis_local.sh stop    # stops the server and deletes its folder
#
# Needs `postgresql` and the matching PostGIS package (on Debian 12:
# apt-get install postgresql-15 postgresql-15-postgis-3). The server listens
# on 127.0.0.1 only, trusts local connections (it holds test data and is
# deleted on stop) and runs as the `postgres` user when started by root,
# because PostgreSQL refuses to run as root.
#
# Settings: GEO_PG_DIR (the folder, default /tmp/geo-postgis-$UID),
# GEO_PG_PORT (default 55432; the next free port is taken when it is busy).
set -euo pipefail

DIR="${GEO_PG_DIR:-/tmp/geo-postgis-$(id -u)}"
DB=geo
ROLE=geo

bin_dir() {
  # The newest installed server version, e.g. /usr/lib/postgresql/15/bin
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] || [ ! -x "$found/pg_ctl" ]; then
    echo "postgis_local: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin;" \
      "install postgresql and postgresql-<version>-postgis-3" >&2
    exit 3
  fi
  echo "$found"
}

# Run a command as the server's owner: postgres when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

url() {
  echo "postgresql://${ROLE}@127.0.0.1:$(cat "$DIR/port")/${DB}"
}

running() {
  [ -f "$DIR/port" ] && as_owner "$(bin_dir)/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  local bin port
  bin=$(bin_dir)
  if running; then
    url
    return 0
  fi
  port="${GEO_PG_PORT:-55432}"
  while ! port_free "$port"; do port=$((port + 1)); done
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$DIR"
  as_owner "$bin/initdb" -D "$DIR/data" -U "$ROLE" --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Sockets in the folder itself: no need for write access to /var/run/postgresql.
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" \
    start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  echo "$port" >"$DIR/port"
  as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U "$ROLE" -d postgres \
    -c "CREATE DATABASE $DB" >/dev/null
  as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" \
    -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
  url
}

stop() {
  if [ -d "$DIR/data" ]; then
    as_owner "$(bin_dir)/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) running && url || { echo "postgis_local: not running (start it first)" >&2; exit 1; } ;;
  env) echo "export GEO_TEST_DATABASE_URL=$(start)" ;;
  *) echo "usage: $0 start|stop|env|url" >&2; exit 2 ;;
esac
