"""Colour statistics of every artwork, computed once and kept on disk.

For each available entry of the corpus (paintings and scikit-image samples) the
index stores, in one ``.npz`` file named by the SHA-256 of the image file:

- ``pmfs``: per-channel PMFs over levels 0..255, ``(3, 256)``;
- the 3D colour histogram at ``INDEX_BINS`` bins per axis in RGB, HSV and Lab;
- a palette of up to ``STORED_PALETTE_SIZE`` colours with their shares of all pixels;
- colour statistics (``STAT_NAMES``) from :func:`dashboard.core.colours.colour_statistics`.

An entry is recomputed only when its file's bytes change (new SHA-256) or the index
parameters change (version, bins, long side: they name the index sub-folder). The
index lives beside the images (``artworks_dir/.index/``) when that folder is writable,
otherwise in ``settings.cache_dir/index/``.
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from dashboard.core.colours import (
    channel_pmfs,
    colour_histogram,
    colour_statistics,
    dominant_colours,
)
from dashboard.core.images import DEFAULT_MAX_PIXELS, ImageError, decode_image, sha256_hex
from dashboard.core.vocabulary import (
    CHANNELS,
    LEVELS,
    SPACES,
    STORED_PALETTE_SIZE,
    validate_int,
)
from dashboard.data.corpus import Artwork, Corpus, is_writable_dir
from dashboard.data.files import write_atomically

#: Bump when what is stored, or how it is computed, changes: old entries are then ignored.
INDEX_VERSION = 2
#: Bins per axis of the stored 3D colour histograms.
INDEX_BINS = 16
#: Neighbouring RGB bins (Chebyshev distance) merged into one palette colour.
PALETTE_MERGE_RADIUS = 1
#: The colour statistics stored per artwork, in column order of ``CorpusIndex.stats``.
STAT_NAMES: tuple[str, ...] = (
    "mean_lightness",
    "mean_saturation",
    "yellow_share",
    "blue_share",
    "entropy_bits",
)

_ENTRY_SUFFIX = ".npz"


# --- one artwork --------------------------------------------------------------------------


def artwork_features(pixels: np.ndarray) -> dict[str, np.ndarray]:
    """The stored statistics of one RGB ``uint8`` image, as arrays ready for ``np.savez``.

    Histograms are kept as integer pixel counts (exact); :class:`CorpusIndex` turns
    them into shares.
    """
    histograms = {space: colour_histogram(pixels, space, INDEX_BINS) for space in SPACES}
    palette = dominant_colours(
        histograms["rgb"], n_colours=STORED_PALETTE_SIZE, merge_radius=PALETTE_MERGE_RADIUS
    )
    k = len(palette.shares)
    palette_colours = np.zeros((STORED_PALETTE_SIZE, 3), dtype=np.uint8)
    palette_colours[:k] = palette.colours
    palette_shares = np.zeros(STORED_PALETTE_SIZE, dtype=np.float64)
    palette_shares[:k] = palette.shares
    stats = colour_statistics(pixels)
    features = {
        "version": np.array(INDEX_VERSION),
        "n_pixels": np.array(pixels.shape[0] * pixels.shape[1], dtype=np.int64),
        "shape": np.array(pixels.shape[:2], dtype=np.int64),
        "pmfs": channel_pmfs(pixels),
        "palette_colours": palette_colours,
        "palette_shares": palette_shares,
        "stats": np.array([getattr(stats, name) for name in STAT_NAMES], dtype=np.float64),
    }
    for space, hist in histograms.items():
        features[f"hist_{space}"] = hist.counts.reshape(-1).astype(np.int32)
    return features


def _features_from_bytes(data: bytes, max_side: int, max_pixels: int) -> dict[str, np.ndarray]:
    """Decode and describe one file (runs in a worker process when ``workers > 1``)."""
    image = decode_image(
        data, max_side=max_side, max_bytes=max(len(data), 1), max_pixels=max_pixels
    )
    return artwork_features(image.pixels)


def _valid_entry(entry: dict[str, np.ndarray]) -> bool:
    n_cells = INDEX_BINS**3
    try:
        return (
            int(entry["version"]) == INDEX_VERSION
            and entry["pmfs"].shape == (len(CHANNELS), LEVELS)
            and entry["palette_colours"].shape == (STORED_PALETTE_SIZE, 3)
            and entry["palette_shares"].shape == (STORED_PALETTE_SIZE,)
            and entry["stats"].shape == (len(STAT_NAMES),)
            and all(entry[f"hist_{s}"].shape == (n_cells,) for s in SPACES)
            and int(entry["n_pixels"]) > 0
        )
    except (KeyError, TypeError, ValueError):
        return False


def _read_entry(path: Path) -> dict[str, np.ndarray] | None:
    """A stored entry, or None if it is missing, unreadable or from another version."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            entry = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, KeyError):
        return None
    return entry if _valid_entry(entry) else None


