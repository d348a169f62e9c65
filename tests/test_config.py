"""dashboard.config: the native thread pools the entry points set before numpy loads."""

from __future__ import annotations

import os
import subprocess
import sys

from dashboard.config import NATIVE_THREAD_VARIABLES, limit_native_threads
from tests.support.processes import REPO_ROOT


def test_native_threads_default_to_one_and_keep_an_explicit_choice():
    environ = {"OMP_NUM_THREADS": "4"}
    limit_native_threads(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "4",
                       "MKL_NUM_THREADS": "1"}


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in NATIVE_THREAD_VARIABLES}


def test_gunicorn_conf_limits_the_workers_native_threads():
    script = ("import runpy, os; runpy.run_path('gunicorn.conf.py'); "
              "print(os.environ['OPENBLAS_NUM_THREADS'], 'numpy' in __import__('sys').modules)")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=_clean_environment(), timeout=60, check=True)
    # Set before the workers import the app, and the config itself loads no numpy.
    assert done.stdout.split() == ["1", "False"]


def test_python_m_dashboard_gives_numpy_one_native_thread():
    script = ("import os, runpy, sys; sys.argv = ['dashboard', '--help']\n"
              "try:\n    runpy.run_module('dashboard', run_name='__main__')\n"
              "except SystemExit:\n    pass\n"
              "import numpy\n"
              "print('LIMIT', os.environ['OPENBLAS_NUM_THREADS'])")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=_clean_environment(), timeout=60, check=True)
    assert "LIMIT 1" in done.stdout
