#!/usr/bin/env bash
# A streaming replica of the private cluster, for reads past one database (peering.db.read.url).
#   start: makes it afresh (pg_basebackup -R of the running cluster, WAL streamed) and starts it on
#          $PEERING_REPLICA_PORT (default: the cluster's port + 2); prints its URL on stdout.
#   stop:  stops it and removes its files (db-stop.sh does this too).
# Its files are beside the cluster's ($PGDATA-replica); it is a hot standby, read-only.
set -euo pipefail
source "$(dirname "$0")/env.sh"
REPLICA_PORT="${PEERING_REPLICA_PORT:-$((PGPORT + 2))}"
REPLICA_DATA="$PGDATA-replica"

stop_replica() {
  if [ -s "$REPLICA_DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1; then
    as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" -m fast -w -t 60 stop >/dev/null
  fi
  rm -rf "$REPLICA_DATA"
}

case "${1:-}" in
  start)
    psql -X -q -U "$PG_SUPERUSER" -d postgres -tAc "SELECT 1" >/dev/null 2>&1 \
      || die "the cluster on $PGHOST:$PGPORT does not answer: start it with deploy/local/db-start.sh"
    stop_replica
    mkdir -p "$REPLICA_DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$REPLICA_DATA"
    chmod 700 "$REPLICA_DATA"
    log "copying the cluster on $PGHOST:$PGPORT ($(psql -X -U "$PG_SUPERUSER" -d postgres -tAc \
      "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")) into $REPLICA_DATA"
    as_owner "$PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PG_SUPERUSER" -D "$REPLICA_DATA" \
      --write-recovery-conf --wal-method=stream --checkpoint=fast
    rm -f "$REPLICA_DATA/peering-clone" "$REPLICA_DATA/server.log" # not a cluster of a clone: db-start.sh never stops it as one
    as_owner tee -a "$REPLICA_DATA/postgresql.conf" >/dev/null <<CONF
# a hot standby of $PGHOST:$PGPORT (db-replica.sh)
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_DATA'
hot_standby = on
hot_standby_feedback = on
CONF
    as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_DATA/server.log" -o "-p $REPLICA_PORT" -w -t 120 start >/dev/null \
      || { tail -n 30 "$REPLICA_DATA/server.log" >&2; die "the replica did not start"; }
    log "replica of $PGHOST:$PGPORT streaming on $PGHOST:$REPLICA_PORT"
    echo "postgresql://$PGHOST:$REPLICA_PORT"
    ;;
  stop)
    stop_replica
    log "replica stopped and its files removed"
    ;;
  *) die "usage: $0 start|stop" ;;
esac
