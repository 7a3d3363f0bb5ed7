#!/usr/bin/env bash
# Runs every test of the project on this machine: installs what is missing (PostgreSQL 15,
# TimescaleDB, GoBGP, FRR, nginx, buf), starts the private database, checks that its scripts work
# from a clone in a closed folder (deploy/local/tests), lints the protos, and runs the Maven build
# with all tests against the real TimescaleDB. Exit code non-zero on any failure.
#   deploy/local/test.sh                 # everything
#   deploy/local/test.sh -pl routes-service -am   # extra arguments go to Maven
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_DIR"

bash "$LOCAL_DIR/install.sh"
bash "$LOCAL_DIR/install-kubectl.sh" >/dev/null   # the project's kubectl (kustomize) for RenderedManifestsTest
bash "$LOCAL_DIR/db-start.sh"
# The database scripts from a clone anywhere: here, one in a folder of mode 700 (a few seconds).
bash "$LOCAL_DIR/tests/clone-in-closed-folder.sh"

log "linting the v1 contracts with buf"
(cd proto && { [ -x node_modules/.bin/buf ] || npm install --no-audit --no-fund --loglevel=error >/dev/null; } && npx --no-install buf lint)
# Guard the v1 contract: nothing may break it against the commit that first landed it.
baseline="$(git log --format=%H --diff-filter=A -- proto/buf.yaml 2>/dev/null | tail -n 1)"
if [ -n "$baseline" ] && [ "$baseline" != "$(git rev-parse HEAD)" ]; then
  log "checking the contracts for breaking changes against $baseline"
  (cd proto && npx --no-install buf breaking --against "$REPO_DIR/.git#ref=$baseline,subdir=proto")
fi

log "building and running all tests"
./mvnw -B -ntp install "$@"
