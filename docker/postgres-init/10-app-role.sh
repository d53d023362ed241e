#!/bin/sh
# Runs once, when the db service initialises an empty data volume (docker-entrypoint-initdb.d).
# POSTGRES_USER owns the database and runs the migrations; the application connects as
# POSTGRES_APP_USER, which owns nothing: `manage.py grant_app_role` (the migrate service) gives it
# SELECT and INSERT only on the append-only tables, and what the rest needs elsewhere.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$POSTGRES_APP_USER" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_user";
SQL
