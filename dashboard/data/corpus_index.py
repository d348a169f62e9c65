"""Colour statistics of every artwork, computed once and kept on disk.

For each available entry of the corpus (paintings and scikit-image samples) the index holds
one row of :mod:`dashboard.data.image_stats` (computed by the pure function
``image_statistics``), stored in a Parquet dataset (:mod:`dashboard.data.index_store`) and
keyed by the SHA-256 of the image file:

- per-channel level counts, hence PMFs over levels 0..255, ``(3, 256)``;
- the 3D colour histogram at ``INDEX_BINS`` bins per axis in every space of ``SPACES``;
- a palette of up to ``STORED_PALETTE_SIZE`` colours with their shares of all pixels;
- colour statistics (``STAT_NAMES``) from :func:`dashboard.core.colours.colour_statistics`.

A row is computed only when its file's bytes are new (new SHA-256) or the index parameters
change (row version, bins, long side and colour spaces name the dataset's folder). Rows are
written as they complete, so an interrupted build keeps what it finished. The rows are
computed in this process or on Dask distributed (:mod:`dashboard.data.index_engine`), with
the same numbers either way. The index lives beside the images (``artworks_dir/.index/``)
when that folder is writable, otherwise in ``settings.cache_dir/index/``.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from dashboard.core.distributions import pmf_from_counts
from dashboard.core.images import DEFAULT_MAX_PIXELS
from dashboard.core.vocabulary import CHANNELS, LEVELS, SPACES, STORED_PALETTE_SIZE
from dashboard.data.corpus import Artwork, Corpus, is_writable_dir
from dashboard.data.image_stats import (
    INDEX_BINS,
    PALETTE_MERGE_RADIUS,
    ROW_VERSION,
    STAT_NAMES,
    histogram_field,
)
from dashboard.data.index_engine import SERIAL, Engine, compute_rows
from dashboard.data.index_store import IndexDataset

__all__ = [
    "INDEX_BINS", "PALETTE_MERGE_RADIUS", "STAT_NAMES", "BuildReport", "CorpusIndex",
    "FileIndex", "build_index", "default_index_root", "index_files", "index_parameters_name",
    "load_or_build_index", "stack_rows",
]

#: The largest image file indexed, bytes (scans can be big; decoding is bounded by pixels).
INDEX_MAX_BYTES = 200 * 1024 * 1024
#: Rows written per Parquet part while a build runs (and at least every FLUSH_SECONDS).
WRITE_EVERY = 32
FLUSH_SECONDS = 10.0


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


def stack_rows(
    artworks: list[Artwork],
    rows: list[dict[str, object]],
    *,
    max_side: int,
    skipped: tuple[tuple[str, str], ...] = (),
    location: Path | None = None,
) -> CorpusIndex:
    """A :class:`CorpusIndex` of ``artworks`` from their rows (same order).

    PMFs are the level counts normalised by :func:`pmf_from_counts` and histograms the
    counts divided by the pixels, so a row gives the same numbers wherever it was stored.
    """
    n_cells = INDEX_BINS**3
    n_pixels = np.array([int(r["n_pixels"]) for r in rows], dtype=np.int64)

    def stacked(name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        if not rows:
            return np.zeros((0, *shape), dtype=dtype)
        return np.stack([np.asarray(r[name]).reshape(shape) for r in rows]).astype(
            dtype, copy=False)

    counts = stacked("channel_counts", (len(CHANNELS), LEVELS), np.int64)
    histograms = {
        space: stacked(histogram_field(space), (n_cells,), np.float64)
        / np.maximum(n_pixels, 1)[:, None]
        for space in SPACES
    }
    return CorpusIndex(
        ids=tuple(a.id for a in artworks),
        sha256=tuple(str(r["sha256"]) for r in rows),
        periods=tuple(a.period for a in artworks),
        years=tuple(a.year for a in artworks),
        pmfs=pmf_from_counts(counts) if rows else np.zeros((0, len(CHANNELS), LEVELS)),
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
    engine: str = "serial (this process)"

    def summary(self) -> str:
        """One line for people."""
        where = f" in {self.location}" if self.location else " (not stored)"
        rate = len(self.computed) / self.seconds if self.seconds > 0 else 0.0
        return (
            f"index{where}: {len(self.computed)} computed, {len(self.reused)} reused, "
            f"{len(self.skipped)} skipped, {self.pruned} stale removed, {self.seconds:.1f} s "
            f"({rate:.1f} images/s, {self.engine})"
        )


def index_parameters_name(max_side: int) -> str:
    """Name of the folder holding rows of this version, binning, long side and spaces."""
    return f"v{ROW_VERSION}-bins{INDEX_BINS}-side{max_side}-{'-'.join(SPACES)}"


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


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (memory does not grow with the file)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class FileIndex:
    """The outcome of :func:`index_files`, per position of the paths given.

    ``digests[i]`` is the SHA-256 of file ``i`` (``""`` if it could not be read),
    ``errors[i]`` why it was skipped; ``computed`` and ``reused`` are positions. ``rows``
    holds the rows by digest when the index is not stored (``folder`` None).
    """

    digests: list[str]
    errors: dict[int, str]
    computed: list[int]
    reused: list[int]
    pruned: int
    folder: Path | None
    rows: dict[str, dict[str, object]] = field(default_factory=dict)

    def load_rows(self, positions: list[int]) -> list[dict[str, object]]:
        """The rows of ``positions`` (none of them skipped), read from the dataset."""
        wanted = {self.digests[i] for i in positions}
        stored = self.rows if self.folder is None else IndexDataset(self.folder).read(wanted)
        return [stored[self.digests[i]] for i in positions]


def index_files(
    paths: list[Path],
    folder: Path | None,
    *,
    engine: Engine = SERIAL,
    max_side: int = 1024,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = INDEX_MAX_BYTES,
    progress: bool = False,
    force: bool = False,
    prune: bool = False,
    write_every: int = WRITE_EVERY,
    label: str = "indexing images",
) -> FileIndex:
    """Make sure the dataset in ``folder`` holds a row for every file of ``paths``.

    Files are hashed here; rows of known digests are reused, the others computed by
    ``engine`` and appended to the dataset as they complete (every ``write_every`` rows or
    ``FLUSH_SECONDS``), so an interrupted build keeps what it finished. ``prune`` drops the
    rows of files no longer listed.
    """
    dataset = None if folder is None else IndexDataset(folder)
    digests: list[str] = []
    errors: dict[int, str] = {}
    for i, path in enumerate(paths):
        try:
            digests.append(file_sha256(path))
        except OSError as exc:
            digests.append("")
            errors[i] = f"cannot be read ({exc.strerror or exc})"
    stored = {} if dataset is None or force else stored_keys(dataset)
    reused: list[int] = []
    todo: dict[str, int] = {}  # digest -> first position
    for i, digest in enumerate(digests):
        if i in errors:
            continue
        if stored.get(digest):
            errors[i] = stored[digest]
        elif digest in stored:
            reused.append(i)
        elif digest not in todo:
            todo[digest] = i
    memory: dict[str, dict[str, object]] = {}
    computed_digests: dict[str, str] = {}  # digest -> error ("" when fine)
    buffer: list[dict[str, object]] = []
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal last_flush
        if dataset is not None and buffer:
            dataset.append(buffer)
        buffer.clear()
        last_flush = time.monotonic()

    order = list(todo.items())
    bar = tqdm(total=len(order), desc=label, unit="image", disable=not progress, leave=True)
    try:
        for position, row in compute_rows([str(paths[i]) for _, i in order], engine,
                                          max_side=max_side, max_pixels=max_pixels,
                                          max_bytes=max_bytes):
            digest = order[position][0]
            bar.update(1)
            if row["sha256"] != digest:  # the file changed while the build ran
                row = {**row, "error": row["error"] or "the file changed while being indexed"}
            computed_digests[digest] = str(row["error"])
            if row["error"] or dataset is None:
                memory[digest] = row
            if dataset is not None and row["sha256"] == digest:
                buffer.append(row)
                if len(buffer) >= write_every or time.monotonic() - last_flush > FLUSH_SECONDS:
                    flush()
    finally:
        flush()
        bar.close()
    computed: list[int] = []
    for i, digest in enumerate(digests):
        if digest in computed_digests:
            if computed_digests[digest]:
                errors[i] = computed_digests[digest]
            elif todo.get(digest) == i:
                computed.append(i)
            else:
                reused.append(i)
    pruned = 0
    if dataset is not None and (prune or (computed_digests and len(dataset.parts()) > 1)):
        keep = {digests[i] for i in range(len(paths)) if digests[i]} if prune else None
        pruned = dataset.compact(keep)
    return FileIndex(digests=digests, errors=errors, computed=computed, reused=sorted(reused),
                     pruned=pruned, folder=folder, rows=memory if dataset is None else {})


def stored_keys(dataset: IndexDataset) -> dict[str, str]:
    """Digest -> error ("" for a good row) of every stored row; only two columns are read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    found: dict[str, str] = {}
    for path in dataset.parts():
        try:
            table = pq.read_table(path, columns=["sha256", "error"])
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException, KeyError):
            warnings.warn(f"index: ignored the damaged part {path.name}; its rows are "
                          "computed again", UserWarning, stacklevel=3)
            continue
        if not _same_schema(schema, dataset):
            warnings.warn(f"index: ignored {path.name}, written by another index version",
                          UserWarning, stacklevel=3)
            continue
        for digest, error in zip(table.column("sha256").to_pylist(),
                                 table.column("error").to_pylist(), strict=True):
            found[digest] = error
    return found


