"""Real headless Chromium (Debian's ``chromium``) driving the real app over loopback HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.config import load_settings


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def serve_app(settings) -> Iterator[str]:
    """Serve ``create_app(settings)`` with werkzeug on 127.0.0.1:<free port>; yield its URL."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The app on the embedded samples only."""
    root = tmp_path_factory.mktemp("browser-app")
    yield from serve_app(load_settings(environ={}, artworks_dir=root / "artworks",
                                       cache_dir=root / "cache"))
