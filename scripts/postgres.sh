#!/usr/bin/env bash
# Makes sure the PostgreSQL server Gatehouse uses is up, and manages throw-away databases.
#
#   scripts/postgres.sh ensure              start the local Debian cluster if it is stopped
#   scripts/postgres.sh create-db NAME      create NAME if missing
#   scripts/postgres.sh drop-db NAME
#   scripts/postgres.sh drop-prefix PREFIX  drop every database whose name starts with PREFIX
#
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
set -euo pipefail
ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
say() { echo "[postgres] $*" >&2; }

psql_admin() { psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qAtX "$@"; }

ensure() {
  if ! command -v psql >/dev/null; then
    say "psql not found: install PostgreSQL (apt-get install postgresql) or point PG_ADMIN_URL at a server you have"; exit 1
  fi
  if psql_admin -c 'select 1' >/dev/null 2>&1; then return 0; fi
  if command -v pg_lsclusters >/dev/null; then
    local cluster
    cluster="$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')"
    if [[ -n "$cluster" ]]; then
      say "PostgreSQL is not answering; starting cluster $cluster…"
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster start >&2 || true
      for _ in $(seq 1 30); do psql_admin -c 'select 1' >/dev/null 2>&1 && { say "up"; return 0; }; sleep 1; done
    fi
  fi
  say "cannot reach PostgreSQL at $ADMIN_URL: start it (pg_ctlcluster <version> main start) or set PG_ADMIN_URL"; exit 1
}

valid_name() { [[ "$1" =~ ^[a-zA-Z_][a-zA-Z0-9_]*$ ]] || { say "invalid database name '$1'"; exit 2; }; }

case "${1:-}" in
  ensure) ensure ;;
  create-db)
    valid_name "${2:?name}"
    if [[ "$(psql_admin -c "select 1 from pg_database where datname = '$2'")" != "1" ]]; then
      psql_admin -c "create database \"$2\""; say "created database $2"
    fi ;;
  drop-db) valid_name "${2:?name}"; psql_admin -c "drop database if exists \"$2\" with (force)" ;;
  drop-prefix)
    valid_name "${2:?prefix}"
    for db in $(psql_admin -c "select datname from pg_database where datname like '${2}%'"); do
      psql_admin -c "drop database if exists \"$db\" with (force)"
    done ;;
  *) echo "usage: $0 ensure|create-db NAME|drop-db NAME|drop-prefix PREFIX" >&2; exit 2 ;;
esac
