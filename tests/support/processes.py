"""Ports, deadlines and child processes, for the deploy tests and the load benchmark."""

from __future__ import annotations

import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The WSGI target the Procfile serves.
PROCFILE_TARGET = "dashboard.app:server"
T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``check`` until it returns a truthy value, or fail after ``timeout`` seconds.

    An exception from ``check`` counts as "not yet" (and is named on timeout), except an
    ``AssertionError``, which fails at once.
    """
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


def procfile_command(
    app_target: str | None = None, *, bind: str | None = None, root: Path = REPO_ROOT
) -> list[str]:
    """The Procfile's ``web:`` command, ready for :class:`subprocess.Popen`.

    ``gunicorn`` is run as this interpreter's module, whatever ``PATH`` says;
    ``app_target`` replaces the WSGI target; ``bind`` ("host:port") is appended.
    """
    line = next(
        line for line in (root / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    argv = shlex.split(line.removeprefix("web:"))
    if app_target is not None:
        argv = [app_target if arg == PROCFILE_TARGET else arg for arg in argv]
    if argv[0] == "gunicorn":
        argv = [sys.executable, "-m", "gunicorn", *argv[1:]]
    if bind is not None:
        argv += ["--bind", bind]
    return argv


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM ``process`` (gunicorn shuts its workers down gracefully), SIGKILL after
    ``timeout`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def child_pids(pid: int) -> list[int]:
    """The living (not zombie) child processes of ``pid``, from /proc, ascending."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: fields follow the last ")".
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                children.append(int(entry.name))
    return sorted(children)
