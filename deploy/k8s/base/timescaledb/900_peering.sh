#!/bin/sh
# Creates what the services assume exists and do not create themselves (see deploy/local/db-start.sh,
# which does the same locally): the login role PEERING_DB_USER, owner of the database POSTGRES_DB (so
# each service's Flyway migration can create its own schema and hypertables), and the timescaledb
# extension in that database (CREATE EXTENSION needs the superuser; the migrations call
# create_hypertable). The image's entrypoint runs this once, after its own 000_install_timescaledb.sh
# and 001_timescaledb_tune.sh, when the data volume is empty; a later change of the Secret's password
# is applied with ALTER ROLE by hand (see deploy/k8s/README.md).
set -eu
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
     -v role="$PEERING_DB_USER" -v password="$PEERING_DB_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'role') \gexec
SQL
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -c 'CREATE EXTENSION IF NOT EXISTS timescaledb'
