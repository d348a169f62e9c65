"""``python -m dashboard serve``: gunicorn with the Procfile's settings, no development server."""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from gunicorn.workers.gthread import ThreadWorker

from dashboard.cli.serve import GUNICORN_CONFIG, DashboardServer, bind_address
from dashboard.config import REPO_ROOT, load_settings
from tests.support.processes import free_port, wait_until

#: Variables of the caller's shell that would change what the server under test does.
FOREIGN_VARIABLES = {"HOST", "PORT", "REDIS_URL", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"}


def test_the_server_takes_every_setting_of_gunicorn_conf_but_the_address():
    settings = load_settings({}, host="127.0.0.1", port=8123)
    server = DashboardServer(settings)
    assert server.cfg.bind == ["127.0.0.1:8123"]
    shared = {
        name: value
        for name, value in runpy.run_path(str(GUNICORN_CONFIG)).items()
        if name in server.cfg.settings and name != "bind"
    }
    assert {"workers", "worker_class", "threads", "timeout", "max_requests"} <= set(shared)
    for name, value in shared.items():
        assert server.cfg.settings[name].get() == value, name
    assert server.cfg.worker_class_str == "dashboard.server.gunicorn_worker.HardenedThreadWorker"
    assert issubclass(server.cfg.worker_class, ThreadWorker) and not server.cfg.preload_app


def test_an_ipv6_host_is_bracketed():
    assert bind_address("::1", 8050) == "[::1]:8050"
    assert bind_address("0.0.0.0", 80) == "0.0.0.0:80"


@pytest.mark.slow
@pytest.mark.deploy
def test_serve_answers_under_gunicorn_and_stops_on_sigterm(tmp_path: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DASHBOARD_") and key not in FOREIGN_VARIABLES
    }
    # One worker is enough to see the production server, and kinder to a shared machine.
    env.update(DASHBOARD_CACHE_DIR=str(tmp_path / "cache"), WEB_CONCURRENCY="1",
               PYTHONUNBUFFERED="1")
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=err,
        )

    def logs() -> str:
        return f"stdout:\n{out_path.read_text()}\nstderr:\n{err_path.read_text()}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early ({process.returncode}):\n{logs()}")
        return requests.get(f"{base}/healthz", timeout=5).ok

    try:
        wait_until(healthy, timeout=90, what="/healthz", interval=0.2)
        page = requests.get(f"{base}/", timeout=30)
        assert page.status_code == 200
        assert "_dash-config" in page.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, logs()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    stdout, stderr = out_path.read_text(), err_path.read_text()
    assert f"http://127.0.0.1:{port}/" in stdout
    assert "development server" not in stdout + stderr
    assert f"Listening at: http://127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr, stderr
