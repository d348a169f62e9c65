"""Where the explorer's pixels come from, and the per-process memory that keeps them hot.

A *source* is an artwork id from the catalogue (or an embedded sample) or ``upload:<sha256>``.
Big arrays (the decoded image, the seeded noise field and its scratch buffers) stay in this
process, in small LRU maps; only small values ever become cache keys.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from dashboard.config import Settings
from dashboard.core.distributions import NoiseAnalyser, NoisyDistributions
from dashboard.core.images import ImageError, NormalisedImage, decode_image, load_image
from dashboard.data.corpus import Corpus
from dashboard.data.files import write_atomically

UPLOAD_PREFIX = "upload:"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

T = TypeVar("T")


class UnknownSourceError(ValueError):
    """A source that is neither in the catalogue nor a stored upload."""


class SourceUnavailableError(ValueError):
    """A known source whose image cannot be decoded (corrupt, truncated, too large)."""


class _LRU:
    """A tiny thread-safe LRU map whose values are built on a miss by ``factory``.

    Single flight: concurrent requests for a missing key wait for one build instead of
    computing the same array twice (a slider move sends several requests at once).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict = OrderedDict()
        self._building: dict = {}
        self._lock = threading.Lock()

    def get(self, key, factory: Callable[[], T]) -> T:
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                pending = self._building.get(key)
                if pending is None:
                    pending = self._building[key] = threading.Event()
                    break
            pending.wait()
            # The builder finished (or failed); look again, and build if it failed.
        try:
            value = factory()
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._building[key]
            pending.set()


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None on another C library."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def return_freed_memory() -> None:
    """Hand memory freed by a large decode back to the operating system.

    glibc keeps freed blocks below its (adaptive) mmap threshold in each thread's arena, so
    without this a worker's resident size would stay at its peak after every upload.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def upload_source(sha256: str) -> str:
    """The source name of an upload."""
    return f"{UPLOAD_PREFIX}{sha256}"


class ImageStore:
    """Decoded images, noise fields and noise renderers for one app (one per worker)."""

    def __init__(self, settings: Settings, corpus: Corpus) -> None:
        self.settings = settings
        self.corpus = corpus
        self._images = _LRU(8)
        self._analysers = _LRU(3)
        self._noisy_images = _LRU(6)
        self._moves = _LRU(6)
        self._pictures = _LRU(24)

    # -- sources -----------------------------------------------------------------------------
    def _upload_path(self, source: str) -> Path | None:
        sha = source.removeprefix(UPLOAD_PREFIX)
        if not source.startswith(UPLOAD_PREFIX) or not _SHA256.fullmatch(sha):
            return None
        return self.settings.uploads_dir / f"{sha}.png"

    def is_known(self, source: str) -> bool:
        """Whether ``source`` names an available artwork, sample or stored upload."""
        if not isinstance(source, str):
            return False
        if source.startswith(UPLOAD_PREFIX):
            path = self._upload_path(source)
            return path is not None and path.is_file()
        return source in self.corpus and self.corpus.available(source)

    def version(self, source: str) -> str:
        """A short tag that changes when the pixels of ``source`` would: the file's size and
        modification time, and the analysis size. Part of every cache key."""
        if not self.is_known(source):
            raise UnknownSourceError(f"unknown image {source!r}")
        path = (self._upload_path(source) if source.startswith(UPLOAD_PREFIX)
                else self.corpus.path(source))
        stat = path.stat()
        return f"{stat.st_size}-{stat.st_mtime_ns}-{self.settings.max_side}"

    def rgb(self, source: str) -> np.ndarray:
        """The analysed RGB uint8 image of ``source`` (long side ≤ settings.max_side).

        Raises UnknownSourceError, or SourceUnavailableError with the decoder's message.
        """
        key = (source, self.version(source))
        return self._images.get(key, lambda: self._load(source))

    def _load(self, source: str) -> np.ndarray:
        try:
            if source.startswith(UPLOAD_PREFIX):
                return load_image(self._upload_path(source), max_side=self.settings.max_side,
                                  max_pixels=self.settings.max_pixels).pixels
            return self.corpus.load(source, max_side=self.settings.max_side)
        except ImageError as error:
            raise SourceUnavailableError(f"This image cannot be shown: {error}") from None

    def analyser(self, source: str, seed: int) -> NoiseAnalyser:
        """The noise analyser of ``source`` and ``seed`` (its field is drawn once per pair)."""
        key = (source, self.version(source), int(seed))
        return self._analysers.get(key, lambda: NoiseAnalyser(self.rgb(source), seed=int(seed)))

    def noisy_image(self, source: str, mean: float, variance: float, seed: int) -> np.ndarray:
        """The noisy image (uint8) alone: what the picture and the noise tab need, without the
        histograms. Recent slider positions are kept in memory."""
        key = (source, self.version(source), int(seed), float(mean), float(variance))
        return self._noisy_images.get(
            key, lambda: self.analyser(source, seed).renderer.render(mean, variance))

    def noisy(self, source: str, mean: float, variance: float, seed: int) -> NoisyDistributions:
        """The noisy image and its PMFs/CDFs; recent slider positions are kept in memory."""
        key = (source, self.version(source), int(seed), float(mean), float(variance))
        return self._moves.get(key, lambda: self.analyser(source, seed).describe(
            self.noisy_image(source, mean, variance, seed), mean, variance))

    def picture(self, key: tuple, encode: Callable[[], bytes]) -> bytes:
        """Encoded picture bytes for ``key`` (which must include the source's version), kept
        for the last few pictures of this process."""
        return self._pictures.get(key, encode)

    # -- uploads -----------------------------------------------------------------------------
    def save_upload(self, data: bytes) -> tuple[str, NormalisedImage]:
        """Validate and store an uploaded image; return its source name and the decoded image.

        Decoding takes up to ``4 * settings.max_pixels`` bytes for a moment (the image is
        refused before decoding if it would need more); callers on a server run it in a
        heavy-computation slot. Stored uploads are kept within ``settings.uploads_max_bytes``
        (the least recently uploaded go first). Raises ``ImageError`` (a ValueError with a
        user-facing message) for bad uploads.
        """
        try:
            image = decode_image(data, max_side=self.settings.max_side,
                                 max_bytes=self.settings.max_upload_bytes,
                                 max_pixels=self.settings.max_pixels)
            source = upload_source(image.sha256)
            path = self._upload_path(source)
            if path.is_file():
                path.touch()  # most recently used: kept longest by the pruning below
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                buffer = io.BytesIO()
                Image.fromarray(image.pixels).save(buffer, format="PNG")
                write_atomically(path, buffer.getvalue())
                self._prune_uploads()
        finally:
            return_freed_memory()
        return source, image

    def _prune_uploads(self) -> None:
        """Remove the least recently uploaded images until the rest fit in
        ``settings.uploads_max_bytes``; the newest one always stays."""
        stored = []
        for path in self.settings.uploads_dir.glob("*.png"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # pruned by another worker meanwhile
                continue
            stored.append((stat.st_mtime, stat.st_size, path))
        stored.sort()
        total = sum(size for _, size, _ in stored)
        for _, size, path in stored[:-1]:
            if total <= self.settings.uploads_max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
