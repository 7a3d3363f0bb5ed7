#!/usr/bin/env bash
# Replays the BMP sessions of a capture (pcap or pcapng) into a running collector, to reproduce
# what a router sent. Each router of the capture connects from its own loopback address.
#   deploy/local/bmp-replay.sh capture.pcap [HOST:PORT] [--hold]
# Without --hold the connections close when sent: after the grace period (30 s) the collector
# withdraws the replayed routes as it would for a router that went away.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ $# -ge 1 ] || die "usage: $0 CAPTURE [HOST:PORT] [--hold]"
capture="$1"; shift
target="127.0.0.1:11019"
if [ $# -ge 1 ] && [ "$1" != "--hold" ]; then target="$1"; shift; fi
jar="$(ls "$REPO_DIR"/deploy/bmp-replay/target/bmp-replay-*-all.jar 2>/dev/null | head -n1)"
[ -n "$jar" ] || (cd "$REPO_DIR" && ./mvnw -B -q -ntp install -DskipTests -pl deploy/bmp-replay -am)
jar="$(ls "$REPO_DIR"/deploy/bmp-replay/target/bmp-replay-*-all.jar | head -n1)"
exec java -jar "$jar" "$capture" "$target" --map-sources 127.0.1.0 "$@"
