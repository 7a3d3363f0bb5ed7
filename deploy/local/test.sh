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

# A Flyway migration that has run somewhere is never edited: Flyway refuses to start a service over an
# applied migration whose text changed (a deployed database, or a CI machine's kept cluster). Change
# the schema with a new migration, and record its sum in deploy/local/migrations.sha256.
log "checking that no applied migration was edited (deploy/local/migrations.sha256)"
sha256sum --quiet --strict -c "$LOCAL_DIR/migrations.sha256" \
  || die "a migration listed in deploy/local/migrations.sha256 changed: restore it and put the change in a new migration"
unlisted="$(comm -13 <(awk '{print $2}' "$LOCAL_DIR/migrations.sha256" | sort) <(git ls-files -co --exclude-standard -- '*/db/migration/*.sql' | sort))"
[ -z "$unlisted" ] || die "migrations without a recorded sum (add them: sha256sum FILE >> deploy/local/migrations.sha256): $unlisted"
# Readiness detail "schema" waits for peering.db.schema-version: it must name the newest migration.
for svc in routes-service metrics-service latency-service events-service; do
  newest="$(ls "$svc/src/main/resources/db/migration" | sed -n 's/^V\([0-9]*\)__.*/\1/p' | sort -n | tail -1)"
  stated="$(sed -n 's/^peering\.db\.schema-version=//p' "$svc/src/main/resources/application.properties")"
  [ "$newest" = "$stated" ] || die "$svc: peering.db.schema-version=$stated but its newest migration is V$newest: set it to $newest"
done

log "building and running all tests"
./mvnw -B -ntp install "$@"
