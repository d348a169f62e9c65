"""The per-process image store: single-flight LRU, uploads stored by content hash."""

from __future__ import annotations

import threading

import pytest

from dashboard.data.image_store import _LRU


def test_lru_evicts_least_recently_used():
    lru = _LRU(2)
    assert lru.get("a", lambda: 1) == 1
    assert lru.get("b", lambda: 2) == 2
    assert lru.get("a", lambda: 99) == 1  # hit: "a" is now the most recent
    assert lru.get("c", lambda: 3) == 3  # evicts "b"
    assert lru.get("b", lambda: 4) == 4
    assert lru.get("a", lambda: 5) == 5  # "a" was evicted by "b"


def test_concurrent_misses_build_once():
    lru = _LRU(4)
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_factory():
        calls.append(1)
        started.set()
        release.wait(10)
        return "value"

    results = []
    first = threading.Thread(target=lambda: results.append(lru.get("k", slow_factory)))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=lambda: results.append(lru.get("k", slow_factory)))
              for _ in range(3)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join(10)
    assert results == ["value"] * 4
    assert calls == [1]


def test_failed_build_is_retried_by_the_next_caller():
    lru = _LRU(2)

    def boom():
        raise ValueError("bad image")

    with pytest.raises(ValueError, match="bad image"):
        lru.get("k", boom)
    assert lru.get("k", lambda: 7) == 7
