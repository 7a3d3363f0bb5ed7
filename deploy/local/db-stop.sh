#!/usr/bin/env bash
# Stops the private cluster started by db-start.sh (data is kept), and removes a replica db-replica.sh made.
# Harmless when it is not running.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -d "$PGDATA-replica" ]; then
  "$(dirname "$0")/db-replica.sh" stop
fi
if [ -s "$PGDATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  log "cluster stopped (files kept in $PGDATA)"
else
  log "cluster not running ($PGDATA)"
fi
