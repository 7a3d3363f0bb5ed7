#!/usr/bin/env bash
# Issue 14: from a clone in a folder the 'postgres' user cannot enter (as root, in root's home of
# mode 700), db-start.sh -- so start.sh and test.sh -- failed at once: initdb "could not access
# directory <clone>/deploy/local/.state/pgdata: Permission denied". This copies deploy/local, as it
# is in the working tree, into a fresh folder of mode 700 and there, on a spare port: runs
# db-start.sh, checks the database answers from where the scripts say its files are, stops it with
# db-stop.sh, deletes the clone's state (as `git clean -fdx` would) and starts and stops it again
# (as root: the same cluster, data kept). It cleans up after itself, passed or failed: the cluster
# stopped, its files and the folder deleted. A few seconds; deploy/local/test.sh runs it.
set -euo pipefail
source "$(dirname "$0")/../env.sh"   # log, die, PG_BIN, PG_SUPERUSER, REPO_DIR, this clone's PGDATA
# the cluster's owner runs pg_ctl (as in env.sh; here too, so cleaning up needs nothing of what is tested)
pg_ctl_as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" "$@"); else "$PG_BIN/pg_ctl" "$@"; fi; }

NAME=peering-selftest   # the clone's folder name, which names its cluster's files (env.sh keeps 20 characters)
folder="$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")"
chmod 700 "$folder"
clone="$folder/$NAME"
clone_pgdata=""

cleanup() {
  local rc=$?
  if [ -n "$clone_pgdata" ] && [ -s "$clone_pgdata/postmaster.pid" ]; then
    pg_ctl_as_owner -D "$clone_pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case "$clone_pgdata" in   # only what is this test's own
    "$folder"/*|"${PG_CLUSTERS_DIR:-/nonexistent}/$NAME"-*) rm -rf "$clone_pgdata" ;;
  esac
  rm -rf "$folder"
  ((rc == 0)) && log "passed: db-start.sh and db-stop.sh work from a clone in a folder of mode 700" || log "FAILED (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$clone"
tar -C "$REPO_DIR" --exclude=deploy/local/.state -cf - deploy/local | tar -C "$clone" -xf -

port=""
for _ in $(seq 1 100); do
  p=$((56000 + RANDOM % 4000))
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port="$p"; break; }
done
[ -n "$port" ] || die "no free port in 56000-59999"
# The clone's own defaults, but for the port: never the state or the cluster of the clone running this.
unset PEERING_PGDATA PEERING_STATE_DIR
export PEERING_PGPORT="$port"
clone_pgdata="$(bash -c 'source "$1/deploy/local/env.sh" && echo "$PGDATA"' _ "$clone")"
case "$clone_pgdata" in   # where the clone's env.sh puts them, and nothing this test could not delete after itself
  "$PGDATA") die "the test clone's cluster would be this clone's ($PGDATA)" ;;
  "$folder"/*|"${PG_CLUSTERS_DIR:-/nonexistent}/$NAME"-*) ;;
  *) die "the test clone's cluster files would be in $clone_pgdata, neither in the clone nor in ${PG_CLUSTERS_DIR:-/nonexistent}/$NAME-*" ;;
esac
log "clone in $folder (mode 700), port $port, cluster files in $clone_pgdata"

step() {  # script expected-line...: runs the clone's deploy/local/<script>, fails with its output unless each line is in it
  local script="$1" out expected; shift
  out="$(bash "$clone/deploy/local/$script" 2>&1)" || { printf '%s\n' "$out" >&2; die "$script failed in a clone in a folder of mode 700"; }
  for expected in "$@"; do
    grep -qF -- "$expected" <<<"$out" || { printf '%s\n' "$out" >&2; die "$script did not say '$expected'"; }
  done
}
sql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d peering -tAc "$1"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

step db-start.sh "creating cluster in $clone_pgdata" "files in $clone_pgdata"
[ "$(sql "SHOW data_directory")" = "$clone_pgdata" ] || die "the server on port $port is not the clone's cluster: $(sql "SHOW data_directory")"
[ -n "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")" ] || die "no timescaledb extension in the clone's database"
sql "CREATE TABLE kept (v int); INSERT INTO kept VALUES (14)"
step db-stop.sh "cluster stopped"
! listening || die "db-stop.sh left the cluster listening on $port"

rm -rf "$clone/deploy/local/.state"   # what `git clean -fdx` does to the clone
case "$clone_pgdata" in
  "$clone"/*) step db-start.sh "creating cluster in $clone_pgdata" ;;   # not root: the files were in the clone's state
  *) step db-start.sh "starting cluster" "files in $clone_pgdata"
     [ "$(sql "SELECT v FROM kept")" = 14 ] || die "the cluster after a git clean is not the same: its data is gone" ;;
esac
step db-stop.sh "cluster stopped"
! listening || die "db-stop.sh left the cluster listening on $port"
