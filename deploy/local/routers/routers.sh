#!/usr/bin/env bash
# Real BGP routers on loopback that export BMP (RFC 7854) to a collector, for tests and the local stack.
#
#   routers.sh start --bmp HOST:PORT [--state DIR] [--frr]   R1 (GoBGP) + peers P1, P2; --frr adds R2 (FRR) + P3
#   routers.sh stop                                          stops everything, removes the fd00:64:500:: addresses it added
#   routers.sh status                                        sessions of R1 (and R2)
#   routers.sh announce PEER PREFIX [--as-path "64501 64502"] [--origin-as N] [--origin igp|egp|incomplete]
#                       [--community 64500:100 ...] [--large-community 64500:1:2 ...] [--med N] [--local-pref N]
#   routers.sh withdraw PEER PREFIX
#   routers.sh clear PEER                                    withdraws everything PEER announces
#   routers.sh bulk PEER COUNT4 [COUNT6] [--as-path "64501"] [--reset] [--no-wait]
#                                                            IPv4 /24s from 16.0.0.0, IPv6 /48s from 2a10::, via an MRT
#                                                            file; --reset: inject with the session down (faster)
#   routers.sh session-down PEER | session-up PEER           disable / enable the session on the BMP-exporting router
#   routers.sh rib PEER-ADDRESS [--family ipv4|ipv6]         the router's Adj-RIB-In (pre-policy) for that neighbor, JSON
#
# PEER is p1, p2, p3 or one of their addresses (127.0.0.11, fd00:64:500::11, ...). An address picks that
# one session for session-down/up; a name picks all the peer's sessions.
# One instance per machine (fixed addresses); subcommands other than start use the state dir of the last
# start unless given --state DIR. Environment: PEERING_ROUTERS_STATE (state dir, default /tmp/peering-routers), PEERING_ROUTERS_TIMEOUT
# (seconds to wait for Established, default 60), PEERING_ROUTERS_IPV6=sessions|mp (default: sessions when
# fd00:64:500::/64 addresses can be added to lo, else IPv6 NLRI over the IPv4 sessions),
# PEERING_ROUTERS_R1_IMPORT=accept|reject (R1's default import policy; reject = no Loc-RIB, faster bulk).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${PEERING_ROUTERS_STATE:-/tmp/peering-routers}"
TIMEOUT="${PEERING_ROUTERS_TIMEOUT:-60}"
POINTER="${TMPDIR:-/tmp}/peering-routers.last-state"   # the state dir of the last start, for the other subcommands
BGP_PORT=179
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# name        v4           v6                 AS          API (gobgp -u/-p)     router
R1_V4=127.0.0.2;  R1_V6=fd00:64:500::2;  R1_AS=65000;      R1_API_HOST=127.0.0.2;  R1_API_PORT=50051
R2_V4=127.0.0.3;  R2_V6=fd00:64:500::3;  R2_AS=65001
declare -A PEER_V4=([p1]=127.0.0.11 [p2]=127.0.0.12 [p3]=127.0.0.21)
declare -A PEER_V6=([p1]=fd00:64:500::11 [p2]=fd00:64:500::12 [p3]=fd00:64:500::21)
declare -A PEER_AS=([p1]=64500 [p2]=64500 [p3]=4200000002)
declare -A PEER_API_PORT=([p1]=50061 [p2]=50062 [p3]=50071)
declare -A PEER_ROUTER=([p1]=r1 [p2]=r1 [p3]=r2)

log() { printf '[routers] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------- helpers ----------

pid_alive() {  # pidfile expected-comm
  local f="$1" comm="$2" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  # a zombie is not running
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]
}

ipv6_mode() { cat "$STATE/ipv6-mode" 2>/dev/null || echo sessions; }

gobgp_r1() { gobgp -u "$R1_API_HOST" -p "$R1_API_PORT" "$@"; }
gobgp_peer() { local p="$1"; shift; gobgp -u "${PEER_V4[$p]}" -p "${PEER_API_PORT[$p]}" "$@"; }
vtysh_r2() { vtysh --vty_socket "$STATE/r2" -d bgpd "$@"; }

