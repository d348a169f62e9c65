"""gunicorn's threaded worker, with the security headers on the error pages gunicorn writes
itself (400 for a malformed request, 414 for a request line over 4094 bytes, 431 for
oversized headers): those requests never reach the app, so its headers are not added.

``gunicorn.conf.py`` names :class:`HardenedThreadWorker` as ``worker_class``. Each worker also
bounds glibc's malloc arenas before its threads start (:func:`limit_malloc_arenas`) and hands
freed memory back to the system now and then (:class:`FreedMemoryTrimmer`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
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


#: Seconds between two hand-backs of freed memory to the system in one worker.
TRIM_SECONDS = 2.0


def _libc_function(name: str) -> Any:
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas of this process at ``arenas``; False on another C library.

    Call before the process starts threads (an arena, once made, stays).
    """
    mallopt = _libc_function("mallopt")
    return bool(mallopt is not None and mallopt(_M_ARENA_MAX, int(arenas)) == 1)


class FreedMemoryTrimmer:
    """Hands the pages malloc keeps free inside its heaps back to the system (glibc's
    ``malloc_trim``) at most once per ``seconds``: numpy's buffers of a few MB are freed in
    the middle of a heap, which malloc keeps, so a worker's resident size would creep up with
    fragmentation. A trim takes a few ms when there is something to return."""

    def __init__(self, seconds: float = TRIM_SECONDS) -> None:
        self.seconds = seconds
        self._trim = _libc_function("malloc_trim")
        self._lock = threading.Lock()
        self._next = 0.0

    def __call__(self) -> None:
        if self._trim is None:
            return
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                return
            self._next = now + self.seconds
        self._trim(0)


class HardenedThreadWorker(ThreadWorker):
    """``gthread``, with :data:`SECURITY_HEADERS` on gunicorn's own error pages, at most
    :data:`MALLOC_ARENAS` malloc arenas, and freed memory handed back every
    :data:`TRIM_SECONDS` (after a request)."""

    def init_process(self) -> None:
        limit_malloc_arenas()
        self._trim_freed_memory = FreedMemoryTrimmer()
        super().init_process()

    def handle_request(self, req: Any, conn: Any) -> Any:
        try:
            return super().handle_request(req, conn)
        finally:
            self._trim_freed_memory()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _HeadersAfterStatusLine(client), addr, exc)
