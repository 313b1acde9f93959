#!/usr/bin/env bash
# Set up, install Chromium for the browser tests, lint, and run every test (unit, AppTest, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
VENV="${TYONJAKO_VENV:-.venv}"
"$VENV/bin/ruff" check .
exec "$VENV/bin/python" -m pytest -q "$@"