resolve_peer() {  # name or address -> peer name
  local a="${1,,}" p
  for p in p1 p2 p3; do
    if [ "$a" = "$p" ] || [ "$a" = "${PEER_V4[$p]}" ] || [ "$a" = "${PEER_V6[$p]}" ]; then echo "$p"; return; fi
  done
  die "unknown peer '$1' (p1, p2, p3 or one of their addresses)"
}

peer_sessions() {  # peer [address] -> neighbor addresses on the router, one per line
  local p="$1" a="${2:-}"
  if [ -n "$a" ] && [ "${a,,}" != "$p" ]; then echo "$a"; return; fi
  echo "${PEER_V4[$p]}"
  [ "$(ipv6_mode)" = sessions ] && echo "${PEER_V6[$p]}"
  return 0
}

since() { awk -v a="$1" -v b="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", b - a }'; }

family_of() { case "$1" in *:*) echo ipv6 ;; *) echo ipv4 ;; esac; }

is_loopback() {
  case "$1" in 127.*|::1|localhost|\[::1\]) return 0 ;; *) return 1 ;; esac
}

# ---------- loopback IPv6 ----------

setup_ipv6() {
  local want="${PEERING_ROUTERS_IPV6:-}" a ok=1
  if [ -f "$STATE/ipv6-mode" ] && [ -z "$want" ]; then return; fi
  if [ "$want" = mp ]; then echo mp >"$STATE/ipv6-mode"; log "IPv6: NLRI over the IPv4 sessions (forced)"; return; fi
  for a in "$R1_V6" "$R2_V6" "${PEER_V6[p1]}" "${PEER_V6[p2]}" "${PEER_V6[p3]}"; do
    if ip -6 addr show dev lo | grep -q " ${a}/128 "; then continue; fi
    if ip -6 addr add "$a/128" dev lo nodad 2>/dev/null; then
      echo "$a" >>"$STATE/ipv6-added"
    else
      ok=0; break
    fi
  done
  if ((ok)); then
    echo sessions >"$STATE/ipv6-mode"
  else
    [ "$want" = sessions ] && die "cannot add IPv6 addresses to lo (need CAP_NET_ADMIN and IPv6 enabled)"
    log "IPv6: cannot add fd00:64:500::/64 addresses to lo; IPv6 NLRI goes over the IPv4 sessions (multiprotocol)"
    remove_ipv6
    echo mp >"$STATE/ipv6-mode"
  fi
}

remove_ipv6() {
  local a
  [ -f "$STATE/ipv6-added" ] || return 0
  while read -r a; do
    [ -n "$a" ] && ip -6 addr del "$a/128" dev lo 2>/dev/null || true
  done <"$STATE/ipv6-added"
  rm -f "$STATE/ipv6-added"
}

# ---------- configs ----------

gobgp_neighbor() {  # addr peer-as local-addr passive afi-safi...
  local addr="$1" as="$2" local="$3" passive="$4"; shift 4
  cat <<EOF

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$addr"
    peer-as = $as
  [neighbors.transport.config]
    local-address = "$local"
    passive-mode = $passive
    remote-port = $BGP_PORT
  [neighbors.timers.config]
    connect-retry = 5
    # long enough for a router busy with a million routes on two shared cores
    hold-time = 180
    keepalive-interval = 60
    idle-hold-time-after-reset = 1
EOF
  local f
  for f in "$@"; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$f"
  done
}

write_r1_config() {
  local host="$1" port="$2" mode p listen
  mode="$(ipv6_mode)"
  if [ "$mode" = sessions ]; then listen="\"$R1_V4\", \"$R1_V6\""; else listen="\"$R1_V4\""; fi
  {
    cat <<EOF
# R1: the router under observation. Generated by routers.sh; edits are overwritten on start.
[global.config]
  as = $R1_AS
  router-id = "$R1_V4"
  port = $BGP_PORT
  local-address-list = [$listen]
# R1 only observes: it exports nothing to its neighbors, and with PEERING_ROUTERS_R1_IMPORT=reject
# it keeps nothing in its Loc-RIB either (less work per route; BMP pre-policy Adj-RIB-In is unaffected).
[global.apply-policy.config]
  default-import-policy = "${PEERING_ROUTERS_R1_IMPORT:-accept}-route"
  default-export-policy = "reject-route"

[[bmp-servers]]
  [bmp-servers.config]
    address = "$host"
    port = $port
    # pre-policy (default) | post-policy | both (obsolete: pre + post) | local-rib | all (pre + post + local-rib)
    route-monitoring-policy = "pre-policy"
    # seconds between Statistics Reports, 15..65535; 0 sends none
    statistics-timeout = 0
    sys-name = "r1"
    sys-descr = "peering lab R1 (GoBGP)"
EOF
    for p in p1 p2; do
      if [ "$mode" = sessions ]; then
        gobgp_neighbor "${PEER_V4[$p]}" "${PEER_AS[$p]}" "$R1_V4" false ipv4-unicast
        gobgp_neighbor "${PEER_V6[$p]}" "${PEER_AS[$p]}" "$R1_V6" false ipv6-unicast
      else
        gobgp_neighbor "${PEER_V4[$p]}" "${PEER_AS[$p]}" "$R1_V4" false ipv4-unicast ipv6-unicast
      fi
    done
  } >"$STATE/r1.toml"
}

