#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). It does what `schoolbench db:provision` does, with passwords:
#
#   schoolbench_owner  LOGIN, no superuser, no BYPASSRLS: owns the database and runs migrations.
#   schoolbench_app    LOGIN, no superuser, no BYPASSRLS, NOINHERIT: what the API and workers use;
#                      it owns nothing, so row-level security (enabled and forced) always applies.
#   schoolbench_sharing NOLOGIN, BYPASSRLS: owns only the security-definer functions of data-sharing
#                      protocols (docs/sharing.md); schoolbench_owner is a member so migrations can
#                      hand those functions to it.
#   schoolbench_retention NOLOGIN, BYPASSRLS: owns only the functions that delete data whose time is
#                      up (retention_apply, tenant_exit_delete; docs/operations.md "Retention").
#   schoolbench        the database, owned by schoolbench_owner.
#
# Passwords come from SCHOOLBENCH_OWNER_PASSWORD and SCHOOLBENCH_APP_PASSWORD. They are put in
# connection URLs, so use URL-safe values (e.g. `openssl rand -hex 24`).
# Safe to re-run by hand: existing roles are altered, an existing database is kept.
# No `set -u`: the postgres entrypoint sources (rather than executes) a non-executable .sh,
# and nounset would then leak into its shell.
set -eo pipefail

: "${SCHOOLBENCH_OWNER_PASSWORD:?SCHOOLBENCH_OWNER_PASSWORD must be set}"
: "${SCHOOLBENCH_APP_PASSWORD:?SCHOOLBENCH_APP_PASSWORD must be set}"
SCHOOLBENCH_DB="${SCHOOLBENCH_DB:-schoolbench}"

# psql variables (:'name') quote the values, so passwords never pass through SQL string building.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v owner_password="$SCHOOLBENCH_OWNER_PASSWORD" \
  -v app_password="$SCHOOLBENCH_APP_PASSWORD" \
  -v db_name="$SCHOOLBENCH_DB" <<'SQL'
SELECT format('CREATE ROLE schoolbench_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD %L', :'owner_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schoolbench_owner')
\gexec
SELECT format('CREATE ROLE schoolbench_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT PASSWORD %L', :'app_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schoolbench_app')
\gexec

SELECT 'CREATE ROLE schoolbench_sharing NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schoolbench_sharing')
\gexec
GRANT schoolbench_sharing TO schoolbench_owner;

SELECT 'CREATE ROLE schoolbench_retention NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schoolbench_retention')
\gexec
GRANT schoolbench_retention TO schoolbench_owner;

-- Re-assert attributes and passwords when the roles already existed.
ALTER ROLE schoolbench_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD :'owner_password';
ALTER ROLE schoolbench_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT PASSWORD :'app_password';

SELECT format('CREATE DATABASE %I OWNER schoolbench_owner', :'db_name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db_name')
\gexec

-- Only the two roles may connect to it (PUBLIC has CONNECT by default).
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db_name') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO schoolbench_owner, schoolbench_app', :'db_name') \gexec
SQL

# In the new database the public schema belongs to pg_database_owner, i.e. schoolbench_owner
# (PostgreSQL 15+), and PUBLIC may not create in it. The migrations grant the app role USAGE on
# the schema and exactly the table privileges it needs.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "$SCHOOLBENCH_DB" <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

echo "schoolbench: roles schoolbench_owner, schoolbench_app and database ${SCHOOLBENCH_DB} ready"
