"""Where the explorer's pixels come from, and the per-process memory that keeps them hot.

A *source* is an artwork id from the catalogue (or an embedded sample) or ``upload:<sha256>``.
Big arrays (the decoded images, each seed's noise) stay in this process, in LRU maps bounded
by count; only small values ever become cache keys.

The noise of a seed is shared by every image: the field of an image is the start of the
seed's stream of draws (:func:`dashboard.core.noise.seed_stream`), a view of one array of the
largest analysed size, and the stream is sorted block by block once
(:class:`~dashboard.core.noise.SortedStream`), so switching images draws and sorts nothing.
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
from dashboard.core.distributions import NoiseAnalyser, NoiseSample, NoisyDistributions
from dashboard.core.images import ImageError, NormalisedImage, decode_image, load_image
from dashboard.core.noise import SortedStream, seed_stream, validate_seed
from dashboard.data.corpus import Corpus
from dashboard.data.files import write_atomically

UPLOAD_PREFIX = "upload:"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

T = TypeVar("T")


class UnknownSourceError(ValueError):
    """A source that is neither in the catalogue nor a stored upload."""


class SourceUnavailableError(ValueError):
    """A known source whose image cannot be decoded (corrupt, truncated, too large)."""


class SingleFlightLRU:
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


class SharedNoiseAnalyser(NoiseAnalyser):
    """A :class:`NoiseAnalyser` whose field and sorted sample are shared with every image of
    the same size and seed (``sample`` is built by ``sample_factory``, once per size and seed)."""

    def __init__(self, image: np.ndarray, seed: int, field: np.ndarray,
                 sample_factory: Callable[[], NoiseSample]) -> None:
        super().__init__(image, seed=seed, field=field)
        self._sample_factory = sample_factory

    @property
    def sample(self) -> NoiseSample:
        return self._sample_factory()


def upload_source(sha256: str) -> str:
    """The source name of an upload."""
    return f"{UPLOAD_PREFIX}{sha256}"


class ImageStore:
    """Decoded images, noise streams and noise analysers for one app (one per worker).

    Memory (1024-pixel long side): an image 2.4-3.1 MB, a seed's stream and its sorted blocks
    25 MB, the sorted draws of an image size at most 1 MB beyond them, an analyser little
    beyond its image (its field is a view of the stream), a noisy image 2.4 MB, a picture
    0.3-0.5 MB: ~0.25 GB when every map is full.
    """

    #: Entries per map: enough for the artworks a few dozen visitors look at at once.
    IMAGES = 32
    ANALYSERS = 32
    SEEDS = 3
    SAMPLES = 32
    NOISY_IMAGES = 12
    MOVES = 6
    PICTURES = 48

    def __init__(self, settings: Settings, corpus: Corpus) -> None:
        self.settings = settings
        self.corpus = corpus
        self._images = SingleFlightLRU(self.IMAGES)
        self._analysers = SingleFlightLRU(self.ANALYSERS)
        self._streams = SingleFlightLRU(self.SEEDS)
        self._samples = SingleFlightLRU(self.SAMPLES)
        self._noisy_images = SingleFlightLRU(self.NOISY_IMAGES)
        self._moves = SingleFlightLRU(self.MOVES)
        self._pictures = SingleFlightLRU(self.PICTURES)

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
        """The noise analyser of ``source`` and ``seed``; its field is the start of the seed's
        stream (:meth:`field`), equal to ``standard_normal_field(shape, seed)``."""
        seed = validate_seed(seed)
        key = (source, self.version(source), seed)

        def build() -> NoiseAnalyser:
            image = self.rgb(source)
            return SharedNoiseAnalyser(image, seed, self.field(image.shape, seed),
                                       lambda: self.sample(image.shape, seed))

        return self._analysers.get(key, build)

    def _stream_size(self) -> int:
        side = self.settings.max_side
        return side * side * 3

    def _sorted_stream(self, seed: int) -> SortedStream:
        """The seed's draws for the largest analysed image, sorted block by block once."""
        return self._streams.get(seed, lambda: SortedStream(
            seed_stream(seed, self._stream_size())))

    def field(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        """The standard-normal field of ``shape`` and ``seed`` (float32, read-only): a view of
        the seed's stream, or a new draw for a shape larger than the analysis size."""
        size = int(np.prod(shape))
        if size > self._stream_size():
            field = seed_stream(seed, size).reshape(shape)
        else:
            stream = self._sorted_stream(seed).stream
            field = stream[:size].reshape(shape)
        field.flags.writeable = False
        return field

    def sample(self, shape: tuple[int, ...], seed: int) -> NoiseSample:
        """The sorted draws and moments of the field of ``shape`` and ``seed``, shared by
        every image of that shape."""
        shape = tuple(int(n) for n in shape)

        def build() -> NoiseSample:
            field = self.field(shape, seed)
            if field.size > self._stream_size():
                return NoiseSample(field)
            return NoiseSample(field, sorted_z=self._sorted_stream(seed).prefix(field.size))

        return self._samples.get((shape, seed), build)

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