def _same_schema(schema, dataset: IndexDataset) -> bool:
    from dashboard.data.index_store import _schema

    return schema.remove_metadata().equals(_schema(dataset.fields).remove_metadata())


def build_index(
    corpus: Corpus,
    index_root: str | Path | None,
    *,
    max_side: int = 1024,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    engine: Engine = SERIAL,
    progress: bool = False,
    force: bool = False,
    prune: bool = False,
    write_every: int = WRITE_EVERY,
) -> tuple[CorpusIndex, BuildReport]:
    """Index every available entry of ``corpus``, reusing stored rows of unchanged files.

    Parameters
    ----------
    index_root : path or None
        Folder of the index (rows go in a sub-folder named by the parameters).
        ``None`` computes everything in memory without storing it.
    max_side : int
        Long side, pixels, images are downscaled to before computing (as in the app).
    engine : Engine
        Where rows are computed: this process (default) or Dask distributed.
    progress : bool
        Show a tqdm progress bar on stderr.
    force : bool
        Recompute every row even if stored.
    prune : bool
        Drop stored rows of files no longer present.

    Files that cannot be decoded are skipped with a ``UserWarning`` naming them.
    """
    started = time.perf_counter()
    folder = None if index_root is None else Path(index_root) / index_parameters_name(max_side)
    if folder is not None and not _usable_folder(folder):
        warnings.warn(
            f"the index folder {folder} is not writable; computing the index in memory",
            UserWarning,
            stacklevel=2,
        )
        folder = None
    artworks = list(corpus.artworks(available_only=True))
    result = index_files(
        [corpus.path(a.id) for a in artworks], folder, engine=engine, max_side=max_side,
        max_pixels=max_pixels, progress=progress, force=force, prune=prune,
        write_every=write_every, label="indexing artworks",
    )
    skipped = tuple((artworks[i].id, reason) for i, reason in sorted(result.errors.items()))
    for artwork_id, reason in skipped:
        warnings.warn(f"index: skipped {artwork_id}: {reason}", UserWarning, stacklevel=2)
    positions = [i for i in range(len(artworks)) if i not in result.errors]
    index = stack_rows([artworks[i] for i in positions], result.load_rows(positions),
                       max_side=max_side, skipped=skipped, location=folder)
    report = BuildReport(
        computed=tuple(artworks[i].id for i in result.computed),
        reused=tuple(artworks[i].id for i in result.reused),
        skipped=skipped,
        pruned=result.pruned,
        seconds=time.perf_counter() - started,
        location=folder,
        engine=engine.describe(),
    )
    return index, report


def load_or_build_index(
    corpus: Corpus,
    settings,
    progress: bool = False,
    *,
    index_root: str | Path | None = None,
) -> CorpusIndex:
    """The index of ``corpus``: stored rows are reused, missing or stale ones computed here.

    ``index_root`` defaults to :func:`default_index_root` (beside the images when
    writable, else ``settings.cache_dir/index``). Rows use ``settings.max_side``.
    """
    root = default_index_root(settings) if index_root is None else index_root
    index, _ = build_index(
        corpus,
        root,
        max_side=settings.max_side,
        max_pixels=settings.max_pixels,
        progress=progress,
    )
    return index
