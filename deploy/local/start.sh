#!/usr/bin/env bash
# Starts everything locally, each part only when it is not running yet (a second run says what
# already runs):
#   1. the private PostgreSQL + TimescaleDB,
#   2. the four services (built first when their sources changed), each until /q/health/ready,
#   3. the gateway (nginx, deploy/gateway) on 127.0.0.1:8080 in front of them, and the console
#      (the pages, port 8085) behind the gateway's browser listener 127.0.0.1:8088,
#   4. real BGP routers on loopback (GoBGP R1 with peers P1, P2; deploy/local/routers) exporting BMP
#      to routes-service, with the peering-service prefixes and a few thousand customer routes,
#   5. live telemetry: live-feed.sh (withdrawals, re-announcements, origin changes, a session flap
#      every five minutes) and the Node feeders (deploy/local/feeders: interface counters and TCP
#      round-trip latency, streamed through the gateway).
#   deploy/local/start.sh        # then deploy/local/stop.sh
# Environment: PEERING_GATEWAY_PORT (8080), PEERING_STACK_ROUTES4 / PEERING_STACK_ROUTES6 (customer routes
# per peer, 2000 / 200), PEERING_STACK_LIVE=0 (no routers, live feed or feeders), PEERING_AUTH_ENABLED (true: bearer
# tokens from deploy/local/mint-token, written to deploy/local/.state/jwt/*.token),
# PEERING_SKIP_BUILD=1 (run the jars as built, even when sources are newer).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_DIR"
t_start=$SECONDS

SERVICES=(routes:8081 metrics:8082 latency:8083 events:8084)
RUN_DIR="$STATE_DIR/run"
GATEWAY_PORT="${PEERING_GATEWAY_PORT:-8080}"
GATEWAY="127.0.0.1:$GATEWAY_PORT"
export PEERING_ROUTERS_STATE="$STATE_DIR/routers"
ROUTERS="$LOCAL_DIR/routers/routers.sh"
LIVE="${PEERING_STACK_LIVE:-1}"
mkdir -p "$RUN_DIR"

running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

bash "$LOCAL_DIR/install.sh"
bash "$LOCAL_DIR/db-start.sh"

# Build when a service's jar is missing or older than anything it is built from.
stale=0
for svc in routes-service metrics-service latency-service events-service console; do
  jar="$svc/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$svc/src" "$svc/pom.xml" proto/src service-support/src pom.xml -newer "$jar" -type f -print -quit)" ]; then
    stale=1
  fi
done
if ((stale)) && [ "${PEERING_SKIP_BUILD:-0}" = 1 ]; then
  log "service sources changed since the jars were built; using the jars as they are (PEERING_SKIP_BUILD=1)"
elif ((stale)); then
  log "building the services (tests skipped; deploy/local/test.sh runs them)"
  ./mvnw -B -q -ntp install -DskipTests -pl routes-service,metrics-service,latency-service,events-service,console -am
fi

# ---- the four services ----
# Bearer tokens (roles reader, collector, operator): a dev key pair made here on first use, never
# committed; tokens valid 30 days, in files a user can export as PEERING_TOKEN for the Node client.
AUTH="${PEERING_AUTH_ENABLED:-true}"
JWT_DIR="$STATE_DIR/jwt"
mint() { bash "$LOCAL_DIR/mint-token" --ttl 2592000 "$@"; }
if [ ! -s "$JWT_DIR/service.token" ] || [ -n "$(find "$JWT_DIR/service.token" -mtime +20 2>/dev/null)" ]; then
  bash "$LOCAL_DIR/mint-token" --public-key >/dev/null   # makes the key pair on first use
  mint --role operator --subject local-services >"$JWT_DIR/service.token"
  mint --role operator --subject local-operator >"$JWT_DIR/operator.token"
  mint --role collector --subject local-feeders >"$JWT_DIR/collector.token"
  mint --role reader --asn 64500 --subject contoso-noc >"$JWT_DIR/reader-as64500.token"
  mint --role reader --asn 4200000002 --subject fabrikam-noc >"$JWT_DIR/reader-as4200000002.token"
  log "minted local tokens in $JWT_DIR (operator, collector, reader-as64500, reader-as4200000002; 30 days)"
fi

