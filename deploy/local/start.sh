#!/usr/bin/env bash
# Starts everything locally: the private PostgreSQL + TimescaleDB, then the four services
# (built first when their sources changed), and waits until each answers /q/health/ready.
#   deploy/local/start.sh        # then deploy/local/stop.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_DIR"

SERVICES=(routes:8081 metrics:8082 latency:8083 events:8084)
RUN_DIR="$STATE_DIR/run"
mkdir -p "$RUN_DIR"

bash "$LOCAL_DIR/install.sh"
bash "$LOCAL_DIR/db-start.sh"

# Build when a service's jar is missing or older than anything it is built from.
stale=0
for entry in "${SERVICES[@]}"; do
  svc="${entry%%:*}-service"; jar="$svc/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$svc/src" "$svc/pom.xml" proto/src service-support/src pom.xml -newer "$jar" -type f -print -quit)" ]; then
    stale=1
  fi
done
if ((stale)); then
  log "building the services (tests skipped; deploy/local/test.sh runs them)"
  ./mvnw -B -q -ntp install -DskipTests
fi

for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}"; port="${entry##*:}"; svc="$name-service"
  pidfile="$RUN_DIR/$svc.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    log "$svc already running (pid $(cat "$pidfile"))"
    continue
  fi
  log "starting $svc on port $port (log: $RUN_DIR/$svc.log)"
  (cd "$svc" && export PEERING_INVENTORY="${PEERING_INVENTORY:-$REPO_DIR/deploy/inventory/sample-inventory.yaml}" \
     PEERING_DB_HOST="$PGHOST" PEERING_DB_PORT="$PGPORT" QUARKUS_HTTP_PORT="$port" \
   && exec java ${PEERING_JAVA_OPTS:--Xmx512m} -jar target/quarkus-app/quarkus-run.jar) \
    >"$RUN_DIR/$svc.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
done

deadline=$((SECONDS + ${PEERING_START_TIMEOUT:-90}))
for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}"; port="${entry##*:}"; svc="$name-service"
  until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$RUN_DIR/$svc.pid")" 2>/dev/null; then
      tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc exited; its log is above"
    fi
    ((SECONDS < deadline)) || { tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc not ready in time"; }
    sleep 0.5
  done
  log "$svc ready: http://127.0.0.1:$port/q/health/ready (gRPC on the same port)"
done

cat <<MSG

All four services are up on the local TimescaleDB ($PGHOST:$PGPORT, database $DB_NAME).
  routes-service   127.0.0.1:8081   (BMP collector port 11019)
  metrics-service  127.0.0.1:8082
  latency-service  127.0.0.1:8083
  events-service   127.0.0.1:8084
Try:  (cd deploy/client && npm install --no-audit --no-fund)     # once
      node deploy/client/call.mjs 127.0.0.1:8081 RoutesService/ListSessions '{"parent":"peerings/-"}'
      node deploy/client/call.mjs 127.0.0.1:8082 MetricsService/ListMetricDefinitions
      curl -s http://127.0.0.1:8082/q/health/ready
Stop: deploy/local/stop.sh
MSG
