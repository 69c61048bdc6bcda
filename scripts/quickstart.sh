#!/usr/bin/env bash
# Install engramdb into .venv, store a sample conversation, and show recalls with their reasons.
source "$(dirname "$0")/_venv.sh" local,nlp
"$VENV/bin/engramdb" demo
