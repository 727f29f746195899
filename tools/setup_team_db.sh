#!/usr/bin/env bash
# Set up a PostgreSQL/PostGIS database for hygis team layers (run once, by the database administrator).
#
#   tools/setup_team_db.sh DBNAME [EDITOR_ROLE ...] [--readonly ROLE ...]
#
# Needs psql as a superuser (e.g. `sudo -u postgres tools/setup_team_db.sh hznb_plan hz_planner nb_planner`).
# Creates the database (if missing) with the PostGIS extension, a schema `plan` for the shared layers,
# the roles (LOGIN, no password: set one with \password ROLE, or use certificate / peer authentication),
# editors may create and change tables in `plan` (hygis db push / sync), read-only roles may only read.
# Nothing here stores a password. Planners put theirs in ~/.pgpass (chmod 600) or the OS keyring.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DBNAME [EDITOR_ROLE ...] [--readonly ROLE ...]" >&2; exit 2; }
db=$1; shift
editors=(); readers=(); mode=edit
for arg in "$@"; do
  if [ "$arg" = "--readonly" ]; then mode=read; continue; fi
  if [ "$mode" = edit ]; then editors+=("$arg"); else readers+=("$arg"); fi
done
PSQL=(psql -v ON_ERROR_STOP=1 -X -q)
# psql variables (:'x' literal, :"x" identifier) quote every name; they are read from stdin, not -c
if ! "${PSQL[@]}" -d postgres -tA -v db="$db" <<< "SELECT 1 FROM pg_database WHERE datname = :'db'" | grep -q 1; then
  "${PSQL[@]}" -d postgres -v db="$db" <<< 'CREATE DATABASE :"db"'
fi
"${PSQL[@]}" -d "$db" <<'SQL'
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS plan;
DO $$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hygis_editors') THEN CREATE ROLE hygis_editors NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hygis_readers') THEN CREATE ROLE hygis_readers NOLOGIN; END IF;
END$$;
GRANT USAGE ON SCHEMA plan TO hygis_readers, hygis_editors;
GRANT CREATE ON SCHEMA plan TO hygis_editors;
GRANT SELECT ON ALL TABLES IN SCHEMA plan TO hygis_readers;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA plan TO hygis_editors;
ALTER DEFAULT PRIVILEGES IN SCHEMA plan GRANT SELECT ON TABLES TO hygis_readers;
ALTER DEFAULT PRIVILEGES IN SCHEMA plan GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hygis_editors;
SQL
for role in "${editors[@]}" "${readers[@]}"; do
  "${PSQL[@]}" -d "$db" -v r="$role" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'r') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'r') \gexec
SQL
done
for role in "${editors[@]}"; do
  "${PSQL[@]}" -d "$db" -v r="$role" <<< 'GRANT hygis_editors TO :"r"'
  # tables an editor creates (hygis db push) are readable and editable by the other editors
  "${PSQL[@]}" -d "$db" -v r="$role" <<< 'ALTER DEFAULT PRIVILEGES FOR ROLE :"r" IN SCHEMA plan GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hygis_editors'
  "${PSQL[@]}" -d "$db" -v r="$role" <<< 'ALTER DEFAULT PRIVILEGES FOR ROLE :"r" IN SCHEMA plan GRANT SELECT ON TABLES TO hygis_readers'
done
for role in "${readers[@]}"; do
  "${PSQL[@]}" -d "$db" -v r="$role" <<< 'GRANT hygis_readers TO :"r"'
done
echo "Database $db is ready: schema plan, editors: ${editors[*]:-none}, read-only: ${readers[*]:-none}"
