"""A Flask server on 127.0.0.1 in a background thread, for browser tests and benchmarks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request (benchmark and test output stays readable); errors are
    still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@contextmanager
def serving(server: Flask) -> Iterator[str]:
    """Serve ``server`` with werkzeug (threaded) on 127.0.0.1:<free port>; yield its URL."""
    http = make_server("127.0.0.1", 0, server, threaded=True,
                       request_handler=QuietRequestHandler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)
