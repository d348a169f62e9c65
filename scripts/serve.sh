#!/usr/bin/env bash
# Install the runtime dependencies, then serve the dashboard on $HOST:$PORT
# (default 127.0.0.1:8050). Usage: bash scripts/serve.sh [serve options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
if "$PY" -c "import dash, gunicorn" 2>/dev/null; then
  echo "Checking the requirements (requirements.txt) for $PY"
else
  echo "Installing the requirements (requirements.txt) for $PY; the first time takes a minute"
fi
"$PY" -m pip install --disable-pip-version-check --root-user-action=ignore -q -r requirements.txt
echo "Starting the dashboard"
exec "$PY" -m dashboard serve "$@"
