#!/usr/bin/env bash
# Install engramdb into .venv, store a sample conversation, and show recalls with their reasons.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q torch==2.13.0
"$VENV/bin/pip" install -q -e ".[local]"
"$VENV/bin/engramdb" demo
