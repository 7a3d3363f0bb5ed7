#!/usr/bin/env bash
# Starts the private PostgreSQL 15 + TimescaleDB cluster (port $PGPORT, data under
# deploy/local/.state), creating it on first run, and creates the database and role the
# services use. Idempotent and fast when the cluster already runs.
set -euo pipefail
source "$(dirname "$0")/env.sh"

[ -x "$PG_BIN/initdb" ] || die "PostgreSQL $PG_VERSION is not installed: run deploy/local/install.sh"

# PostgreSQL refuses to run as root: when we are root, the cluster belongs to 'postgres'.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$STATE_DIR"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  log "creating cluster in $PGDATA"
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA" "$STATE_DIR"
  chmod 700 "$PGDATA"
  as_owner "$PG_BIN/initdb" -D "$PGDATA" -U "$PG_SUPERUSER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$PGDATA/postgresql.conf" <<CONF
# --- peering telemetry platform (deploy/local) ---
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGDATA'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
max_connections = 200
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = on
timescaledb.max_background_workers = 4
log_min_messages = warning
CONF
fi

if as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "cluster already running on $PGHOST:$PGPORT"
else
  if (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; then
    die "another server already listens on $PGHOST:$PGPORT (not the cluster in $PGDATA); stop it, or use another port with PEERING_PGPORT"
  fi
  log "starting cluster on $PGHOST:$PGPORT"
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null \
    || { tail -n 30 "$PGDATA/server.log" >&2; die "PostgreSQL did not start"; }
fi

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -U "$PG_SUPERUSER" -d "${1:-postgres}" "${@:2}"; }
if ! psql_admin postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1; then
  psql_admin postgres -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
fi
# The stack's database, and the tests' own (so a test run never touches the stack's data).
for db in "$DB_NAME" "${DB_NAME}_test"; do
  if ! psql_admin postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql_admin postgres -c "CREATE DATABASE $db OWNER $DB_USER"
  fi
  # The extension is created once by the superuser; each service's Flyway migration owns its schema.
  psql_admin "$db" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" 2>&1 | grep -v 'already exists' || true
done
log "database '$DB_NAME' ready: postgresql://$DB_USER@$PGHOST:$PGPORT/$DB_NAME ($(psql_admin "$DB_NAME" -tAc "SELECT 'timescaledb ' || extversion FROM pg_extension WHERE extname = 'timescaledb'"))"
