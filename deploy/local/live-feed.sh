#!/usr/bin/env bash
# Live BGP activity for the local stack, on the real routers started by start.sh (routers.sh):
# a five-step cycle, one step every PEERING_LIVE_STEP seconds (60), each undone 20 s later:
#   1. P1 (primary, ams-1) withdraws the peering-service prefix 198.51.100.0/24, then announces it again
#      -> PrefixWithdrawalEvent, PrefixBackupPath, then PrefixAnnouncementEvent, PrefixActivePath
#   2. P1 announces it with another origin (AS 4200000001), then with its own again
#      -> PrefixOriginAsChangeEvent (twice)
#   3. P2 withdraws and re-announces one of its customer prefixes (16.0.7.0/24) -> route changes
#   4. P2 (backup, ams-2) withdraws 198.51.100.0/24, then announces it again
#      -> PrefixBackupRouteWithdrawalEvent, PrefixBackupRouteAnnouncementEvent
#   5. P2's sessions go down for 20 s and come back (a flap)
#      -> session transitions, FlapCounts and SessionAvailabilityV4/V6 below 100 for ams-2
#   deploy/local/live-feed.sh      # runs until killed (stop.sh kills it); logs one line per action
# Environment: PEERING_LIVE_STEP (s between steps, 60), PEERING_LIVE_FIRST (s before the first, 30),
# PEERING_ROUTERS_STATE (the routers' state dir, as start.sh sets it).
set -uo pipefail
source "$(dirname "$0")/env.sh"
R="$LOCAL_DIR/routers/routers.sh"
STEP="${PEERING_LIVE_STEP:-60}"
PS_PREFIX=198.51.100.0/24
BACKUP_PATH="64500 64500"          # P2 prepends: it is the backup
CUSTOMER_PREFIX=16.0.7.0/24
CUSTOMER_PATH="64500 4200000001"   # as start.sh's bulk load of P2

say() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*"; }
r() { say "routers.sh $*"; bash "$R" "$@" 2>&1 | sed 's/^/    /'; }
trap 'say "stopped"; exit 0' TERM INT

sleep "${PEERING_LIVE_FIRST:-30}"
step=0
while :; do
  case $((step % 5)) in
    0) r withdraw p1 "$PS_PREFIX"; sleep 20; r announce p1 "$PS_PREFIX" ;;
    1) r announce p1 "$PS_PREFIX" --as-path 4200000001; sleep 20; r announce p1 "$PS_PREFIX" ;;
    2) r withdraw p2 "$CUSTOMER_PREFIX"; sleep 20; r announce p2 "$CUSTOMER_PREFIX" --as-path "$CUSTOMER_PATH" ;;
    3) r withdraw p2 "$PS_PREFIX"; sleep 20; r announce p2 "$PS_PREFIX" --as-path "$BACKUP_PATH" ;;
    4) r session-down p2; sleep 20; r session-up p2 ;;
  esac
  step=$((step + 1))
  sleep $((STEP > 20 ? STEP - 20 : 1))
done
