"""Every ``scripts/python ...`` command of the README runs as written, in a fresh clone.

The commands are read from the README of the commit checked out (``HEAD``), and run with
bash from a ``git clone`` of that commit, so a file that is not committed cannot make them
pass. The clone uses the Python environment the setup commands made for this checkout.
Servers (``serve``, the browser and load benchmarks) run until stopped: they are left out.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.config import REPO_ROOT

PREFIX = "scripts/python "
FENCES = {"sh", "bash"}
#: Commands that start a server and run until stopped.
LONG_RUNNING = ("bench_browser", "load_test")
TIMEOUT_S = 240
GIT_MISSING = "git is not installed: the README commands are run from a fresh clone"


def readme_commands(markdown: str) -> list[str]:
    """Lines starting ``scripts/python `` inside ```sh / ```bash fences (continuations joined),
    except those that start a long-running server."""
    commands: list[str] = []
    fence: str | None = None
    pending = ""
    for raw in markdown.splitlines():
        line = raw.strip()
        if pending:
            pending = pending[:-1].rstrip() + " " + line
        elif line.startswith("```"):
            fence = line[3:].strip().lower() if fence is None else None
            continue
        elif fence in FENCES and line.startswith(PREFIX):
            pending = line
        else:
            continue
        if pending.endswith("\\"):
            continue
        command, pending = pending, ""
        if not starts_a_server(command):
            commands.append(command)
    return commands


def starts_a_server(command: str) -> bool:
    """``serve``, ``-m dashboard`` without a command (it serves), or a server benchmark."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    if "serve" in words or any(name in command for name in LONG_RUNNING):
        return True
    if words[1:3] == ["-m", "dashboard"] and not {"-h", "--help"} & set(words):
        return len(words) == 3 or words[3].startswith("-")
    return False


def committed_readme() -> str:
    """README.md as committed at HEAD ('' without git)."""
    if shutil.which("git") is None:
        return ""
    shown = subprocess.run(["git", "show", "HEAD:README.md"], cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True)
    return shown.stdout


COMMANDS = readme_commands(committed_readme())


def test_commands_are_read_from_shell_blocks_only():
    markdown = "\n".join([
        "Run `scripts/python -m dashboard data status` to see.",
        "```sh",
        "bash scripts/serve.sh",
        "scripts/python -m dashboard report --artwork sample-astronaut \\",
        "    --json report.json   # the JSON report",
        "scripts/python -m dashboard serve --port 8051",
        "scripts/python -m dashboard --port 8051",
        "scripts/python -m dashboard --help",
        "scripts/python -m benchmarks.bench_browser",
        "```",
        "```python",
        "scripts/python -m dashboard data status",
        "```",
        "```bash",
        "  scripts/python -m benchmarks.bench_engine --repeats 5",
        "```",
    ])
    assert readme_commands(markdown) == [
        "scripts/python -m dashboard report --artwork sample-astronaut "
        "--json report.json   # the JSON report",
        "scripts/python -m dashboard --help",
        "scripts/python -m benchmarks.bench_engine --repeats 5",
    ]


def test_readme_commands_are_found():
    """Some command of the README must be checked (not a vacuous pass)."""
    if shutil.which("git") is None:
        pytest.skip(GIT_MISSING)
    assert COMMANDS, (
        f"README.md at HEAD has no line starting {PREFIX!r} in a ```sh or ```bash block: "
        "write the README's commands as `scripts/python -m ...`, so that they work after "
        "the setup commands on any system"
    )


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone of HEAD, using this checkout's Python environment."""
    if shutil.which("git") is None:
        pytest.skip(GIT_MISSING)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    target = tmp_path_factory.mktemp("clone") / "dashboard"
    subprocess.run(["git", "clone", "--quiet", "--shared", "--no-checkout", str(REPO_ROOT),
                    str(target)], check=True, timeout=120)
    subprocess.run(["git", "checkout", "--quiet", "--detach", head], cwd=target, check=True,
                   timeout=120)
    # The setup commands made .venv here when the system's Python is managed by apt.
    venv = REPO_ROOT / ".venv"
    if (venv / "bin" / "python").exists():
        (target / ".venv").symlink_to(venv, target_is_directory=True)
    return target


def command_environment() -> dict[str, str]:
    """The caller's environment without the dashboard's settings: the embedded samples."""
    foreign = {"HOST", "PORT", "REDIS_URL", "WEB_CONCURRENCY", "PYTHONPATH", "PYTHON"}
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DASHBOARD_") and key not in foreign}
    if not (REPO_ROOT / ".venv" / "bin" / "python").exists():
        env["PYTHON"] = sys.executable  # where the setup commands installed the packages
    return env


@pytest.mark.slow
@pytest.mark.deploy
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs_as_written(clone: Path, command: str):
    try:
        done = subprocess.run(["bash", "-c", command], cwd=clone, env=command_environment(),
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{command}` did not finish within {TIMEOUT_S} s")
    assert done.returncode == 0, (
        f"`{command}` exited {done.returncode}\nstdout:\n{done.stdout[-3000:]}\n"
        f"stderr:\n{done.stderr[-3000:]}"
    )
