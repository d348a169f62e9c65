# Sourced by serve.sh and test.sh: choose the Python to install into and set $PY.
# A distribution Python marked externally managed (Debian 12's /usr/bin/python3, PEP 668)
# gets a virtual environment in .venv; any other Python (pyenv, a venv, a container) is used
# as it is.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

PY="${PYTHON:-python3}"
if [ -z "${VIRTUAL_ENV:-}" ] && "$PY" - <<'PYCODE'
import pathlib, sys, sysconfig
marker = pathlib.Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED"
sys.exit(0 if marker.exists() else 1)
PYCODE
then
  if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PY" -m venv .venv; }
  fi
  PY="$(pwd)/.venv/bin/python"
fi
export PY
