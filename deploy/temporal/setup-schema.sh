#!/bin/sh
# docker-compose.yml's temporal-schema (temporalio/admin-tools): creates Temporal's two databases on the stack's
# PostgreSQL and brings each schema to the version of the image's SQL tool, as src/tools/cluster/schema.ts does for
# `npm run cluster`. Safe on every start: an existing database is kept, setup-schema is a no-op on a set-up
# database, and update-schema applies only the versioned steps not applied yet.
set -eu

: "${POSTGRES_SEEDS:?the PostgreSQL host}" "${POSTGRES_USER:?the PostgreSQL role}" "${SQL_PASSWORD:?its password}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

# The password travels in SQL_PASSWORD (read by temporal-sql-tool), never on a command line.
sql_tool() {
  database="$1"
  shift
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$database" "$@"
}

# database:schema-directory; the names are those the server's config defaults to (DBNAME, VISIBILITY_DBNAME).
for pair in temporal:temporal temporal_visibility:visibility; do
  database="${pair%%:*}"
  versioned="$SCHEMA_DIR/${pair##*:}/versioned"
  echo "schema of database $database: create if missing, then update to $versioned"
  if ! out=$(sql_tool "$database" create-database 2>&1); then
    case "$out" in
      *"already exists"*) echo "database $database already exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  sql_tool "$database" setup-schema -v 0.0
  sql_tool "$database" update-schema -d "$versioned"
done
echo "Temporal's databases are ready"