write_peer_config() {  # peer
  local p="$1" mode rv4 rv6 ras listen
  mode="$(ipv6_mode)"
  if [ "${PEER_ROUTER[$p]}" = r1 ]; then rv4=$R1_V4; rv6=$R1_V6; ras=$R1_AS; else rv4=$R2_V4; rv6=$R2_V6; ras=$R2_AS; fi
  if [ "$mode" = sessions ]; then listen="\"${PEER_V4[$p]}\", \"${PEER_V6[$p]}\""; else listen="\"${PEER_V4[$p]}\""; fi
  {
    cat <<EOF
# Peer ${p^^} (AS ${PEER_AS[$p]}) of ${PEER_ROUTER[$p]^^}. Generated by routers.sh; edits are overwritten on start.
# It announces what 'routers.sh announce/bulk ${p}' puts into its global RIB.
[global.config]
  as = ${PEER_AS[$p]}
  router-id = "${PEER_V4[$p]}"
  port = $BGP_PORT
  local-address-list = [$listen]
EOF
    # The peers are passive: the observed router opens the sessions (no connection collisions).
    if [ "$mode" = sessions ]; then
      gobgp_neighbor "$rv4" "$ras" "${PEER_V4[$p]}" true ipv4-unicast
      gobgp_neighbor "$rv6" "$ras" "${PEER_V6[$p]}" true ipv6-unicast
    else
      gobgp_neighbor "$rv4" "$ras" "${PEER_V4[$p]}" true ipv4-unicast ipv6-unicast
    fi
  } >"$STATE/$p.toml"
}

write_r2_config() {
  local host="$1" port="$2" mode v4="${PEER_V4[p3]}" v6="${PEER_V6[p3]}" as="${PEER_AS[p3]}"
  mode="$(ipv6_mode)"
  {
    cat <<EOF
! R2: FRR bgpd with the BMP module, observed like R1. Generated by routers.sh; edits are overwritten on start.
frr defaults traditional
hostname r2
log file $STATE/r2.log informational
!
router bgp $R2_AS
 bgp router-id $R2_V4
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor $v4 remote-as $as
 neighbor $v4 description P3 IPv4
 neighbor $v4 update-source $R2_V4
 neighbor $v4 disable-connected-check
 neighbor $v4 timers 60 180
 neighbor $v4 timers connect 2
EOF
    if [ "$mode" = sessions ]; then
      cat <<EOF
 neighbor $v6 remote-as $as
 neighbor $v6 description P3 IPv6
 neighbor $v6 update-source $R2_V6
 neighbor $v6 disable-connected-check
 neighbor $v6 timers 60 180
 neighbor $v6 timers connect 2
EOF
    fi
    cat <<EOF
 !
 address-family ipv4 unicast
  neighbor $v4 activate
  neighbor $v4 soft-reconfiguration inbound
  neighbor $v4 route-map DENY-ALL out
 exit-address-family
 !
 address-family ipv6 unicast
EOF
    if [ "$mode" = sessions ]; then
      printf '  neighbor %s activate\n  neighbor %s soft-reconfiguration inbound\n  neighbor %s route-map DENY-ALL out\n' "$v6" "$v6" "$v6"
    else
      printf '  neighbor %s activate\n  neighbor %s soft-reconfiguration inbound\n  neighbor %s route-map DENY-ALL out\n' "$v4" "$v4" "$v4"
    fi
    cat <<EOF
 exit-address-family
 !
 bmp targets collector
  bmp connect $host port $port min-retry 1000 max-retry 5000
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv6 unicast pre-policy
 exit
exit
!
route-map DENY-ALL deny 10
exit
!
EOF
  } >"$STATE/r2.conf"
}

