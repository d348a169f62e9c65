"""The dashboard's server plus a few probe routes, for the deploy and hardening tests.

gunicorn loads ``tests.support.probe_app:server``; the hardening tests call
:func:`build_server` in process. The server is the real one from
``dashboard.app.create_app`` when that module exists, otherwise
:func:`minimal_dash_app` (the same cache and HTTP set-up around a one-slider page).
Probe routes:

* ``/_probe/square/<n>``: a memoized ``n * n``; each real computation leaves a
  marker file ``<cache_dir>/probe-computations/<n>-<pid>-<uuid>``, and the JSON
  reply says which worker pid answered and whether it computed.
* ``/_probe/boom``: raises an exception whose text must never reach the client.

and a Dash callback ``probe-callback-out.children`` that always raises.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path
from typing import Any

import dash
from dash import Input, Output, dcc, html
from flask import Flask, current_app, jsonify

from dashboard.config import Settings, load_settings
from dashboard.server.cache import cache, init_cache
from dashboard.server.hardening import install

SECRET = "probe-secret-7f3a"


def real_app_available() -> bool:
    """True when ``dashboard/app.py`` is importable."""
    return importlib.util.find_spec("dashboard.app") is not None


def minimal_dash_app(settings: Settings) -> dash.Dash:
    """A one-slider Dash app wired like the real one (cache + web hardening)."""
    server = Flask(__name__)
    app = dash.Dash(__name__, server=server, title="probe")
    app.layout = html.Div(
        [
            dcc.Slider(id="probe-slider", min=0, max=10, step=1, value=3),
            html.Div(id="probe-output"),
        ]
    )

    @app.callback(Output("probe-output", "children"), Input("probe-slider", "value"))
    def show_square(value: int) -> str:
        return f"square={squared(int(value))}"

    init_cache(server, settings, redis_retry_seconds=0.2)
    install(server, settings)
    return app


@cache.memoize()
def squared(n: int) -> int:
    """``n * n``, leaving one marker file per real computation."""
    marker_dir = Path(current_app.config["PROBE_CACHE_DIR"]) / "probe-computations"
    marker_dir.mkdir(parents=True, exist_ok=True)
    (marker_dir / f"{n}-{os.getpid()}-{uuid.uuid4().hex}").touch()
    return n * n


def add_probe_routes(server: Flask, settings: Settings) -> None:
    """The ``/_probe/...`` routes described in the module docstring."""
    marker_dir = Path(settings.cache_dir) / "probe-computations"

    def square(n: int) -> Any:
        before = len(list(marker_dir.glob(f"{n}-*"))) if marker_dir.is_dir() else 0
        value = squared(n)
        after = len(list(marker_dir.glob(f"{n}-*")))
        return jsonify({"n": n, "square": value, "pid": os.getpid(), "computed": after > before})

    def boom() -> Any:
        raise RuntimeError(f"boom {SECRET}")

    server.add_url_rule("/_probe/square/<int:n>", "probe_square", square)
    server.add_url_rule("/_probe/boom", "probe_boom", boom)


def build_server(settings: Settings | None = None) -> Flask:
    """The dashboard's Flask server (real or minimal) with the probe routes added."""
    settings = load_settings() if settings is None else settings
    if real_app_available():
        from dashboard.app import create_app

        app = create_app(settings)
    else:
        app = minimal_dash_app(settings)
    app.server.config["PROBE_CACHE_DIR"] = str(settings.cache_dir)

    # Not in any layout, so no browser calls it; tests POST to it directly.
    @app.callback(Output("probe-callback-out", "children"), Input("probe-callback-in", "value"))
    def failing_callback(value: str) -> str:
        raise RuntimeError(f"callback failed {SECRET} {value}")

    add_probe_routes(app.server, settings)
    return app.server


def __getattr__(name: str) -> Any:
    # Built on first access, in the gunicorn worker, like dashboard.app:server.
    if name == "server":
        server = build_server()
        if real_app_available():
            server.test_client().get("/_dash-layout")  # as dashboard.app.prepare_to_serve
        globals()["server"] = server
        return server
    raise AttributeError(name)
