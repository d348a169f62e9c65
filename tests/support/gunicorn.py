"""The Procfile command under real gunicorn on 127.0.0.1, for the deploy tests and the load
benchmark."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.processes import (
    REPO_ROOT,
    child_pids,
    free_port,
    procfile_command,
    stop_process,
    wait_until,
)

HOST = "127.0.0.1"
#: Variables of the calling shell that would change the served app.
APP_VARIABLES = ("REDIS_URL", "PORT", "HOST")


@dataclass
class Gunicorn:
    """A gunicorn master started from the Procfile command, bound to 127.0.0.1."""

    process: subprocess.Popen
    port: int
    log_path: Path
    workers: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def get(self, path: str, **kwargs) -> requests.Response:
        # A new connection per request, so the kernel may hand it to either worker.
        return requests.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.base_url + path, timeout=30, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def stop(self) -> None:
        stop_process(self.process)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_gunicorn(
    workdir: Path,
    *,
    app_target: str | None = None,
    env: Mapping[str, str] | None = None,
    workers: int = 2,
    ready_path: str = "/healthz",
    inherit_app_environment: bool = False,
) -> Gunicorn:
    """Start the Procfile command on a free 127.0.0.1 port; wait until every worker answers.

    The cache lives in ``workdir/cache`` and the log in ``workdir/gunicorn.log``. The
    calling shell's ``DASHBOARD_*``, ``REDIS_URL``, ``PORT`` and ``HOST`` are dropped unless
    ``inherit_app_environment``; ``env`` is applied last.
    """
    port = free_port(HOST)
    log_path = workdir / "gunicorn.log"
    full_env = {
        key: value
        for key, value in os.environ.items()
        if inherit_app_environment
        or not (key.startswith("DASHBOARD_") or key in APP_VARIABLES)
    }
    full_env.update(
        {
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "DASHBOARD_CACHE_DIR": str(workdir / "cache"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    full_env.update(env or {})
    # Keep the server off the network: the config binds 0.0.0.0:$PORT.
    argv = procfile_command(app_target, bind=f"{HOST}:{port}")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    server = Gunicorn(process=process, port=port, log_path=log_path, workers=workers)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{server.log()}")
        return len(server.worker_pids()) == workers and server.get(ready_path).ok

    try:
        wait_until(ready, timeout=90, what="gunicorn workers", interval=0.2)
    except BaseException:
        server.stop()
        raise
    return server