# ---------- start / stop ----------

instance_running() {  # state-dir
  local d="$1" n
  for n in r1 p1 p2 p3; do pid_alive "$d/$n.pid" gobgpd && return 0; done
  pid_alive "$d/r2.pid" bgpd
}

require_free() {  # name addr port: dies when something else listens there
  local pid
  pid="$(ss -Htlnp 2>/dev/null | awk -v a="$2:$3" -v b="[$2]:$3" '$4 == a || $4 == b' \
    | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)"
  [ -z "$pid" ] || die "$1: $2:$3 is already in use by pid $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-160))"
}

start_gobgpd() {  # name api-host api-port
  local n="$1" host="$2" port="$3" a
  if pid_alive "$STATE/$n.pid" gobgpd; then log "$n already running (pid $(cat "$STATE/$n.pid"))"; return; fi
  require_free "$n" "$host" "$port"
  for a in $(grep -o 'local-address-list = \[.*\]' "$STATE/$n.toml" | grep -o '"[^"]*"' | tr -d '"'); do
    require_free "$n" "$a" "$BGP_PORT"
  done
  gobgpd -d -f "$STATE/$n.toml" >/dev/null 2>&1 || { gobgpd -d -f "$STATE/$n.toml" >&2 || true; die "$n: invalid config $STATE/$n.toml"; }
  log "starting $n: gobgpd, API $host:$port, log $STATE/$n.log"
  nohup setsid gobgpd -f "$STATE/$n.toml" -p -l info --api-hosts="$host:$port" --pprof-disable \
    >>"$STATE/$n.log" 2>&1 </dev/null &
  echo $! >"$STATE/$n.pid"
}

start_r2() {
  if pid_alive "$STATE/r2.pid" bgpd; then log "r2 already running (pid $(cat "$STATE/r2.pid"))"; return; fi
  [ -x /usr/lib/frr/bgpd ] || die "FRR is not installed (apt-get install frr)"
  mkdir -p "$STATE/r2"
  require_free r2 "$R2_V4" "$BGP_PORT"
  local listen=(-l "$R2_V4")
  [ "$(ipv6_mode)" = sessions ] && listen+=(-l "$R2_V6")
  log "starting r2: FRR bgpd -M bmp without zebra, vty socket $STATE/r2, log $STATE/r2.log"
  # -Z: no zebra; -S: stay root (no frr user switch); -P 0: no TCP vty; -p: BGP port; -l: listen addresses
  nohup setsid /usr/lib/frr/bgpd -Z -S -M bmp -f "$STATE/r2.conf" -p "$BGP_PORT" "${listen[@]}" \
    --vty_socket "$STATE/r2" -P 0 -i "$STATE/r2/bgpd.pid" \
    >>"$STATE/r2.stdout" 2>&1 </dev/null &
  echo $! >"$STATE/r2.pid"
}

wait_api() {  # name host port
  local n="$1" deadline=$((SECONDS + 15))
  until gobgp -u "$2" -p "$3" global >/dev/null 2>&1; do
    pid_alive "$STATE/$n.pid" gobgpd || { tail -n 20 "$STATE/$n.log" >&2; die "$n exited; its log is above"; }
    ((SECONDS < deadline)) || die "$n: no gRPC API on $2:$3 after 15 s (log $STATE/$n.log)"
    sleep 0.2
  done
}

r1_states() {  # prints "address state" for each R1 neighbor (6 = Established)
  gobgp_r1 -j neighbor 2>/dev/null | "$PY" -c '
import json, sys
try:
    neighbors = json.load(sys.stdin)
except ValueError:
    neighbors = []  # the daemon is still starting: nothing is up yet
for n in neighbors if isinstance(neighbors, list) else []:
    if isinstance(n, dict) and isinstance(n.get("state"), dict):
        print(n["state"].get("neighbor_address"), n["state"].get("session_state", 0))'
}

