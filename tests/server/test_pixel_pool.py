"""The pixel pool: work runs on its own lower-priority threads, results and errors come back."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from dashboard.server import pixel_pool


def test_work_runs_on_the_pools_threads_and_returns_its_results():
    here = threading.get_ident()
    assert pixel_pool.run(lambda: threading.get_ident()) != here
    assert pixel_pool.run_each(lambda n: n * n, range(5)) == [0, 1, 4, 9, 16]
    names = set(pixel_pool.run_each(lambda _: threading.current_thread().name, range(8)))
    assert names and all(name.startswith("pixels") for name in names)
    assert len(names) <= pixel_pool.PIXEL_THREADS


def test_an_error_reaches_the_caller():
    def fail():
        raise ValueError("bad pixels")

    with pytest.raises(ValueError, match="bad pixels"):
        pixel_pool.run(fail)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_the_pools_threads_run_at_a_lower_priority():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def new_pool() -> None:
        old, pixel_pool._POOL = pixel_pool._POOL, None
        if old is not None:
            old.shutdown(wait=True)

    # A new pool made from this thread: its threads start at this thread's niceness.
    new_pool()
    base = niceness()
    try:
        assert pixel_pool.run(niceness) == min(19, base + pixel_pool.NICENESS)
        assert niceness() == base  # the caller's own priority is untouched
    finally:
        new_pool()
