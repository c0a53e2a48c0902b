# Private PostgreSQL and Redis instances for tests and benchmarks; sourced by scripts/test.sh and bench/load.sh.
# Exports IDRES_TEST_POSTGRES (an Npgsql connection string), IDRES_TEST_REDIS (host:port) and the
# paths tests need to stop and restart the services (IDRES_PG_BIN, IDRES_PG_DATA, IDRES_REDIS_CONF), and a streaming
# standby of the PostgreSQL primary (IDRES_TEST_POSTGRES_STANDBY, IDRES_PG_STANDBY_DATA).

services_install() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # The load-balancer tests run Debian's HAProxy with deploy/haproxy/haproxy.cfg.
  [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from Debian's packages"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' user the package created.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_start() {
  IDRES_PG_BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  IDRES_SERVICES_DIR=$(mktemp -d /tmp/idres-services.XXXXXX)
  chmod 755 "$IDRES_SERVICES_DIR"
  IDRES_PG_DATA="$IDRES_SERVICES_DIR/pg"
  IDRES_PG_PORT=$(free_port)
  IDRES_REDIS_PORT=$(free_port)
  mkdir -p "$IDRES_PG_DATA"
  [ "$(id -u)" -ne 0 ] || chown postgres "$IDRES_PG_DATA" "$IDRES_SERVICES_DIR"

  as_pg_user "$IDRES_PG_BIN/initdb" -D "$IDRES_PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$IDRES_PG_DATA/postgresql.conf" <<CONF
port = $IDRES_PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$IDRES_SERVICES_DIR'
max_connections = 300
# The default suits the tests; bench/load.sh --large sizes it for ten million identifiers.
shared_buffers = ${IDRES_PG_SHARED_BUFFERS:-128MB}
# A throw-away instance: skip flushing to disk (a process kill still loses nothing committed).
fsync = off
full_page_writes = off
CONF
  as_pg_user "$IDRES_PG_BIN/pg_ctl" -D "$IDRES_PG_DATA" -l "$IDRES_SERVICES_DIR/pg.log" -w start >/dev/null

  # A streaming standby of it, for the read-replica tests: a base backup that follows the primary's WAL.
  IDRES_PG_STANDBY_DATA="$IDRES_SERVICES_DIR/pg-standby"
  IDRES_PG_STANDBY_PORT=$(free_port)
  # Its replication slot keeps the WAL it has not received, so a test may stop it for a while and it catches up.
  as_pg_user "$IDRES_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -D "$IDRES_PG_STANDBY_DATA" -R -X stream -C -S idres_standby >/dev/null
  cat >> "$IDRES_PG_STANDBY_DATA/postgresql.conf" <<CONF
port = $IDRES_PG_STANDBY_PORT
hot_standby_feedback = on
CONF
  as_pg_user "$IDRES_PG_BIN/pg_ctl" -D "$IDRES_PG_STANDBY_DATA" -l "$IDRES_SERVICES_DIR/pg-standby.log" -w start >/dev/null

  IDRES_REDIS_CONF="$IDRES_SERVICES_DIR/redis.conf"
  cat > "$IDRES_REDIS_CONF" <<CONF
port $IDRES_REDIS_PORT
bind 127.0.0.1
save ""
appendonly no
dir $IDRES_SERVICES_DIR
pidfile $IDRES_SERVICES_DIR/redis.pid
logfile $IDRES_SERVICES_DIR/redis.log
daemonize yes
CONF
  redis-server "$IDRES_REDIS_CONF"
  local deadline=$((SECONDS + 20))
  until redis-cli -p "$IDRES_REDIS_PORT" ping >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "Redis did not start"; cat "$IDRES_SERVICES_DIR/redis.log"; return 1; }
    sleep 0.1
  done

  export IDRES_SERVICES_DIR IDRES_PG_BIN IDRES_PG_DATA IDRES_PG_PORT IDRES_REDIS_PORT IDRES_REDIS_CONF IDRES_PG_STANDBY_DATA IDRES_PG_STANDBY_PORT
  export IDRES_TEST_POSTGRES="Host=127.0.0.1;Port=$IDRES_PG_PORT;Username=postgres;Database=postgres"
  export IDRES_TEST_POSTGRES_STANDBY="Host=127.0.0.1;Port=$IDRES_PG_STANDBY_PORT;Username=postgres;Database=postgres"
  export IDRES_TEST_REDIS="127.0.0.1:$IDRES_REDIS_PORT"
}

services_stop() {
  local status=$?
  [ -n "${IDRES_SERVICES_DIR:-}" ] || return $status
  as_pg_user "$IDRES_PG_BIN/pg_ctl" -D "$IDRES_PG_STANDBY_DATA" -m immediate stop >/dev/null 2>&1 || true
  as_pg_user "$IDRES_PG_BIN/pg_ctl" -D "$IDRES_PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$IDRES_SERVICES_DIR/redis.pid" ]; then kill "$(cat "$IDRES_SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
  redis-cli -p "$IDRES_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$IDRES_SERVICES_DIR"
  return $status
}
