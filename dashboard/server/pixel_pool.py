"""A few low-priority threads for pixel work: a request hands its passes over an image to
them and waits.

A slider move asks the server for a cheap figure update and for heavy pixel work at once (a
denoiser over every pixel, the pictures). On the pool's threads the pixel work runs at a
lower scheduling priority (``nice`` +:data:`NICENESS`, Linux), so the figure updates of this
and every other user are computed first whenever the cores are busy; with idle cores the pixel
work runs at full speed. The threads are this process's own: a request thread cannot lower its
priority for one task and raise it again without privileges, a dedicated thread stays low.
numpy and Pillow release the GIL in their loops, so the threads run in parallel.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

#: Threads of the pool: one per core of the two-core machines the app is sized for.
PIXEL_THREADS = 2
#: How much lower than the request threads the pool's threads run (0 to 19).
NICENESS = 10

T = TypeVar("T")
R = TypeVar("R")

_POOL: ThreadPoolExecutor | None = None
_LOCK = threading.Lock()


def _lower_priority() -> None:
    """Raise this thread's niceness (Linux: a thread id names the thread); elsewhere, or if
    refused, the thread keeps its priority."""
    if NICENESS <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICENESS)
    except OSError:
        pass


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=PIXEL_THREADS, thread_name_prefix="pixels",
                                       initializer=_lower_priority)
        return _POOL


def run(function: Callable[[], R]) -> R:
    """``function()`` on a pool thread; its result (or its exception) here."""
    return _pool().submit(function).result()


def run_each(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[function(item) for item in items]``, the items spread over the pool's threads."""
    return list(_pool().map(function, items))
