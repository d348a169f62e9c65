"""The per-process image store: single-flight LRU, uploads stored by content hash."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dashboard.config import load_settings
from dashboard.data.corpus import Corpus
from dashboard.data.image_store import ImageStore, SingleFlightLRU


def test_lru_evicts_least_recently_used():
    lru = SingleFlightLRU(2)
    assert lru.get("a", lambda: 1) == 1
    assert lru.get("b", lambda: 2) == 2
    assert lru.get("a", lambda: 99) == 1  # hit: "a" is now the most recent
    assert lru.get("c", lambda: 3) == 3  # evicts "b"
    assert lru.get("b", lambda: 4) == 4
    assert lru.get("a", lambda: 5) == 5  # "a" was evicted by "b"


def test_concurrent_misses_build_once():
    lru = SingleFlightLRU(4)
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
    lru = SingleFlightLRU(2)

    def boom():
        raise ValueError("bad image")

    with pytest.raises(ValueError, match="bad image"):
        lru.get("k", boom)
    assert lru.get("k", lambda: 7) == 7


def _upload_png(seed: int, side: int = 64) -> bytes:
    """A PNG of noise (it barely compresses: about 3 * side**2 bytes)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def test_stored_uploads_are_bounded_by_bytes_oldest_first(tmp_path: Path) -> None:
    settings = load_settings({}, cache_dir=tmp_path, artworks_dir=tmp_path / "none",
                             uploads_max_bytes=50_000)
    store = ImageStore(settings, Corpus.from_settings(settings))
    sources = []
    for seed in range(8):  # ~12.4 KB each
        source, _ = store.save_upload(_upload_png(seed))
        sources.append(source)
        stored = list(settings.uploads_dir.glob("*.png"))
        assert sum(path.stat().st_size for path in stored) <= 50_000
        time.sleep(0.01)  # distinct modification times
    kept = [store.is_known(source) for source in sources]
    assert kept == [False] * 4 + [True] * 4


def test_an_upload_larger_than_the_bound_is_still_kept_until_the_next(tmp_path: Path) -> None:
    settings = load_settings({}, cache_dir=tmp_path, artworks_dir=tmp_path / "none",
                             uploads_max_bytes=1_000)
    store = ImageStore(settings, Corpus.from_settings(settings))
    first, _ = store.save_upload(_upload_png(1))
    assert store.is_known(first)
    second, _ = store.save_upload(_upload_png(2))
    assert store.is_known(second) and not store.is_known(first)
