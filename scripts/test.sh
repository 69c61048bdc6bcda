#!/usr/bin/env bash
# Install everything into .venv and run the checks and the whole test suite (CI runs this).
# A PostgreSQL server this script starts is stopped when it ends, whether the tests pass or not.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" local,nlp,server,postgres,llm,fast,langgraph,langmem,langchain,openai-agents,dev
"$VENV/bin/ruff" check src tests benchmarks examples
"$VENV/bin/ruff" format --check src tests benchmarks examples
"$VENV/bin/lint-imports"
# mypy is single-threaded, and so is most of the suite: it checks on the other core meanwhile
MYPY_LOG=$(mktemp)
"$VENV/bin/mypy" >"$MYPY_LOG" 2>&1 &
MYPY_PID=$!
# A real PostgreSQL with pgvector on 127.0.0.1 for the backend tests (they skip without one).
if ! bash scripts/postgres.sh status; then
  trap 'bash scripts/postgres.sh stop' EXIT  # started here: stopped here
fi
if DSN=$(bash scripts/postgres.sh); then
  export ENGRAMDB_TEST_PG_DSN=$DSN
else
  echo "WARNING: could not start PostgreSQL; the postgres backend tests will be skipped" >&2
fi
status=0
"$VENV/bin/python" -m pytest --cov --cov-report=term --durations=20 "$@" || status=$?
wait "$MYPY_PID" || status=1
cat "$MYPY_LOG"
exit "$status"
