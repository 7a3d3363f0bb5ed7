#!/usr/bin/env bash
# The gRPC gateway: a private nginx instance (its own prefix, pid, logs and temp dirs; nothing under
# /etc/nginx or /var) that serves the four services on one HTTP/2 cleartext address.
#
#   deploy/gateway/gateway.sh start     # renders nginx.conf.template, checks it, starts nginx (reloads it
#                                       # when already running with another configuration)
#   deploy/gateway/gateway.sh stop      # graceful stop (open streams get 10 s), then TERM, then KILL
#   deploy/gateway/gateway.sh status    # running or not, where, and each service's readiness through it
#   deploy/gateway/gateway.sh render    # prints the configuration it would run
#
# Environment (defaults fit deploy/local):
#   PEERING_GATEWAY_HOST     listen address                      127.0.0.1
#   PEERING_GATEWAY_PORT     listen port                          8080
#   PEERING_GATEWAY_ROUTES   routes-service gRPC HOST:PORT        127.0.0.1:8081   (several, space-separated,
#   PEERING_GATEWAY_METRICS  metrics-service                      127.0.0.1:8082    are balanced round-robin)
#   PEERING_GATEWAY_LATENCY  latency-service                      127.0.0.1:8083
#   PEERING_GATEWAY_EVENTS   events-service                       127.0.0.1:8084
#   PEERING_GATEWAY_WEB_PORT the console's browser listener (HTTP/1.1)   8088
#   PEERING_GATEWAY_CONSOLE  the console HOST:PORT                127.0.0.1:8085
#   PEERING_GATEWAY_STATE    prefix: nginx.conf, nginx.pid, logs/ deploy/local/.state/gateway
#   PEERING_GATEWAY_STREAM_TIMEOUT  longest quiet gap in a stream 24h
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../local/env.sh"

HOST="${PEERING_GATEWAY_HOST:-127.0.0.1}"
PORT="${PEERING_GATEWAY_PORT:-8080}"
PREFIX="${PEERING_GATEWAY_STATE:-$STATE_DIR/gateway}"
NGINX="${PEERING_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
log() { printf '[gateway] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

servers() {  # "host:port host:port" -> nginx server lines
  local a out=""
  for a in $1; do
    [[ "$a" =~ ^[^[:space:]]+:[0-9]+$ ]] || die "bad upstream address '$a' (HOST:PORT)"
    out+="        server $a max_fails=0;"$'\n'
  done
  [ -n "$out" ] || die "an upstream list is empty"
  printf '%s' "${out%$'\n'}"
}

render() {
  local t user=""
  t="$(cat "$HERE/nginx.conf.template")"
  if [ "$(id -u)" = 0 ]; then
    # Started as root, nginx runs its workers as an unprivileged user. They need no file of the
    # prefix (logs are opened by the master; gRPC bodies are never buffered to disk), and nginx
    # chowns the temp dirs it creates to that user.
    if getent passwd www-data >/dev/null; then user="user www-data www-data;"; else user="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"; fi
  fi
  t="${t//@USER_DIRECTIVE@/$user}"
  t="${t//@PREFIX@/$PREFIX}"
  t="${t//@LISTEN@/$HOST:$PORT}"
  t="${t//@STREAM_TIMEOUT@/${PEERING_GATEWAY_STREAM_TIMEOUT:-24h}}"
  t="${t//@ROUTES_SERVERS@/$(servers "${PEERING_GATEWAY_ROUTES:-127.0.0.1:8081}")}"
  t="${t//@METRICS_SERVERS@/$(servers "${PEERING_GATEWAY_METRICS:-127.0.0.1:8082}")}"
  t="${t//@LATENCY_SERVERS@/$(servers "${PEERING_GATEWAY_LATENCY:-127.0.0.1:8083}")}"
  t="${t//@EVENTS_SERVERS@/$(servers "${PEERING_GATEWAY_EVENTS:-127.0.0.1:8084}")}"
  t="${t//@WEB_LISTEN@/$HOST:${PEERING_GATEWAY_WEB_PORT:-8088}}"
  t="${t//@CONSOLE_SERVER@/${PEERING_GATEWAY_CONSOLE:-127.0.0.1:8085}}"
  printf '%s\n' "$t"
}

pid() {  # the master's pid when it runs
  local p
  [ -s "$PREFIX/nginx.pid" ] || return 1
  p="$(cat "$PREFIX/nginx.pid")"
  [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = nginx ] || return 1
  echo "$p"
}

listen_addr() { sed -n 's/^ *listen \([^ ;]*\).*/\1/p' "$PREFIX/nginx.conf" 2>/dev/null | head -n1; }

nginx_run() { "$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" -e "$PREFIX/logs/error.log" "$@"; }

cmd_start() {
  [ -x "$NGINX" ] || die "nginx is not installed (deploy/local/install.sh installs it)"
  mkdir -p "$PREFIX/logs" "$PREFIX/tmp"
  chmod 755 "$PREFIX"
  render >"$PREFIX/nginx.conf.new"
  local running=""
  running="$(pid || true)"
  if [ -n "$running" ] && cmp -s "$PREFIX/nginx.conf" "$PREFIX/nginx.conf.new"; then
    rm -f "$PREFIX/nginx.conf.new"
    log "already running (pid $running) on $(listen_addr)"
    return 0
  fi
  mv "$PREFIX/nginx.conf" "$PREFIX/nginx.conf.old" 2>/dev/null || true
  mv "$PREFIX/nginx.conf.new" "$PREFIX/nginx.conf"
  if ! out="$(nginx_run -t -q 2>&1)"; then
    printf '%s\n' "$out" >&2
    [ -f "$PREFIX/nginx.conf.old" ] && mv "$PREFIX/nginx.conf.old" "$PREFIX/nginx.conf"
    die "the rendered configuration is invalid (see above)"
  fi
  if [ -n "$running" ]; then
    nginx_run -s reload
    log "configuration changed: reloaded (pid $running) on $HOST:$PORT"
    return 0
  fi
  if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    die "something else already listens on $HOST:$PORT; set PEERING_GATEWAY_PORT"
  fi
  nginx_run || { tail -n 20 "$PREFIX/logs/error.log" >&2; die "nginx did not start"; }
  local deadline=$((SECONDS + 10))
  until curl -fsS --http2-prior-knowledge -o /dev/null "http://$HOST:$PORT/healthz" 2>/dev/null; do
    ((SECONDS < deadline)) || { tail -n 20 "$PREFIX/logs/error.log" >&2; die "nginx started but /healthz does not answer"; }
    sleep 0.1
  done
  log "started (pid $(pid)) on $HOST:$PORT, logs in $PREFIX/logs"
}

cmd_stop() {
  local p i
  if ! p="$(pid)"; then log "not running"; rm -f "$PREFIX/nginx.pid"; return 0; fi
  kill -QUIT "$p" 2>/dev/null || true   # graceful: finishes calls, at most worker_shutdown_timeout (10 s)
  for i in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$PREFIX/nginx.pid"
  log "stopped (pid $p)"
}

cmd_status() {
  local p addr s
  if ! p="$(pid)"; then echo "gateway not running (prefix $PREFIX)"; return 3; fi
  addr="$(listen_addr)"
  echo "gateway running (pid $p) on $addr, prefix $PREFIX"
  for s in routes metrics latency events; do
    printf '  %-8s %s\n' "$s" "$(curl -sS --http2-prior-knowledge -o /dev/null -w '%{http_code}' "http://$addr/healthz/$s" 2>/dev/null || echo '-')"
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  render) render ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; [ -z "${1:-}" ] || exit 2 ;;
esac
