"""The command line: dispatch, and clear errors for bad settings."""

from __future__ import annotations

import os
import subprocess
import sys

from dashboard.config import SettingsError, load_settings


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True,
                          text=True, timeout=60, env=environment)


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("[serve]", "report", "data"):
        assert f"python -m dashboard {command}" in result.stdout


def test_unknown_command_exits_2():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_port_in_the_environment_exits_2_with_the_variable_named():
    result = run("serve", PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: PORT='eighty' is not an integer"


def test_settings_precedence_argument_over_environment_over_default():
    assert load_settings(environ={}).port == 8050
    assert load_settings(environ={"PORT": "9000"}).port == 9000
    assert load_settings(environ={"PORT": "9000"}, port=9100).port == 9100
    assert load_settings(environ={"DASHBOARD_DEBUG": "yes"}).debug is True
    assert load_settings(environ={"REDIS_URL": ""}).redis_url is None


def test_bad_settings_name_the_variable():
    for environ, message in (({"PORT": "70000"}, "PORT=70000 is not a TCP port"),
                             ({"DASHBOARD_MAX_HEAVY": "0"}, "must be a positive integer"),
                             ({"DASHBOARD_DEBUG": "maybe"}, "is not a boolean"),
                             ({"PORT": "0"}, "PORT=0 is not a TCP port")):
        try:
            load_settings(environ=environ)
        except SettingsError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"{environ} was accepted")


def test_bad_arguments_are_one_line_errors():
    result = run("serve", "--port", "70000")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: PORT=70000 is not a TCP port (1..65535)"
    result = run("report", "--mean", "abc", "--json", "out.json")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: python -m dashboard report: argument --mean: invalid float value: 'abc' "
        "(see --help)"]
