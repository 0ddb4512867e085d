#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, run as the postgres user from a temporary data directory.
#
#   eval "$(.ci/postgres.sh start)"   # starts it and prints the NEURASEA_TEST_POSTGRES_* exports
#   .ci/postgres.sh restart           # restarts it in place (fault tests: connections drop, data stays)
#   .ci/postgres.sh stop              # stops it and removes its data directory
#
# Settings (environment): NEURASEA_PG_PORT (default 55432). Progress goes to stderr; only the exports go
# to stdout. The role's password is random for each start and only ever printed as an export.
set -euo pipefail

PORT="${NEURASEA_PG_PORT:-55432}"
STATE="${TMPDIR:-/tmp}/neurasea-postgres-${PORT}.dir"
ROLE=neurasea
DATABASE=neurasea

log() { echo "postgres.sh: $*" >&2; }

bin_dir() {
  local initdb
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$initdb" ] && dirname "$initdb"
}

install_if_absent() {
  if [ -n "$(bin_dir)" ]; then
    return
  fi
  # Guarded: a server that is already installed is never upgraded by this script.
  log "installing Debian's postgresql"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  [ -n "$(bin_dir)" ] || { log "initdb not found after installing postgresql"; exit 1; }
}

as_postgres() { runuser -u postgres -- "$@"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

stop() {
  [ -f "$STATE" ] || { log "no server recorded for port $PORT"; return 0; }
  local dir bin
  dir="$(cat "$STATE")"
  bin="$(bin_dir)"
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || log "pg_ctl stop failed"
  fi
  case "$dir" in
    */neurasea-pg.??????) rm -rf "$dir" ;;
  esac
  rm -f "$STATE"
  log "stopped the server on port $PORT"
}

start() {
  install_if_absent
  local bin dir password
  bin="$(bin_dir)"
  [ -f "$STATE" ] && stop
  if port_in_use; then
    log "port $PORT is already in use; set NEURASEA_PG_PORT to another port"
    exit 1
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/neurasea-pg.XXXXXX")"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  echo "$dir" > "$STATE"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; exit 1; }
  rm -f "$dir.initdb.log"
  # The port lies in Linux's ephemeral range: a client connection that just closed may hold it in
  # TIME_WAIT for up to a minute, so a failed bind is retried for that long.
  local attempt
  for attempt in $(seq 1 30); do
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >&2; then
      break
    fi
    if [ "$attempt" -eq 30 ] || ! grep -q "could not bind" "$dir/server.log"; then
      cat "$dir/server.log" >&2
      exit 1
    fi
    log "port $PORT is held by a closing connection; retrying in 2 s"
    : > "$dir/server.log"
    sleep 2
  done
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  as_postgres "$bin/psql" -h "$dir" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >&2 <<SQL
CREATE ROLE $ROLE LOGIN PASSWORD '$password';
CREATE DATABASE $DATABASE OWNER $ROLE;
SQL
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $dir)"
  echo "export NEURASEA_TEST_POSTGRES_URL=jdbc:postgresql://127.0.0.1:$PORT/$DATABASE"
  echo "export NEURASEA_TEST_POSTGRES_USER=$ROLE"
  echo "export NEURASEA_TEST_POSTGRES_PASSWORD=$password"
}

restart() {
  [ -f "$STATE" ] || { log "no server recorded for port $PORT"; exit 1; }
  local dir
  dir="$(cat "$STATE")"
  # pg_ctl restart reuses the options the server was started with (postmaster.opts).
  as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >&2
  log "restarted the server on port $PORT"
}

case "${1:-}" in
  start) start ;;
  restart) restart ;;
  stop) stop ;;
  *) echo "usage: $0 start|restart|stop" >&2; exit 2 ;;
esac
