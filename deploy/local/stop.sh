#!/usr/bin/env bash
# Stops the services started by start.sh, then the database (data is kept).
#   deploy/local/stop.sh            # everything
#   deploy/local/stop.sh --keep-db  # services only
set -euo pipefail
source "$(dirname "$0")/env.sh"
RUN_DIR="$STATE_DIR/run"
for pidfile in "$RUN_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  pid="$(cat "$pidfile")"; name="$(basename "$pidfile" .pid)"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped $name"
  fi
  rm -f "$pidfile"
done
[ "${1:-}" = "--keep-db" ] || bash "$LOCAL_DIR/db-stop.sh"
