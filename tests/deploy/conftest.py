"""Fixtures for the deploy tests: a real redis-server, a real gunicorn, free ports, deadlines."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import redis
import requests

from benchmarks.load_test import child_pids, stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``check`` until it returns a truthy value, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = check()
        except AssertionError:
            raise
        except Exception as error:  # noqa: BLE001 - keep polling until the deadline
            last_error, result = error, None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} ({last_error!r})")
        time.sleep(interval)


@dataclass
class RedisServer:
    """A throw-away redis-server on 127.0.0.1 that a test can stop and start again."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("redis-server already running")
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--maxmemory", "64mb",
                "--maxmemory-policy", "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = self.client()
        wait_until(lambda: client.ping(), timeout=10, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server (``--save '' --appendonly no``) on a free port; stopped after."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def procfile_command(app_target: str | None = None) -> list[str]:
    """The ``web:`` command of the Procfile, with its WSGI target optionally replaced."""
    line = next(
        line
        for line in (REPO_ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    argv = shlex.split(line.removeprefix("web:"))
    if app_target is not None:
        argv = [app_target if arg == "dashboard.app:server" else arg for arg in argv]
    return argv




@dataclass
class Gunicorn:
    """A gunicorn master started from the Procfile command, bound to 127.0.0.1."""

    process: subprocess.Popen
    port: int
    log_path: Path
    workers: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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


def start_gunicorn(
    tmp_path: Path,
    *,
    app_target: str | None,
    env: dict[str, str],
    workers: int = 2,
    ready_path: str = "/healthz",
) -> Gunicorn:
    """Start the Procfile command on a free 127.0.0.1 port; wait until every worker answers."""
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DASHBOARD_") and key not in {"REDIS_URL", "PORT", "HOST"}
    }
    full_env.update(
        {
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "DASHBOARD_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    full_env.update(env)
    argv = procfile_command(app_target)
    if argv[0] == "gunicorn":
        # The gunicorn of this interpreter, whatever PATH says.
        argv = [sys.executable, "-m", "gunicorn", *argv[1:]]
    # Keep the test server off the network: the config binds 0.0.0.0:$PORT.
    argv += ["--bind", f"127.0.0.1:{port}"]
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
