#!/usr/bin/env bash
# Install the runtime dependencies, then serve the dashboard on $HOST:$PORT
# (default 127.0.0.1:8050). Usage: bash scripts/serve.sh [serve options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
"$PY" -m pip install --disable-pip-version-check -q -r requirements.txt
exec "$PY" -m dashboard serve "$@"
