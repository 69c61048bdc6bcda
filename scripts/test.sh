#!/usr/bin/env bash
# Install everything into .venv and run the checks and the whole test suite (CI runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# torch only exports the local model to ONNX once; 2.13.0 is the CPU build (no CUDA download).
"$VENV/bin/pip" install -q torch==2.13.0
"$VENV/bin/pip" install -q -e ".[local,dev]"
"$VENV/bin/ruff" check src tests benchmarks
"$VENV/bin/ruff" format --check src tests benchmarks
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
"$VENV/bin/python" -m pytest --cov --cov-report=term "$@"
