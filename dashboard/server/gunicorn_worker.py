"""gunicorn's threaded worker, with the security headers on the error pages gunicorn writes
itself (400 for a malformed request, 414 for a request line over 4094 bytes, 431 for
oversized headers): those requests never reach the app, so its headers are not added.

``gunicorn.conf.py`` names :class:`HardenedThreadWorker` as ``worker_class``. Each worker also
bounds glibc's malloc arenas before its threads start (:func:`limit_malloc_arenas`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


#: glibc malloc arenas a worker may use. By default glibc gives each thread that allocates at
#: once its own arena (up to 8 per core), and each keeps the multi-megabyte numpy buffers of
#: past requests: a worker's resident size then grows with every thread that ever rendered.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas of this process at ``arenas``; False on another C library.

    Call before the process starts threads (an arena, once made, stays).
    """
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    return bool(mallopt is not None and mallopt(_M_ARENA_MAX, int(arenas)) == 1)


class HardenedThreadWorker(ThreadWorker):
    """``gthread``, with :data:`SECURITY_HEADERS` on gunicorn's own error pages and at most
    :data:`MALLOC_ARENAS` malloc arenas."""

    def init_process(self) -> None:
        limit_malloc_arenas()
        super().init_process()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _HeadersAfterStatusLine(client), addr, exc)