INVENTORY="${PEERING_INVENTORY:-$REPO_DIR/deploy/inventory/sample-inventory.yaml}"
for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}"; port="${entry##*:}"; svc="$name-service"
  # latency-service also reads the local stack's connectivity probe (latency-probes.properties)
  extra=(); [ "$name" = latency ] && extra=(-Dquarkus.config.locations="$INVENTORY,$LOCAL_DIR/latency-probes.properties")
  if running "$svc"; then
    log "$svc already running (pid $(cat "$RUN_DIR/$svc.pid"))"
    continue
  fi
  log "starting $svc on port $port (log: $RUN_DIR/$svc.log)"
  (cd "$svc" && export PEERING_INVENTORY="$INVENTORY" \
     PEERING_DB_HOST="$PGHOST" PEERING_DB_PORT="$PGPORT" QUARKUS_HTTP_PORT="$port" \
     PEERING_AUTH_ENABLED="$AUTH" PEERING_REGISTERED_PREFIXES_DOCUMENTATION_PREFIXES="${PEERING_REGISTERED_PREFIXES_DOCUMENTATION_PREFIXES:-allowed}" PEERING_AUTH_PUBLIC_KEY="$JWT_DIR/public-key.pem" \
     PEERING_ROUTES_TOKEN="$(cat "$JWT_DIR/service.token")" \
   && exec java ${PEERING_JAVA_OPTS:--Xmx512m} "${extra[@]}" -jar target/quarkus-app/quarkus-run.jar) \
    >"$RUN_DIR/$svc.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$svc.pid"
done

deadline=$((SECONDS + ${PEERING_START_TIMEOUT:-90}))
for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}"; port="${entry##*:}"; svc="$name-service"
  until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    if ! running "$svc"; then
      tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc exited; its log is above"
    fi
    ((SECONDS < deadline)) || { tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc not ready in time"; }
    sleep 0.5
  done
  log "$svc ready: http://127.0.0.1:$port/q/health/ready (gRPC on the same port)"
done

# ---- the gateway ----
PEERING_GATEWAY_PORT="$GATEWAY_PORT" PEERING_GATEWAY_ROUTES=127.0.0.1:8081 PEERING_GATEWAY_METRICS=127.0.0.1:8082 \
  PEERING_GATEWAY_LATENCY=127.0.0.1:8083 PEERING_GATEWAY_EVENTS=127.0.0.1:8084 \
  PEERING_GATEWAY_WEB_PORT="${PEERING_GATEWAY_WEB_PORT:-8088}" PEERING_GATEWAY_CONSOLE=127.0.0.1:8085 \
  bash "$REPO_DIR/deploy/gateway/gateway.sh" start

# ---- the console: the pages, a gRPC client of the four services through the gateway ----
CONSOLE_URL="http://127.0.0.1:${PEERING_GATEWAY_WEB_PORT:-8088}"
if running console; then
  log "console already running (pid $(cat "$RUN_DIR/console.pid"))"
else
  log "starting the console on port 8085 (log: $RUN_DIR/console.log)"
  (cd console && export QUARKUS_HTTP_PORT=8085 PEERING_CONSOLE_UPSTREAM_HOST=127.0.0.1 PEERING_CONSOLE_UPSTREAM_PORT="$GATEWAY_PORT" \
   && exec java ${PEERING_JAVA_OPTS:--Xmx256m} -jar target/quarkus-app/quarkus-run.jar) >"$RUN_DIR/console.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/console.pid"
  deadline=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:8085/q/health/ready" >/dev/null 2>&1; do
    running console || { tail -n 40 "$RUN_DIR/console.log" >&2; die "the console exited; its log is above"; }
    ((SECONDS < deadline)) || { tail -n 40 "$RUN_DIR/console.log" >&2; die "the console is not ready in time"; }
    sleep 0.5
  done
fi

# ---- routers, live feed, feeders ----
routers_up() { [ -s "$PEERING_ROUTERS_STATE/r1.pid" ] && [ "$(cat "/proc/$(cat "$PEERING_ROUTERS_STATE/r1.pid")/comm" 2>/dev/null)" = gobgpd ]; }
routers_note=""
if [ "$LIVE" = 0 ]; then
  routers_note="routers, live feed and feeders not started (PEERING_STACK_LIVE=0)"
elif routers_up; then
  log "routers already running (state $PEERING_ROUTERS_STATE)"
elif ! out="$(bash "$ROUTERS" start --bmp 127.0.0.1:11019 --state "$PEERING_ROUTERS_STATE" 2>&1)"; then
  printf '%s\n' "$out" >&2
  routers_note="routers NOT started (see above: one instance per machine; 'routers.sh status' shows who runs one)"
  log "$routers_note"
else
  log "routers up: R1 (GoBGP AS 65000) with P1 127.0.0.11 and P2 127.0.0.12 (AS 64500), BMP to 127.0.0.1:11019"
  # The peering service contoso-web: primary ams-1 (P1), backup ams-2 (P2, prepended).
  for prefix in 198.51.100.0/24 2001:db8:100::/48; do
    bash "$ROUTERS" announce p1 "$prefix"
    bash "$ROUTERS" announce p2 "$prefix" --as-path "64500 64500"
  done
  # Customer routes of contoso's customer AS 4200000001 (a registered ASN): 16.0.0.0/24 up, 2a10::/48 up.
  bash "$ROUTERS" bulk p1 "${PEERING_STACK_ROUTES4:-2000}" "${PEERING_STACK_ROUTES6:-200}" --as-path 4200000001
  bash "$ROUTERS" bulk p2 "${PEERING_STACK_ROUTES4:-2000}" "${PEERING_STACK_ROUTES6:-200}" --as-path "64500 4200000001"
  log "announced 198.51.100.0/24 and 2001:db8:100::/48 from P1 and P2, and $(( ${PEERING_STACK_ROUTES4:-2000} + ${PEERING_STACK_ROUTES6:-200} )) customer routes from each"
fi

start_bg() {  # name log command...: a background process in its own process group, pid in RUN_DIR
  local name="$1" logfile="$2"; shift 2
  if running "$name"; then log "$name already running (pid $(cat "$RUN_DIR/$name.pid"))"; return; fi
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  log "started $name (log: $logfile)"
}

if [ "$LIVE" != 0 ]; then
  if routers_up; then
    start_bg live-feed "$RUN_DIR/live-feed.log" bash "$LOCAL_DIR/live-feed.sh"
  fi
  if command -v node >/dev/null && command -v npm >/dev/null; then
    client_dir="$REPO_DIR/deploy/client"
    if [ ! -f "$client_dir/node_modules/.package-lock.json" ] || [ "$client_dir/package-lock.json" -nt "$client_dir/node_modules/.package-lock.json" ]; then
      log "installing the Node client's dependencies (deploy/client, npm ci)"
      (cd "$client_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    export PEERING_GATEWAY_ADDR="$GATEWAY"
    PEERING_TOKEN="$(cat "$JWT_DIR/collector.token")"
    export PEERING_TOKEN
    start_bg feeder-counters "$RUN_DIR/feeder-counters.log" node "$LOCAL_DIR/feeders/counters.mjs"
    start_bg feeder-latency "$RUN_DIR/feeder-latency.log" node "$LOCAL_DIR/feeders/latency.mjs"
  else
    log "node/npm not found: the feeders (counters, latency) are not started (apt-get install nodejs npm)"
  fi
fi

# A subscriber whose stored cursor is older than what routes-service still keeps waits for an
# operator (see the services' READMEs); say so here rather than leave the events empty.
for svc in metrics-service events-service; do
  if tail -n 20 "$RUN_DIR/$svc.log" 2>/dev/null | grep -q "older than the retained history"; then
    log "WARNING: $svc cannot follow routes-service: its stored cursor is older than the retained history (see $RUN_DIR/$svc.log)"
  fi
done

C="node deploy/client/call.mjs $GATEWAY"
cat <<MSG

Up in $((SECONDS - t_start)) s.
The console: open $CONSOLE_URL in a browser and sign in with a token file of $JWT_DIR
  (reader-as64500.token sees contoso-ams; operator.token sees everything).
One gRPC address for all four services: the gateway, $GATEWAY (HTTP/2 cleartext).
  routes-service 127.0.0.1:8081 (BMP 11019) · metrics-service :8082 · latency-service :8083 · events-service :8084
  database $PGHOST:$PGPORT/$DB_NAME · logs $RUN_DIR · gateway logs $STATE_DIR/gateway/logs
  ${routers_note:-routers: deploy/local/routers/routers.sh status   (live activity: $RUN_DIR/live-feed.log)}
Counters and latency samples arrive every 10 s (rates need two samples); events and session flaps come
from live-feed.sh every minute. Every call needs a bearer token (roles reader, collector, operator;
mint more with deploy/local/mint-token). Try (through the gateway, as the reader of AS64500, contoso-ams):
  export PEERING_TOKEN=\$(cat $JWT_DIR/reader-as64500.token)
  C="$C"
  \$C RoutesService/ListSessions '{"parent":"peerings/-"}'
  \$C RoutesService/ListReceivedRoutes '{"parent":"peerings/contoso-ams","prefix":"198.51.100.0/24"}'
  \$C RoutesService/WatchRouteChanges '{"parent":"peerings/contoso-ams"}' --timeout 120
  \$C MetricsService/QueryConnectionMetrics '{"resource":"peerings/contoso-ams/connections/ams-2","metrics":["IngressTrafficRate","SessionAvailabilityV4","FlapCounts"],"time_grain":"TIME_GRAIN_PT1M","time_range":{"start_time":"now-15m","end_time":"now"}}'
  \$C MetricsService/QueryPeeringServiceAvailability '{"peering_service":"peeringServices/contoso-web","time_grain":"TIME_GRAIN_PT5M","time_range":{"start_time":"now-1h","end_time":"now"}}'
  \$C LatencyService/QueryRegisteredPrefixLatency '{"parent":"peerings/contoso-ams","time_grain":"TIME_GRAIN_PT1M","time_range":{"start_time":"now-15m","end_time":"now"}}'
  \$C LatencyService/QueryRegisteredAsnLatency '{"name":"peerings/contoso-ams/registeredAsns/contoso-customer","time_grain":"TIME_GRAIN_PT5M","time_range":{"start_time":"now-1h","end_time":"now"}}'
  \$C EventsService/ListPrefixEvents '{"parent":"peeringServices/contoso-web","time_range":{"start_time":"now-1h","end_time":"now"}}'
  \$C EventsService/WatchPrefixEvents '{"parent":"peeringServices/contoso-web"}' --timeout 300
  PEERING_TOKEN=\$(cat $JWT_DIR/reader-as4200000002.token) \$C RoutesService/ListReceivedRoutes '{"parent":"peerings/contoso-ams"}'   # PERMISSION_DENIED
  curl --http2-prior-knowledge http://$GATEWAY/healthz/metrics     # each service's readiness, through the gateway
Stop: deploy/local/stop.sh   (--keep-db keeps the database running)
MSG
