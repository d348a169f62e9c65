#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python packages), check the code with
# ruff and the import contracts, then run the tests.
# Usage: bash scripts/test.sh [pytest arguments]
#   bash scripts/test.sh -m "not browser and not deploy and not slow"    the fast tier, for everyday work
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/python-env.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt_install "${missing[@]}"
fi

"$PY" -m pip install --disable-pip-version-check -q -r requirements-dev.txt

# The real Van Gogh corpus, when a copy sits beside this checkout (as in CI).
if [ -z "${DASHBOARD_ARTWORKS_DIR:-}" ] && [ -f ../shared/artworks/catalogue.csv ]; then
  export DASHBOARD_ARTWORKS_DIR
  DASHBOARD_ARTWORKS_DIR="$(cd ../shared/artworks && pwd)"
fi
echo "DASHBOARD_ARTWORKS_DIR=${DASHBOARD_ARTWORKS_DIR:-<unset: generated images and samples only>}"

"$PY" -m ruff check --quiet .
# The import contracts in pyproject.toml ([tool.importlinter]): layers point down only.
"$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/lint-imports" --no-cache
exec "$PY" -m pytest "$@"