r2_states() {
  vtysh_r2 -c "show bgp neighbors json" 2>/dev/null | "$PY" -c '
import json, sys
try:
    neighbors = json.load(sys.stdin)
except ValueError:
    neighbors = {}  # bgpd is still starting: nothing is up yet
for a, n in (neighbors.items() if isinstance(neighbors, dict) else []):
    if isinstance(n, dict):
        print(a, 6 if n.get("bgpState") == "Established" else n.get("bgpState"))'
}

wait_established() {  # router [addresses...]; all of the router's neighbors when none given
  local r="$1"; shift
  local want=("$@") deadline=$((SECONDS + TIMEOUT)) states pending a
  while :; do
    if [ "$r" = r1 ]; then states="$(r1_states || true)"; else states="$(r2_states || true)"; fi
    if [ ${#want[@]} -eq 0 ]; then mapfile -t want < <(awk '{print $1}' <<<"$states"); fi
    pending=()
    for a in "${want[@]}"; do grep -qx "$a 6" <<<"$states" || pending+=("$a"); done
    if [ ${#want[@]} -gt 0 ] && [ ${#pending[@]} -eq 0 ]; then return 0; fi
    pid_alive "$STATE/$r.pid" "$([ "$r" = r1 ] && echo gobgpd || echo bgpd)" || die "$r exited (log $STATE/$r.log)"
    if ((SECONDS >= deadline)); then
      log "sessions of $r:"; printf '  %s\n' "${states:-<none>}" >&2
      die "$r: sessions not Established after ${TIMEOUT}s: ${pending[*]:-<no neighbors>} (logs in $STATE)"
    fi
    sleep 0.5
  done
}

cmd_start() {
  local bmp="" frr=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --bmp) bmp="$2"; shift 2 ;;
      --state) STATE="$2"; shift 2 ;;
      --frr) frr=1; shift ;;
      *) die "start: unknown argument $1" ;;
    esac
  done
  [ -n "$bmp" ] || die "start: --bmp HOST:PORT is required (e.g. --bmp 127.0.0.1:11019)"
  local host="${bmp%:*}" port="${bmp##*:}"
  host="${host#[}"; host="${host%]}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "start: bad --bmp '$bmp' (HOST:PORT, [::1]:PORT)"
  is_loopback "$host" || die "start: the BMP collector must be on loopback (127.0.0.0/8 or ::1), got $host"
  [ "$host" = localhost ] && host=127.0.0.1
  command -v gobgpd >/dev/null || die "gobgpd is not installed (apt-get install gobgpd)"
  mkdir -p "$STATE"
  STATE="$(cd "$STATE" && pwd)"
  # One instance at a time: the addresses and ports are fixed.
  local prev=""
  [ -f "$POINTER" ] && prev="$(cat "$POINTER")"
  if [ -n "$prev" ] && [ "$prev" != "$STATE" ] && instance_running "$prev"; then
    die "another instance is running (state $prev); 'routers.sh stop' stops it"
  fi
  echo "$STATE" >"$POINTER"
  if [ -f "$STATE/bmp-target" ] && [ "$(cat "$STATE/bmp-target")" != "$host:$port" ] \
     && { pid_alive "$STATE/r1.pid" gobgpd || pid_alive "$STATE/r2.pid" bgpd; }; then
    die "already running with BMP target $(cat "$STATE/bmp-target"); run 'routers.sh stop' first"
  fi
  echo "$host:$port" >"$STATE/bmp-target"
  setup_ipv6

  local p
  for p in p1 p2; do
    pid_alive "$STATE/$p.pid" gobgpd || write_peer_config "$p"
    start_gobgpd "$p" "${PEER_V4[$p]}" "${PEER_API_PORT[$p]}"
  done
  pid_alive "$STATE/r1.pid" gobgpd || write_r1_config "$host" "$port"
  start_gobgpd r1 "$R1_API_HOST" "$R1_API_PORT"
  if ((frr)); then
    pid_alive "$STATE/p3.pid" gobgpd || write_peer_config p3
    start_gobgpd p3 "${PEER_V4[p3]}" "${PEER_API_PORT[p3]}"
    pid_alive "$STATE/r2.pid" bgpd || write_r2_config "$host" "$port"
    start_r2
  fi
  for p in p1 p2; do wait_api "$p" "${PEER_V4[$p]}" "${PEER_API_PORT[$p]}"; done
  wait_api r1 "$R1_API_HOST" "$R1_API_PORT"
  ((frr)) && wait_api p3 "${PEER_V4[p3]}" "${PEER_API_PORT[p3]}"

  local t0=$SECONDS
  wait_established r1 $(peer_sessions p1) $(peer_sessions p2)
  if ((frr)); then wait_established r2 $(peer_sessions p3); fi
  log "all sessions Established ($((SECONDS - t0)) s); BMP to $host:$port; IPv6: $(ipv6_mode)"
  cmd_status
}

