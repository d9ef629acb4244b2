#!/usr/bin/env bash
# Start (or reuse) a Redis and a PostgreSQL server on loopback for the test suite,
# installing them with apt-get where missing. Prints the two export lines for the suite.
#   scripts/test-services.sh start   -> prints: export CITYSVC_TEST_...=...
#   scripts/test-services.sh stop
set -euo pipefail

RUN_DIR="${CITYSVC_TEST_RUN_DIR:-/tmp/citysvc-test}"
REDIS_PORT="${CITYSVC_TEST_REDIS_PORT:-6399}"
# below the kernel's ephemeral range (32768-60999): a client socket can never hold it
PG_PORT="${CITYSVC_TEST_PG_PORT:-25432}"
PG_DATA="$RUN_DIR/pgdata"

log() { echo "test-services: $*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then log "need $* but not root: install it and retry"; exit 1; fi
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || true
  apt-get install -y -qq "$@" >&2
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_pg() {  # PostgreSQL refuses to run as root: use the postgres user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then return; fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log" >&2
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  log "redis did not start"; exit 1
}

start_postgres() {
  [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin; bin="$(pg_bin)"
  if [ "$(id -u)" = 0 ]; then chown postgres "$RUN_DIR"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >"$RUN_DIR/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $RUN_DIR -c fsync=off -c max_connections=200" >&2
  fi
}

# The browser tests (the mini-program simulator, the staff console): Debian's chromium
# (Playwright never downloads a browser here) and a Chinese font, so screenshots show what a
# citizen or a clerk reads.
ensure_browser() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
}

stop_all() {
  local bin; bin="$(pg_bin)"
  [ -n "$bin" ] && [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast stop >&2 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start)
    mkdir -p "$RUN_DIR"; chmod 755 "$RUN_DIR"
    start_redis
    start_postgres
    ensure_browser
    echo "export CITYSVC_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "export CITYSVC_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
