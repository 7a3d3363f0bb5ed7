# Shared settings for the deploy/local scripts. Source it; override any value from the environment.
LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LOCAL_DIR/../.." && pwd)"
STATE_DIR="${PEERING_STATE_DIR:-$LOCAL_DIR/.state}"       # git-ignored: database files, logs, pids
PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
PGDATA="${PEERING_PGDATA:-$STATE_DIR/pgdata}"
export PGHOST="${PEERING_PGHOST:-127.0.0.1}"
export PGPORT="${PEERING_PGPORT:-55432}"
PG_SUPERUSER="${PEERING_PG_SUPERUSER:-peering_admin}"
DB_NAME="${PEERING_DB_NAME:-peering}"
DB_USER="${PEERING_DB_USER:-peering}"
DB_PASSWORD="${PEERING_DB_PASSWORD:-peering}"
TIMESCALEDB_SUITE="${PEERING_TIMESCALEDB_SUITE:-trixie}"
TIMESCALEDB_BUILD_DIR="${PEERING_TIMESCALEDB_BUILD_DIR:-/tmp/peering-timescaledb-build}"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
