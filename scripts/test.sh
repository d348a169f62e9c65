#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python packages), then run them all.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install --disable-pip-version-check -q -r requirements-dev.txt

# The real Van Gogh corpus, when a copy sits beside this checkout (as in CI).
if [ -z "${DASHBOARD_ARTWORKS_DIR:-}" ] && [ -f ../shared/artworks/catalogue.csv ]; then
  export DASHBOARD_ARTWORKS_DIR
  DASHBOARD_ARTWORKS_DIR="$(cd ../shared/artworks && pwd)"
fi
echo "DASHBOARD_ARTWORKS_DIR=${DASHBOARD_ARTWORKS_DIR:-<unset: generated images and samples only>}"

exec python3 -m pytest "$@"
