# Sourced by the other scripts: create .venv (or $VENV) and install engramdb with the given extras.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# torch only exports the local model to ONNX once; 2.13.0 is the CPU build (no CUDA download).
"$VENV/bin/pip" install -q torch==2.13.0
"$VENV/bin/pip" install -q -e ".[$1]"