def _write_entry(path: Path, entry: dict[str, np.ndarray]) -> None:
    """Write atomically, so readers (other workers) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **entry)
    write_atomically(path, buffer.getvalue())


# --- the loaded index ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CorpusIndex:
    """Stacked statistics of ``N`` artworks, in corpus order.

    Attributes
    ----------
    ids, sha256, periods : tuple[str, ...]
        Per row: artwork id, SHA-256 of its file, period id (``"sample"`` for samples).
    years : tuple[int | None, ...]
    pmfs : (N, 3, 256) float64
        Per-channel PMFs over levels 0..255 (rows red, green, blue; each sums to 1).
    histograms : dict[str, (N, bins**3) float64]
        3D colour histograms as shares of pixels, for ``"rgb"``, ``"hsv"``, ``"lab"``;
        flattened C-order from ``(bins, bins, bins)`` (see ``dashboard.core.colours``).
    palette_colours : (N, STORED_PALETTE_SIZE, 3) uint8
    palette_shares : (N, STORED_PALETTE_SIZE) float64
        Share of all pixels per palette colour; 0 marks an unused slot.
    stats : (N, len(STAT_NAMES)) float64
        Columns ``STAT_NAMES``: mean Lab L (0..100), mean HSV S (0..1), yellow and blue
        shares (0..1), entropy of the 3D RGB histogram (bits).
    n_pixels : (N,) int64
        Pixels analysed (after downscaling to ``max_side``).
    skipped : tuple[tuple[str, str], ...]
        ``(id, reason)`` for files that could not be decoded.
    location : Path | None
        The folder the entries were read from and written to (None: not stored).
    """

    ids: tuple[str, ...]
    sha256: tuple[str, ...]
    periods: tuple[str, ...]
    years: tuple[int | None, ...]
    pmfs: np.ndarray
    histograms: dict[str, np.ndarray]
    palette_colours: np.ndarray
    palette_shares: np.ndarray
    stats: np.ndarray
    n_pixels: np.ndarray
    bins: int = INDEX_BINS
    max_side: int = 1024
    skipped: tuple[tuple[str, str], ...] = ()
    location: Path | None = None
    _positions: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._positions.update({artwork_id: i for i, artwork_id in enumerate(self.ids)})

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, artwork_id: object) -> bool:
        return artwork_id in self._positions

    def position(self, artwork_id: str) -> int:
        """Row of ``artwork_id``; ``KeyError`` naming it if it is not indexed."""
        try:
            return self._positions[artwork_id]
        except (KeyError, TypeError):
            raise KeyError(f"artwork {artwork_id!r} is not in the index") from None

    def histogram(self, artwork_id: str, space: str = "rgb") -> np.ndarray:
        """The ``(bins, bins, bins)`` share histogram of one artwork in ``space``."""
        if space not in self.histograms:
            raise ValueError(f"space must be one of {', '.join(self.histograms)}; got {space!r}")
        row = self.histograms[space][self.position(artwork_id)]
        return row.reshape((self.bins,) * 3)

    def stat(self, name: str) -> np.ndarray:
        """Column ``name`` of :attr:`stats`, ``(N,)``."""
        if name not in STAT_NAMES:
            raise ValueError(f"name must be one of {', '.join(STAT_NAMES)}; got {name!r}")
        return self.stats[:, STAT_NAMES.index(name)]

    def stats_of(self, artwork_id: str) -> dict[str, float]:
        """The statistics of one artwork by name."""
        row = self.stats[self.position(artwork_id)]
        return {name: float(value) for name, value in zip(STAT_NAMES, row, strict=True)}

    def palette(self, artwork_id: str) -> tuple[np.ndarray, np.ndarray]:
        """``(colours (k, 3) uint8, shares (k,))`` of one artwork, unused slots dropped."""
        i = self.position(artwork_id)
        used = self.palette_shares[i] > 0
        return self.palette_colours[i][used], self.palette_shares[i][used]

    def period_mask(self, period: str) -> np.ndarray:
        """Boolean ``(N,)`` mask of the rows of ``period``."""
        return np.array([p == period for p in self.periods], dtype=bool)

    def select(self, ids: Iterable[str]) -> CorpusIndex:
        """A new index with only ``ids``, in that order."""
        rows = [self.position(i) for i in ids]
        return CorpusIndex(
            ids=tuple(self.ids[r] for r in rows),
            sha256=tuple(self.sha256[r] for r in rows),
            periods=tuple(self.periods[r] for r in rows),
            years=tuple(self.years[r] for r in rows),
            pmfs=self.pmfs[rows],
            histograms={s: h[rows] for s, h in self.histograms.items()},
            palette_colours=self.palette_colours[rows],
            palette_shares=self.palette_shares[rows],
            stats=self.stats[rows],
            n_pixels=self.n_pixels[rows],
            bins=self.bins,
            max_side=self.max_side,
            skipped=self.skipped,
            location=self.location,
        )


def _stack(
    artworks: list[Artwork],
    digests: list[str],
    entries: list[dict[str, np.ndarray]],
    *,
    max_side: int,
    skipped: tuple[tuple[str, str], ...],
    location: Path | None,
) -> CorpusIndex:
    n_cells = INDEX_BINS**3
    n_pixels = np.array([int(e["n_pixels"]) for e in entries], dtype=np.int64)

    def stacked(name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        if not entries:
            return np.zeros((0, *shape), dtype=dtype)
        return np.stack([e[name] for e in entries]).astype(dtype, copy=False)

    histograms = {
        space: stacked(f"hist_{space}", (n_cells,), np.float64) / np.maximum(n_pixels, 1)[:, None]
        for space in SPACES
    }
    return CorpusIndex(
        ids=tuple(a.id for a in artworks),
        sha256=tuple(digests),
        periods=tuple(a.period for a in artworks),
        years=tuple(a.year for a in artworks),
        pmfs=stacked("pmfs", (len(CHANNELS), LEVELS), np.float64),
        histograms=histograms,
        palette_colours=stacked("palette_colours", (STORED_PALETTE_SIZE, 3), np.uint8),
        palette_shares=stacked("palette_shares", (STORED_PALETTE_SIZE,), np.float64),
        stats=stacked("stats", (len(STAT_NAMES),), np.float64),
        n_pixels=n_pixels,
        max_side=max_side,
        skipped=skipped,
        location=location,
    )


# --- building -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What a build did: ids computed, ids reused from disk, ``(id, reason)`` skipped."""

    computed: tuple[str, ...]
    reused: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    pruned: int
    seconds: float
    location: Path | None

    def summary(self) -> str:
        """One line for people."""
        where = f" in {self.location}" if self.location else " (not stored)"
        return (
            f"index{where}: {len(self.computed)} computed, {len(self.reused)} reused, "
            f"{len(self.skipped)} skipped, {self.pruned} stale removed, {self.seconds:.1f} s"
        )