stop_pidfile() {  # name comm
  local f="$STATE/$1.pid" pid i
  if pid_alive "$f" "$2"; then
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null || true
    # a gobgpd holding a million routes takes a few seconds to exit
    for i in $(seq 1 100); do pid_alive "$f" "$2" || break; sleep 0.1; done
    if pid_alive "$f" "$2"; then
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 100); do pid_alive "$f" "$2" || break; sleep 0.1; done
      log "killed $1 (pid $pid, no exit 10 s after SIGTERM)"
    else
      log "stopped $1"
    fi
  fi
  rm -f "$f"
}

cmd_stop() {
  local n
  for n in r1 r2 p1 p2 p3; do
    stop_pidfile "$n" "$([ "$n" = r2 ] && echo bgpd || echo gobgpd)"
  done
  remove_ipv6
  rm -f "$STATE/ipv6-mode" "$STATE/bmp-target"
}

cmd_status() {
  if pid_alive "$STATE/r1.pid" gobgpd; then
    echo "R1 (GoBGP, AS $R1_AS, $R1_V4, API $R1_API_HOST:$R1_API_PORT) -> BMP $(cat "$STATE/bmp-target" 2>/dev/null)"
    gobgp_r1 neighbor | sed 's/^/  /'
  else
    echo "R1 not running"
  fi
  if pid_alive "$STATE/r2.pid" bgpd; then
    echo "R2 (FRR, AS $R2_AS, $R2_V4, vtysh --vty_socket $STATE/r2) -> BMP $(cat "$STATE/bmp-target" 2>/dev/null)"
    vtysh_r2 -c "show bgp summary" | sed 's/^/  /'
  fi
}

# ---------- routes ----------

