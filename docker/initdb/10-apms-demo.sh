#!/bin/sh
# Demo databases for docker-compose, run once by the postgres image on an empty data directory:
#   apms_staging: schema + the constraints staging reported (1 of 46 FKs) + data  -> HOLD
#   apms_fixed:   schema + the intended design's constraints + data             -> GO
# and the read-only role the dashboard connects as, with only what it needs:
# CONNECT, USAGE on the schema, SELECT on the tables (pg_catalog is readable by default).
set -eu

SEEDS="${APMS_SEEDS_DIR:-/seeds}"
READER="${APMS_OPS_READER:-apms_ops_reader}"
READER_PASSWORD="${APMS_OPS_READER_PASSWORD:-apms-ops-demo}"

admin() {
    psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" "$@"
}

admin --dbname postgres -v reader="$READER" -v password="$READER_PASSWORD" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'password';
SQL

for pair in apms_staging:apms_staging_constraints.sql apms_fixed:apms_fixed_constraints.sql; do
    db="${pair%%:*}"
    constraints="${pair#*:}"
    echo "apms-ops demo: loading $db (apms_schema.sql, $constraints, apms_data.sql)"
    admin --dbname postgres -v db="$db" -v reader="$READER" <<'SQL'
CREATE DATABASE :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"reader";
SQL
    admin --dbname "$db" --single-transaction \
        -f "$SEEDS/apms_schema.sql" -f "$SEEDS/$constraints" -f "$SEEDS/apms_data.sql"
    admin --dbname "$db" -v reader="$READER" <<'SQL'
GRANT USAGE ON SCHEMA public TO :"reader";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"reader";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO :"reader";
SQL
done
