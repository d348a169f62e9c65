# Sourced by serve.sh, test.sh and scripts/python: choose the Python to install into and set $PY.
# A distribution Python marked externally managed (Debian 12's /usr/bin/python3, PEP 668)
# gets a virtual environment in .venv; any other Python (pyenv, a venv, a container) is used
# as it is. With PYTHON_ENV_CREATE=0 (scripts/python) nothing is created: a missing .venv is
# an error that says which setup command makes it.
PYTHON_ENV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

PY="${PYTHON:-python3}"
if [ -z "${VIRTUAL_ENV:-}" ] && "$PY" - <<'PYCODE'
import pathlib, sys, sysconfig
# The marker binds only the distribution's own environment, never a venv made from it.
marker = pathlib.Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED"
sys.exit(0 if marker.exists() and sys.prefix == sys.base_prefix else 1)
PYCODE
then
  if [ ! -x "$PYTHON_ENV_ROOT/.venv/bin/python" ]; then
    if [ "${PYTHON_ENV_CREATE:-1}" = 0 ]; then
      echo "error: no Python environment in $PYTHON_ENV_ROOT/.venv yet;" \
        "run \`bash scripts/serve.sh\` or \`bash scripts/test.sh\` first" >&2
      return 1
    fi
    echo "Creating the Python environment in .venv (this system's Python is managed by apt)"
    "$PY" -m venv "$PYTHON_ENV_ROOT/.venv" 2>/dev/null \
      || { apt_install python3-venv && "$PY" -m venv "$PYTHON_ENV_ROOT/.venv"; }
  fi
  PY="$PYTHON_ENV_ROOT/.venv/bin/python"
fi
export PY
