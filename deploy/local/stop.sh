#!/usr/bin/env bash
# Stops what start.sh started, in reverse order: the feeders and the live feed, the routers, the
# gateway, the services, then the database (data is kept).
#   deploy/local/stop.sh            # everything
#   deploy/local/stop.sh --keep-db  # everything but the database
set -euo pipefail
source "$(dirname "$0")/env.sh"
RUN_DIR="$STATE_DIR/run"

stop_pid() {  # name [group]: TERM (the whole process group with 'group'), then KILL after 10 s
  local name="$1" pidfile="$RUN_DIR/$1.pid" pid target
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  target="$pid"; [ "${2:-}" = group ] && target="-$pid"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "$target" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { kill -KILL -- "$target" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
    log "stopped $name"
  fi
  rm -f "$pidfile"
}

# started with setsid: each is its own process group (the live feed's sleeps and routers.sh calls too)
for name in live-feed feeder-counters feeder-latency; do stop_pid "$name" group; done

if [ -s "$STATE_DIR/routers/r1.pid" ] || [ -s "$STATE_DIR/routers/p1.pid" ]; then
  bash "$LOCAL_DIR/routers/routers.sh" stop --state "$STATE_DIR/routers" || log "stopping the routers failed (state $STATE_DIR/routers)"
fi

PEERING_GATEWAY_STATE="${PEERING_GATEWAY_STATE:-$STATE_DIR/gateway}" bash "$REPO_DIR/deploy/gateway/gateway.sh" stop

for pidfile in "$RUN_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  stop_pid "$(basename "$pidfile" .pid)"
done
[ "${1:-}" = "--keep-db" ] || bash "$LOCAL_DIR/db-stop.sh"