cmd_announce() {
  [ $# -ge 2 ] || die "usage: announce PEER PREFIX [--as-path \"64501 64502\"] [--origin-as N] [--community C ...] [--large-community L ...] [--med N] [--local-pref N] [--origin igp|egp|incomplete]"
  local p prefix="$2" aspath="" origin_as="" origin=igp med="" lp="" comms=() lcomms=()
  p="$(resolve_peer "$1")"; shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --as-path) aspath="$2"; shift 2 ;;
      --origin-as) origin_as="$2"; shift 2 ;;
      --origin) origin="$2"; shift 2 ;;
      --community) shift; while [ $# -gt 0 ] && [[ "$1" != --* ]]; do comms+=("${1//,/ }"); shift; done ;;
      --large-community) shift; while [ $# -gt 0 ] && [[ "$1" != --* ]]; do lcomms+=("${1//,/ }"); shift; done ;;
      --med) med="$2"; shift 2 ;;
      --local-pref) lp="$2"; shift 2 ;;
      *) die "announce: unknown argument $1" ;;
    esac
  done
  # --origin-as N: the path ends in N (appended unless it already does)
  if [ -n "$origin_as" ] && [ "${aspath##* }" != "$origin_as" ]; then aspath="${aspath:+$aspath }$origin_as"; fi
  local fam; fam="$(family_of "$prefix")"
  local args=(global rib add -a "$fam" "$prefix" origin "$origin")
  [ -n "$aspath" ] && args+=(aspath "$(echo $aspath | tr ' ' ',')")
  if [ "$fam" = ipv4 ]; then args+=(nexthop 192.0.2.1); else args+=(nexthop 2001:db8::1); fi
  [ ${#comms[@]} -gt 0 ] && args+=(community "$(echo ${comms[*]} | tr ' ' ',')")
  [ ${#lcomms[@]} -gt 0 ] && args+=(large-community "$(echo ${lcomms[*]} | tr ' ' ',')")
  [ -n "$med" ] && args+=(med "$med")
  [ -n "$lp" ] && args+=(local-pref "$lp")
  gobgp_peer "$p" "${args[@]}"
}

cmd_withdraw() {
  [ $# -eq 2 ] || die "usage: withdraw PEER PREFIX"
  local p; p="$(resolve_peer "$1")"
  gobgp_peer "$p" global rib del -a "$(family_of "$2")" "$2"
}

cmd_clear() {
  [ $# -eq 1 ] || die "usage: clear PEER"
  local p; p="$(resolve_peer "$1")"
  gobgp_peer "$p" global rib del all -a ipv4
  gobgp_peer "$p" global rib del all -a ipv6
}

received() {  # peer family -> count of routes the observed router has from that peer (pre-policy)
  local p="$1" fam="$2" addr
  if [ "$(ipv6_mode)" = sessions ] && [ "$fam" = ipv6 ]; then addr="${PEER_V6[$p]}"; else addr="${PEER_V4[$p]}"; fi
  if [ "${PEER_ROUTER[$p]}" = r1 ]; then
    gobgp_r1 -j neighbor "$addr" | "$PY" -c '
import json, sys
afi = {"ipv4": 1, "ipv6": 2}[sys.argv[1]]
n = json.load(sys.stdin)
print(sum(int(a.get("state", {}).get("received", 0)) for a in n.get("afi_safis", [])
          if a.get("config", {}).get("family", {}).get("afi") == afi))' "$fam"
  else
    vtysh_r2 -c "show bgp $fam unicast summary json" | "$PY" -c '
import json, sys
print(json.load(sys.stdin).get("peers", {}).get(sys.argv[1], {}).get("pfxRcd", 0))' "$addr"
  fi
}

peer_rib_count() {  # peer family -> routes in the peer's global RIB (what it announces)
  gobgp_peer "$1" -j global rib summary -a "$2" | "$PY" -c 'import json, sys; print(json.load(sys.stdin).get("num_path", 0))'
}

peer_has() {  # peer family prefix
  [ "$(gobgp_peer "$1" -j global rib -a "$2" "$3" 2>/dev/null)" != "{}" ]
}

cmd_bulk() {
  [ $# -ge 2 ] || die "usage: bulk PEER COUNT4 [COUNT6] [--as-path \"64501\"] [--reset] [--no-wait]"
  local p c4="$2" c6=0 aspath=64501 wait=1 reset=0
  p="$(resolve_peer "$1")"; shift 2
  if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then c6="$1"; shift; fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --as-path) aspath="$2"; shift 2 ;;
      --reset) reset=1; shift ;;
      --no-wait) wait=0; shift ;;
      *) die "bulk: unknown argument $1" ;;
    esac
  done
  local file="$STATE/bulk-$p-$c4-$c6-${aspath// /_}.mrt" t0 t1 t2 t3 last4="" last6="" try
  t0=$(date +%s.%N)
  if [ ! -s "$file" ] || [ ! -s "$file.last" ]; then
    "$PY" "$HERE/mrtgen.py" --count4 "$c4" --count6 "$c6" --as-path "$aspath" --peer-as "${PEER_AS[$p]}" \
      --peer-ip "${PEER_V4[$p]}" --out "$file.tmp" >"$file.last.tmp"
    mv "$file.tmp" "$file"; mv "$file.last.tmp" "$file.last"
  fi
  last4="$(sed -n 's/^last4=//p' "$file.last")"; last6="$(sed -n 's/^last6=//p' "$file.last")"
  t1=$(date +%s.%N)
  local addrs=()
  if ((reset)); then
    # Fast path: with the session down the peer takes the routes ~6x faster (no UPDATE per route);
    # when it comes back up the peer sends them in full UPDATEs. The BMP feed shows Peer Down/Up.
    mapfile -t addrs < <(peer_sessions "$p")
    cmd_session down "$p" 2>/dev/null
  fi
  for try in 1 2 3; do
    gobgp_peer "$p" mrt inject global "$file"
    { [ -z "$last4" ] || peer_has "$p" ipv4 "$last4"; } && { [ -z "$last6" ] || peer_has "$p" ipv6 "$last6"; } && break
    ((try < 3)) || die "bulk: $p still lacks the last routes of $file after 3 injections"
    log "bulk: the injection into $p lost its tail (gobgp 3.10 mrt inject); injecting again"
  done
  t2=$(date +%s.%N)
  log "$(printf 'bulk %s: %d IPv4 (16.0.0.0/24 up) + %d IPv6 (2a10::/48 up), AS path "%s"; MRT %.1f s, inject into %s %.1f s' \
    "$p" "$c4" "$c6" "$aspath" "$(since "$t0" "$t1")" "$p" "$(since "$t1" "$t2")")"
  ((reset)) && cmd_session up "$p"
  ((wait)) || return 0
  local want4 want6 n4 n6 deadline=$((SECONDS + ${PEERING_ROUTERS_BULK_TIMEOUT:-1200}))
  want4="$(peer_rib_count "$p" ipv4)"; want6="$(peer_rib_count "$p" ipv6)"
  while :; do
    n4="$(received "$p" ipv4)"; n6="$(received "$p" ipv6)"
    if ((n4 >= want4 && n6 >= want6)); then break; fi
    ((SECONDS < deadline)) || die "bulk: ${PEER_ROUTER[$p]} has $n4/$want4 IPv4 and $n6/$want6 IPv6 routes from $p after the timeout"
    sleep 0.5
  done
  t3=$(date +%s.%N)
  log "$(printf 'bulk %s: %s has all %d IPv4 + %d IPv6 routes of %s, %.1f s after the injection started (%.1f s in all)' \
    "$p" "${PEER_ROUTER[$p]}" "$n4" "$n6" "$p" "$(since "$t1" "$t3")" "$(since "$t0" "$t3")")"
}

# ---------- sessions ----------

cmd_session() {  # down|up PEER
  local what="$1"; shift
  [ $# -eq 1 ] || die "usage: session-$what PEER"
  local p a addrs; p="$(resolve_peer "$1")"
  mapfile -t addrs < <(peer_sessions "$p" "$1")
  for a in "${addrs[@]}"; do
    if [ "${PEER_ROUTER[$p]}" = r1 ]; then
      gobgp_r1 neighbor "$a" "$([ "$what" = down ] && echo disable || echo enable)"
    else
      vtysh_r2 -c "configure terminal" -c "router bgp $R2_AS" \
        -c "$([ "$what" = down ] && echo "neighbor $a shutdown" || echo "no neighbor $a shutdown")" >/dev/null
    fi
  done
  if [ "$what" = up ]; then
    wait_established "${PEER_ROUTER[$p]}" "${addrs[@]}"
    log "session(s) ${addrs[*]} Established"
  else
    log "session(s) ${addrs[*]} disabled"
  fi
}

cmd_rib() {
  [ $# -ge 1 ] || die "usage: rib PEER-ADDRESS [--family ipv4|ipv6]"
  local a="$1" p fam; p="$(resolve_peer "$1")"
  [ "${a,,}" = "$p" ] && a="${PEER_V4[$p]}"
  fam="$(family_of "$a")"
  [ "${2:-}" = --family ] && fam="$3"
  if [ "${PEER_ROUTER[$p]}" = r1 ]; then
    gobgp_r1 -j neighbor "$a" adj-in -a "$fam"
  else
    vtysh_r2 -c "show bgp $fam unicast neighbors $a received-routes json"
  fi
}

# ---------- main ----------

# Subcommands other than start find the state dir of the last start when --state/PEERING_ROUTERS_STATE are not given.
if [ -z "${PEERING_ROUTERS_STATE:-}" ] && [ -f "$POINTER" ] && [ "${1:-}" != start ]; then
  STATE="$(cat "$POINTER")"
fi
cmd="${1:-}"; shift || true
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = --state ] && [ "$cmd" != start ]; then STATE="$2"; shift 2; else args+=("$1"); shift; fi
done
set -- "${args[@]+"${args[@]}"}"
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  announce) cmd_announce "$@" ;;
  withdraw) cmd_withdraw "$@" ;;
  clear) cmd_clear "$@" ;;
  bulk) cmd_bulk "$@" ;;
  session-down) cmd_session down "$@" ;;
  session-up) cmd_session up "$@" ;;
  rib) cmd_rib "$@" ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = -h ] || exit 2 ;;
esac
