#!/usr/bin/env bash
# Create .venv (if missing) and install the project with its dev extra. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TYONJAKO_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip uv
VIRTUAL_ENV="$PWD/$VENV" "$VENV/bin/uv" pip install --quiet -e ".[dev]"