def index_parameters_name(max_side: int) -> str:
    """Name of the sub-folder holding entries of this version, binning and long side."""
    return f"v{INDEX_VERSION}-bins{INDEX_BINS}-side{max_side}"


def default_index_root(settings) -> Path:
    """``artworks_dir/.index`` if the artworks folder is writable, else ``cache_dir/index``."""
    if is_writable_dir(settings.artworks_dir):
        return Path(settings.artworks_dir) / ".index"
    return Path(settings.cache_dir) / "index"


def _usable_folder(folder: Path) -> bool:
    """Create ``folder`` if its nearest existing ancestor is writable; whether it is usable."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not is_writable_dir(existing):
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return is_writable_dir(folder)


def build_index(
    corpus: Corpus,
    index_root: str | Path | None,
    *,
    max_side: int = 1024,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    workers: int = 1,
    progress: bool = False,
    force: bool = False,
    prune: bool = False,
) -> tuple[CorpusIndex, BuildReport]:
    """Index every available entry of ``corpus``, reusing stored entries whose file is unchanged.

    Parameters
    ----------
    index_root : path or None
        Folder of the index (entries go in a sub-folder named by the parameters).
        ``None`` computes everything in memory without storing it.
    max_side : int
        Long side, pixels, images are downscaled to before computing (as in the app).
    workers : int
        Processes computing entries; 1 computes in this process.
    progress : bool
        Show a tqdm progress bar on stderr.
    force : bool
        Recompute every entry even if stored.
    prune : bool
        Delete stored entries of files no longer present.

    Files that cannot be decoded are skipped with a ``UserWarning`` naming them.
    """
    workers = validate_int(workers, "workers", 1)
    started = time.perf_counter()
    folder = None if index_root is None else Path(index_root) / index_parameters_name(max_side)
    if folder is not None and not _usable_folder(folder):
        warnings.warn(
            f"the index folder {folder} is not writable; computing the index in memory",
            UserWarning,
            stacklevel=2,
        )
        folder = None

    # Hash every file: an entry is reused only for the very same bytes.
    artworks: list[Artwork] = []
    contents: list[bytes] = []
    skipped: list[tuple[str, str]] = []
    for artwork in corpus.artworks(available_only=True):
        try:
            contents.append(corpus.path(artwork.id).read_bytes())
        except OSError as exc:
            skipped.append((artwork.id, f"cannot be read ({exc.strerror or exc})"))
            continue
        artworks.append(artwork)
    digests = [sha256_hex(data) for data in contents]

    entries: dict[str, dict[str, np.ndarray]] = {}
    reused: list[str] = []
    todo: list[int] = []
    for i, digest in enumerate(digests):
        stored = None if (force or folder is None) else _read_entry(folder / f"{digest}.npz")
        if stored is not None:
            entries[digest] = stored
            reused.append(artworks[i].id)
        elif digest not in entries:
            todo.append(i)

    computed: list[str] = []
    bar = tqdm(
        total=len(todo), desc="indexing artworks", unit="image", disable=not progress, leave=True
    )
    try:
        results = _compute(contents, todo, max_side, max_pixels, workers)
        for i, outcome in results:
            artwork = artworks[i]
            bar.update(1)
            if isinstance(outcome, str):
                skipped.append((artwork.id, outcome))
                continue
            entries[digests[i]] = outcome
            computed.append(artwork.id)
            if folder is not None:
                _write_entry(folder / f"{digests[i]}.npz", outcome)
    finally:
        bar.close()

    for artwork_id, reason in skipped:
        warnings.warn(f"index: skipped {artwork_id}: {reason}", UserWarning, stacklevel=2)
    skipped_ids = {artwork_id for artwork_id, _ in skipped}
    rows = [i for i, a in enumerate(artworks) if a.id not in skipped_ids and digests[i] in entries]
    pruned = _prune(folder, {digests[i] for i in rows}) if (prune and folder is not None) else 0
    index = _stack(
        [artworks[i] for i in rows],
        [digests[i] for i in rows],
        [entries[digests[i]] for i in rows],
        max_side=max_side,
        skipped=tuple(skipped),
        location=folder,
    )
    report = BuildReport(
        computed=tuple(computed),
        reused=tuple(reused),
        skipped=tuple(skipped),
        pruned=pruned,
        seconds=time.perf_counter() - started,
        location=folder,
    )
    return index, report


def _compute(
    contents: list[bytes], todo: list[int], max_side: int, max_pixels: int, workers: int
) -> Iterable[tuple[int, dict[str, np.ndarray] | str]]:
    """Yield ``(i, features or error message)`` for each index in ``todo``, in order."""
    if workers == 1 or len(todo) < 2:
        for i in todo:
            yield i, _describe(contents[i], max_side, max_pixels)
        return
    chunk = max(1, math.ceil(len(todo) / (workers * 4)))
    with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
        arguments = ([contents[i] for i in todo], [max_side] * len(todo), [max_pixels] * len(todo))
        yield from zip(todo, pool.map(_describe, *arguments, chunksize=chunk), strict=True)


def _describe(data: bytes, max_side: int, max_pixels: int) -> dict[str, np.ndarray] | str:
    try:
        return _features_from_bytes(data, max_side, max_pixels)
    except ImageError as exc:
        return str(exc)


def _prune(folder: Path, keep: set[str]) -> int:
    removed = 0
    for path in folder.glob(f"*{_ENTRY_SUFFIX}"):
        if path.stem not in keep and not path.name.startswith("."):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def load_or_build_index(
    corpus: Corpus,
    settings,
    progress: bool = False,
    *,
    index_root: str | Path | None = None,
    workers: int = 1,
) -> CorpusIndex:
    """The index of ``corpus``: stored entries are reused, missing or stale ones computed.

    ``index_root`` defaults to :func:`default_index_root` (beside the images when
    writable, else ``settings.cache_dir/index``). Entries use ``settings.max_side``.
    """
    root = default_index_root(settings) if index_root is None else index_root
    index, _ = build_index(
        corpus,
        root,
        max_side=settings.max_side,
        max_pixels=settings.max_pixels,
        workers=workers,
        progress=progress,
    )
    return index
