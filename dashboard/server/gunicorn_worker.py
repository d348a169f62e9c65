"""gunicorn's threaded worker, with the security headers on the error pages gunicorn writes
itself (400 for a malformed request, 414 for a request line over 4094 bytes, 431 for
oversized headers): those requests never reach the app, so its headers are not added.

``gunicorn.conf.py`` names :class:`HardenedThreadWorker` as ``worker_class``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from dashboard.server.http_headers import SECURITY_HEADERS

_HEADER_LINES = "".join(f"{name}: {value}\r\n" for name, value in SECURITY_HEADERS.items())
_EXTRA_HEADERS = (_HEADER_LINES + "Cache-Control: no-store\r\n").encode("latin-1")


class _HeadersAfterStatusLine:
    """A client socket whose first write, gunicorn's whole error response in one buffer,
    gets the security headers inserted after its status line; anything else is the socket's."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._first = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data: bytes, *args: Any) -> Any:
        if self._first:
            self._first = False
            status_line, end, rest = bytes(data).partition(b"\r\n")
            if end and status_line.startswith(b"HTTP/"):
                data = status_line + end + _EXTRA_HEADERS + rest
        return self._sock.sendall(data, *args)


class HardenedThreadWorker(ThreadWorker):
    """``gthread``, with :data:`SECURITY_HEADERS` on gunicorn's own error pages."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _HeadersAfterStatusLine(client), addr, exc)
