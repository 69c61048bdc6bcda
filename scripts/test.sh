#!/usr/bin/env bash
# Install everything into .venv and run the checks and the whole test suite (CI runs this).
source "$(dirname "$0")/_venv.sh" local,nlp,server,dev
"$VENV/bin/ruff" check src tests benchmarks
"$VENV/bin/ruff" format --check src tests benchmarks
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
"$VENV/bin/python" -m pytest --cov --cov-report=term "$@"
