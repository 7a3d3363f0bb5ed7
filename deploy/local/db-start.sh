#!/usr/bin/env bash
# Starts the private PostgreSQL 15 + TimescaleDB cluster (port $PGPORT), creating it on first run,
# and creates the database and role the services use. Idempotent and fast when the cluster already
# runs. Its files: as root, outside the clone in /var/lib/postgresql/peering-local/<clone>-<hash>
# (the cluster runs as 'postgres', which may not be able to enter the clone); otherwise, or for a
# cluster an earlier version made there, deploy/local/.state/pgdata. env.sh decides; this prints it.
set -euo pipefail
source "$(dirname "$0")/env.sh"

[ -x "$PG_BIN/initdb" ] || die "PostgreSQL $PG_VERSION is not installed: run deploy/local/install.sh"

# PostgreSQL refuses to run as root: when we are root, the cluster belongs to 'postgres' (as_owner,
# env.sh), which must be able to enter every folder above its data directory.
unreachable() {
  [ "$(id -u)" = 0 ] && ! as_owner test -w "$PGDATA" -a -x "$PGDATA" \
    && die "the 'postgres' user cannot reach the cluster's files in $PGDATA: a folder above it is closed to it (such as a home directory of mode 700). $(
      if [ -n "${PEERING_PGDATA:-}" ]; then echo "Unset PEERING_PGDATA for a cluster in $PGDATA_OUTSIDE, which it can reach."
      else echo "To keep this cluster, while it is stopped: mkdir -p $PG_CLUSTERS_DIR && chown postgres: $PG_CLUSTERS_DIR && mv $PGDATA $PGDATA_OUTSIDE, then set unix_socket_directories = '$PGDATA_OUTSIDE' in its postgresql.conf; to start afresh there instead, move $PGDATA away."; fi)"
  return 0
}

mkdir -p "$STATE_DIR"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  log "creating cluster in $PGDATA"
  if [ "$(id -u)" = 0 ] && [ "$PGDATA" = "$PGDATA_OUTSIDE" ] && [ ! -d "$PG_CLUSTERS_DIR" ]; then
    mkdir -p "$PG_CLUSTERS_DIR"
    chown postgres:postgres "$PG_CLUSTERS_DIR"
    chmod 755 "$PG_CLUSTERS_DIR"
  fi
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  unreachable
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
  # Whose cluster this is (the clone, then its state directory): its files may outlive the clone.
  printf '%s\n' "$REPO_DIR" "$STATE_DIR" >"$PGDATA/peering-clone"
fi

# A cluster of ours (under PG_CLUSTERS_DIR) that listens on PGPORT, other than this clone's: its data directory.
cluster_on_port() {
  local d
  for d in "$PG_CLUSTERS_DIR"/*; do
    [ "$d" != "$PGDATA" ] && [ -s "$d/peering-clone" ] && [ -s "$d/postmaster.pid" ] || continue
    [ "$(sed -n 4p "$d/postmaster.pid")" = "$PGPORT" ] || continue
    as_owner "$PG_BIN/pg_ctl" -D "$d" status >/dev/null 2>&1 && { echo "$d"; return 0; }
  done
  return 1
}

if as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "cluster already running on $PGHOST:$PGPORT"
else
  unreachable
  if (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; then
    other="$(cluster_on_port || true)"
    [ -n "$other" ] || die "another server already listens on $PGHOST:$PGPORT (not the cluster in $PGDATA); stop it, or use another port with PEERING_PGPORT"
    owner="$(head -n 1 "$other/peering-clone")"
    [ ! -e "$owner/deploy/local/db-start.sh" ] \
      || die "the cluster of the clone in $owner already listens on $PGHOST:$PGPORT (files: $other); stop it with $owner/deploy/local/db-stop.sh, or use another port with PEERING_PGPORT"
    # Its clone was removed or moved, and its files, outside the clone, outlived it: nothing can stop it any more but us.
    log "the cluster of a clone that is gone ($owner) still listens on $PGHOST:$PGPORT: stopping it (its files stay in $other)"
    as_owner "$PG_BIN/pg_ctl" -D "$other" -m fast -w -t 60 stop >/dev/null
  fi
  log "starting cluster on $PGHOST:$PGPORT"
  # -p: the port asked for now, even when the cluster was created with another (PEERING_PGPORT changed since).
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -o "-p $PGPORT" -w -t 60 start >/dev/null \
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
log "database '$DB_NAME' ready: postgresql://$DB_USER@$PGHOST:$PGPORT/$DB_NAME ($(psql_admin "$DB_NAME" -tAc "SELECT 'timescaledb ' || extversion FROM pg_extension WHERE extname = 'timescaledb'"); files in $PGDATA)"
