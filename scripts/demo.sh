#!/usr/bin/env bash
# Set up, then start the dashboard; on first start it builds the demo warehouse by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"
