#!/usr/bin/env bash
# Installs what the platform needs on Debian 12: PostgreSQL 15, TimescaleDB (Apache edition,
# built from Debian 13's source package, which Debian 12 lacks), and the tools the tests use
# (GoBGP, FRR, nginx, Node.js, Chromium for the console's browser tests, Prometheus Alertmanager as a real alert receiver, and ping and traceroute for the looking glass). Idempotent: a second run checks and returns in about a second.
set -euo pipefail
source "$(dirname "$0")/env.sh"

PACKAGES=(postgresql-15 postgresql-client-15 postgresql-server-dev-15 cmake gcc make libssl-dev
          dpkg-dev gobgpd frr nginx curl ca-certificates chromium prometheus-alertmanager
          iputils-ping traceroute)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js runs the client, the feeders and the gateway test; any install with npm will do
# (a NodeSource nodejs package brings its own npm, and Debian's npm would conflict with it).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's postgresql-common would create and start a cluster on 5432; we run our own.
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Packages start system daemons we do not use; the project starts its own instances.
  for svc in frr nginx prometheus-alertmanager; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
  done
fi

extdir="$("$PG_BIN/../bin/pg_config" --sharedir 2>/dev/null || /usr/lib/postgresql/$PG_VERSION/bin/pg_config --sharedir)/extension"
pkglibdir="$(/usr/lib/postgresql/$PG_VERSION/bin/pg_config --pkglibdir)"
if ls "$extdir"/timescaledb.control >/dev/null 2>&1 && ls "$pkglibdir"/timescaledb-*.so >/dev/null 2>&1; then
  log "TimescaleDB already installed: $(grep default_version "$extdir/timescaledb.control")"
  exit 0
fi

log "building TimescaleDB (Apache edition) from Debian $TIMESCALEDB_SUITE's source package"
list=/etc/apt/sources.list.d/peering-timescaledb-src.list
if [ ! -f "$list" ]; then
  # Same mirror as the machine's own apt sources; source packages only.
  mirror="$( (grep -rhE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) \
            | grep -oE 'https?://[^ ]+' | grep -E '/debian/?$' | head -n1 || true)"
  [ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
  echo "deb-src ${mirror%/} $TIMESCALEDB_SUITE main" > "$list"
  apt-get update -qq
fi
rm -rf "$TIMESCALEDB_BUILD_DIR" && mkdir -p "$TIMESCALEDB_BUILD_DIR"
cd "$TIMESCALEDB_BUILD_DIR"
apt-get source --download-only -qq timescaledb >/dev/null
dpkg-source -x --no-check timescaledb_*.dsc src >/dev/null
cd src
./bootstrap -DAPACHE_ONLY=1 -DSEND_TELEMETRY_DEFAULT=NO -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF \
  -DWARNINGS_AS_ERRORS=OFF -DPG_CONFIG="/usr/lib/postgresql/$PG_VERSION/bin/pg_config" >/dev/null
make -C build -j"$(nproc)" >/dev/null
make -C build install >/dev/null
log "TimescaleDB installed: $(grep default_version "$extdir/timescaledb.control")"
