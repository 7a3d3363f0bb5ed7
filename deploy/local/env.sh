# Shared settings for the deploy/local scripts. Source it; override any value from the environment.
LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LOCAL_DIR/../.." && pwd)"
STATE_DIR="${PEERING_STATE_DIR:-$LOCAL_DIR/.state}"       # git-ignored: logs, pids, tokens (and the database files when not root)
PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"

# Where the private cluster's files live (db-start.sh prints it). PostgreSQL refuses to run as
# root, so as root the cluster runs as the 'postgres' OS user, which must reach its data directory
# -- and a clone may be anywhere, e.g. in root's home (mode 700), where 'postgres' cannot enter.
# So, as root, a NEW cluster lives outside the clone, in a directory of the 'postgres' user,
# $PG_CLUSTERS_DIR/<clone>-<hash of the state directory's path>: one per clone (per state
# directory), found again after a `git clean`. A cluster an earlier version made in
# $STATE_DIR/pgdata keeps being used where it is. Not root: the cluster runs as us, in $STATE_DIR/pgdata.
PG_CLUSTERS_DIR="$(realpath -m "${PEERING_PG_CLUSTERS_DIR:-/var/lib/postgresql/peering-local}")"
_clone="$(basename "$REPO_DIR" | tr -c 'A-Za-z0-9._\n-' '_' | cut -c1-20)"
PGDATA_OUTSIDE="$PG_CLUSTERS_DIR/${_clone:-clone}-$(realpath -m "$STATE_DIR" | sha256sum | cut -c1-12)"
unset _clone
if [ -n "${PEERING_PGDATA:-}" ]; then
  PGDATA="$(realpath -m "$PEERING_PGDATA")"
elif [ "$(id -u)" != 0 ] || [ -s "$STATE_DIR/pgdata/PG_VERSION" ]; then
  PGDATA="$(realpath -m "$STATE_DIR/pgdata")"
else
  PGDATA="$PGDATA_OUTSIDE"
fi
export PGHOST="${PEERING_PGHOST:-127.0.0.1}"
export PGPORT="${PEERING_PGPORT:-55432}"
PG_SUPERUSER="${PEERING_PG_SUPERUSER:-peering_admin}"
DB_NAME="${PEERING_DB_NAME:-peering}"
DB_USER="${PEERING_DB_USER:-peering}"
DB_PASSWORD="${PEERING_DB_PASSWORD:-peering}"
TIMESCALEDB_SUITE="${PEERING_TIMESCALEDB_SUITE:-trixie}"
TIMESCALEDB_BUILD_DIR="${PEERING_TIMESCALEDB_BUILD_DIR:-/tmp/peering-timescaledb-build}"

# Runs a PostgreSQL program as the cluster's owner: 'postgres' when we are root (from /, as its
# working directory may be where 'postgres' cannot go), else ourselves.
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
