"""The dashboard under gunicorn with a route that holds heavy-computation slots, for the tests
of a busy server (``tests.deploy.busy_app:server``).

* ``/_busy/hold``: takes one of the worker's heavy-computation slots (waiting in its queue
  like any heavy request) and keeps it until the file ``<DASHBOARD_CACHE_DIR>/release``
  exists (at most 120 s).
* ``BUSY_APP_MAX_WAITING`` (optional): the length of the slots' queue, instead of the
  default; 0 refuses every heavy request while the slots are held.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from dashboard.config import load_settings
from dashboard.server.hardening import _HEAVY_KEY, HeavyLimiter, heavy_slot
from tests.support.probe_app import build_server

HOLD_SECONDS = 120.0


def _build() -> Any:
    settings = load_settings()
    server = build_server(settings)
    release = Path(settings.cache_dir) / "release"
    if os.environ.get("BUSY_APP_MAX_WAITING"):
        server.extensions[_HEAVY_KEY] = HeavyLimiter(
            settings.max_heavy_computations, max_waiting=int(os.environ["BUSY_APP_MAX_WAITING"]))

    def hold() -> str:
        with heavy_slot():
            deadline = time.monotonic() + HOLD_SECONDS
            while not release.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return "held"

    server.add_url_rule("/_busy/hold", "busy_hold", hold)
    server.test_client().get("/_dash-layout")  # as dashboard.app.prepare_to_serve
    return server


def __getattr__(name: str) -> Any:
    # Built on first access, in the gunicorn worker, like dashboard.app:server.
    if name == "server":
        server = _build()
        globals()["server"] = server
        return server
    raise AttributeError(name)
