"""The artwork catalogue: list, look up and load artworks as RGB ``uint8`` arrays.

The catalogue (``data/catalogue.csv``) holds metadata only; the images live in
``settings.artworks_dir`` (``DASHBOARD_ARTWORKS_DIR``, else the gitignored
``data/artworks/``). A few of scikit-image's bundled sample images are always
available as extra entries (period ``"sample"``), so the app works before any
Van Gogh image is added.

Artwork ids are looked up in the catalogue only: an id is never turned into a path.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from dashboard.core.images import DEFAULT_MAX_PIXELS, ImageError, load_image


class Period(NamedTuple):
    """A period of Van Gogh's work: slug, label for people, years as shown."""

    id: str
    label: str
    years: str


#: Van Gogh's periods in chronological order.
PERIODS: tuple[Period, ...] = (
    Period("dutch", "Dutch", "1881–1885"),
    Period("paris", "Paris", "1885–1888"),
    Period("arles", "Arles", "1888–1889"),
    Period("saint-remy", "Saint-Rémy", "1889–1890"),
    Period("auvers", "Auvers", "1890"),
)
#: The period of the bundled scikit-image samples.
SAMPLE_PERIOD = Period("sample", "scikit-image samples", "")
PERIOD_IDS: tuple[str, ...] = tuple(period.id for period in PERIODS)
PERIOD_LABELS: dict[str, str] = {p.id: p.label for p in (*PERIODS, SAMPLE_PERIOD)}

#: Shown first when nothing else is asked for: paintings whose colours speak for themselves.
PREFERRED_PAINTINGS = ("the-starry-night-1889", "wheatfield-with-crows-1890", "sunflowers-1888")

#: Said to users when no Van Gogh image is present.
CORPUS_HELP = (
    "No Van Gogh images were found, so only the scikit-image samples are shown. "
    "Add the corpus with `scripts/python -m dashboard data download` (from Wikimedia "
    "Commons), `scripts/python -m dashboard data import DIR` (from a folder of images), "
    "or set DASHBOARD_ARTWORKS_DIR to a folder that holds them."
)

#: File name endings treated as images when looking for files not in the catalogue.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"})

CATALOGUE_COLUMNS: tuple[str, ...] = (
    "id",
    "file",
    "title",
    "year",
    "place",
    "period",
    "museum",
    "f_number",
    "width",
    "height",
    "sha256",
    "source",
    "commons_file",
)

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
_FILE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DEFAULT_CACHE_SIZE = 16


class CatalogueError(ValueError):
    """The catalogue file is missing or has a bad row; the message names the line."""


class UnknownArtworkError(ValueError):
    """An artwork id that is not in the catalogue."""


class ArtworkUnavailableError(ValueError):
    """A catalogued artwork whose image file is not in the artworks folder."""


@dataclass(frozen=True)
class Artwork:
    """One catalogue entry (metadata only).

    ``width`` and ``height`` are the pixel size of the reference file; ``year`` is
    ``None`` for the scikit-image samples.
    """

    id: str
    file: str
    title: str
    year: int | None
    place: str
    period: str
    museum: str = ""
    f_number: str = ""
    width: int = 0
    height: int = 0
    sha256: str = ""
    source: str = ""
    commons_file: str = ""

    @property
    def is_sample(self) -> bool:
        """Whether this is a bundled scikit-image sample rather than a painting."""
        return self.period == SAMPLE_PERIOD.id

    @property
    def period_label(self) -> str:
        """The period as shown to people (``"Saint-Rémy"``)."""
        return PERIOD_LABELS[self.period]

    @property
    def label(self) -> str:
        """Title with the year, for menus (``"The Potato Eaters (1885)"``)."""
        return self.title if self.year is None else f"{self.title} ({self.year})"


class _Sample(NamedTuple):
    id: str
    file: str
    title: str
    credit: str


# Bundled in the scikit-image wheel (skimage/data/), so they load without a download.
_SAMPLES: tuple[_Sample, ...] = (
    _Sample("sample-astronaut", "astronaut.png", "Astronaut", "NASA, public domain"),
    _Sample("sample-chelsea", "chelsea.png", "Chelsea the cat", "Stefan van der Walt, CC0"),
    _Sample("sample-coffee", "coffee.png", "Coffee", "Rachel Michetti, CC0"),
    _Sample("sample-rocket", "rocket.jpg", "Rocket", "SpaceX, public domain"),
)


def sample_dir() -> Path:
    """The folder of scikit-image's bundled sample images."""
    import skimage.data

    return Path(skimage.data.__file__).resolve().parent


def sample_artworks() -> tuple[Artwork, ...]:
    """The scikit-image samples as catalogue entries (period ``"sample"``, year ``None``)."""
    return tuple(
        Artwork(
            id=sample.id,
            file=sample.file,
            title=f"{sample.title} (scikit-image sample)",
            year=None,
            place="",
            period=SAMPLE_PERIOD.id,
            source=f"scikit-image: skimage/data/{sample.file} ({sample.credit})",
        )
        for sample in _SAMPLES
    )


def is_writable_dir(folder: str | Path) -> bool:
    """Whether ``folder`` exists and files may be written in it.

    A folder whose permission bits say read-only counts as read-only even for root
    (who could write anyway): a shared corpus marked read-only is left alone.
    """
    folder = Path(folder)
    try:
        mode = folder.stat().st_mode
    except OSError:
        return False
    return folder.is_dir() and bool(mode & 0o222) and os.access(folder, os.W_OK | os.X_OK)


def _positive_int(row: dict[str, str], column: str, line: int) -> int:
    raw = (row.get(column) or "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise CatalogueError(f"catalogue line {line}: {column}={raw!r} is not an integer") from None
    if value < 1:
        raise CatalogueError(f"catalogue line {line}: {column}={value} must be positive")
    return value


def _parse_row(row: dict[str, str], line: int) -> Artwork:
    values = {column: (row.get(column) or "").strip() for column in CATALOGUE_COLUMNS}
    artwork_id = values["id"]
    if not _ID_PATTERN.fullmatch(artwork_id):
        raise CatalogueError(
            f"catalogue line {line}: id={artwork_id!r} is not a lowercase slug (a-z, 0-9, -)"
        )
    file = values["file"]
    if not _FILE_PATTERN.fullmatch(file) or ".." in file:
        raise CatalogueError(
            f"catalogue line {line}: file={file!r} is not a plain file name "
            "(letters, digits, '.', '_', '-')"
        )
    if values["period"] not in PERIOD_IDS:
        raise CatalogueError(
            f"catalogue line {line}: period={values['period']!r} is not one of "
            f"{', '.join(PERIOD_IDS)}"
        )
    if values["sha256"] and not _SHA256_PATTERN.fullmatch(values["sha256"]):
        raise CatalogueError(
            f"catalogue line {line}: sha256={values['sha256']!r} is not 64 lowercase hex digits"
        )
    if not values["title"]:
        raise CatalogueError(f"catalogue line {line}: the title is empty")
    return Artwork(
        id=artwork_id,
        file=file,
        title=values["title"],
        year=_positive_int(row, "year", line),
        place=values["place"],
        period=values["period"],
        museum=values["museum"],
        f_number=values["f_number"],
        width=_positive_int(row, "width", line),
        height=_positive_int(row, "height", line),
        sha256=values["sha256"],
        source=values["source"],
        commons_file=values["commons_file"],
    )


def read_catalogue(path: str | Path) -> tuple[Artwork, ...]:
    """Read and validate ``catalogue.csv``; entries sorted by year, then title.

    Raises :class:`CatalogueError` naming the line for a missing column, a bad value
    or a duplicate id or file.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CatalogueError(f"{path.name} lacks the column(s) {', '.join(missing)}")
            artworks = [_parse_row(row, line) for line, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise CatalogueError(f"the catalogue {path} does not exist") from None
    except UnicodeDecodeError:
        raise CatalogueError(f"the catalogue {path} is not UTF-8 text") from None
    for column in ("id", "file"):
        seen: set[str] = set()
        for artwork in artworks:
            value = getattr(artwork, column)
            if value in seen:
                raise CatalogueError(f"{path.name}: {column} {value!r} appears more than once")
            seen.add(value)
    return tuple(sorted(artworks, key=lambda a: (a.year or 0, a.title.casefold(), a.id)))


class Corpus:
    """The catalogue plus the folder of images, with an in-process image cache.

    Parameters
    ----------
    catalogue_path : path
        ``catalogue.csv`` (metadata only).
    artworks_dir : path
        Folder holding ``<id>.jpg`` files; it may be missing or empty.
    max_pixels : int
        Largest accepted image, pixels (a corrupt or hostile file is rejected).
    cache_size : int
        Decoded images kept in memory (least recently used dropped first).
    include_samples : bool
        Add the bundled scikit-image samples as extra entries.
    """

    def __init__(
        self,
        catalogue_path: str | Path,
        artworks_dir: str | Path,
        *,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        cache_size: int = _DEFAULT_CACHE_SIZE,
        include_samples: bool = True,
    ) -> None:
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(f"cache_size={cache_size!r} is not valid; use an integer >= 0")
        self.catalogue_path = Path(catalogue_path)
        self.artworks_dir = Path(artworks_dir)
        self.max_pixels = max_pixels
        self._catalogue = read_catalogue(self.catalogue_path)
        self._samples = sample_artworks() if include_samples else ()
        self._by_id = {a.id: a for a in (*self._catalogue, *self._samples)}
        # A per-instance cache: nothing global, and dropped with the Corpus.
        self._cached_load = functools.lru_cache(maxsize=cache_size)(self._decode)

    @classmethod
    def from_settings(cls, settings, **options) -> Corpus:
        """The corpus described by :class:`dashboard.config.Settings`."""
        options.setdefault("max_pixels", settings.max_pixels)
        return cls(settings.catalogue_path, settings.artworks_dir, **options)

    def __repr__(self) -> str:
        return (
            f"Corpus({str(self.catalogue_path)!r}, {str(self.artworks_dir)!r}: "
            f"{len(self._catalogue)} catalogued, {len(self._samples)} samples)"
        )

    # --- listing -------------------------------------------------------------------------

    @property
    def catalogue(self) -> tuple[Artwork, ...]:
        """The catalogued paintings (no samples), sorted by year, then title."""
        return self._catalogue

    @property
    def samples(self) -> tuple[Artwork, ...]:
        """The bundled scikit-image samples."""
        return self._samples

    def artworks(
        self, *, available_only: bool = False, include_samples: bool = True
    ) -> tuple[Artwork, ...]:
        """Paintings sorted by year then title, followed by the samples."""
        entries = (*self._catalogue, *(self._samples if include_samples else ()))
        if available_only:
            return tuple(a for a in entries if self.available(a.id))
        return entries

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, in :meth:`artworks` order."""
        return tuple(a.id for a in self.artworks())

    def __iter__(self) -> Iterator[Artwork]:
        return iter(self.artworks())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, artwork_id: object) -> bool:
        return isinstance(artwork_id, str) and artwork_id in self._by_id

    def get(self, artwork_id: str) -> Artwork:
        """The entry for ``artwork_id``; :class:`UnknownArtworkError` if it is not catalogued."""
        if not isinstance(artwork_id, str) or artwork_id not in self._by_id:
            shown = artwork_id if isinstance(artwork_id, str) else type(artwork_id).__name__
            raise UnknownArtworkError(
                f"artwork id {shown[:80]!r} is not in the catalogue; "
                "use one of the ids listed by `python -m dashboard data status`"
            )
        return self._by_id[artwork_id]

    def by_period(
        self, *, available_only: bool = False, include_samples: bool = True
    ) -> dict[str, tuple[Artwork, ...]]:
        """Entries grouped by period id, periods in chronological order (samples last).

        Periods without entries are left out.
        """
        order = [*PERIOD_IDS, SAMPLE_PERIOD.id]
        entries = self.artworks(available_only=available_only, include_samples=include_samples)
        groups = {period: tuple(a for a in entries if a.period == period) for period in order}
        return {period: group for period, group in groups.items() if group}

    # --- files ---------------------------------------------------------------------------

    def path(self, artwork_id: str) -> Path:
        """Where the image of ``artwork_id`` is (or would be) stored."""
        artwork = self.get(artwork_id)
        folder = sample_dir() if artwork.is_sample else self.artworks_dir
        return folder / artwork.file

    def available(self, artwork_id: str) -> bool:
        """Whether the image file of ``artwork_id`` is present (samples always are)."""
        return self.path(artwork_id).is_file()

    def has_artworks(self) -> bool:
        """Whether any real (non-sample) artwork image is present."""
        return any(self.available(a.id) for a in self._catalogue)

    def default_painting(self) -> str | None:
        """The painting shown when nothing is asked for: one of PREFERRED_PAINTINGS if
        present, else the first available painting; None without any painting."""
        for artwork_id in PREFERRED_PAINTINGS:
            if artwork_id in self._by_id and self.available(artwork_id):
                return artwork_id
        available = self.artworks(available_only=True, include_samples=False)
        return available[0].id if available else None

    def missing(self) -> tuple[Artwork, ...]:
        """Catalogued paintings whose image file is not in the artworks folder."""
        return tuple(a for a in self._catalogue if not self.available(a.id))

    def unknown_files(self) -> tuple[Path, ...]:
        """Image files in the artworks folder that the catalogue does not list."""
        if not self.artworks_dir.is_dir():
            return ()
        listed = {a.file for a in self._catalogue}
        return tuple(
            sorted(
                path
                for path in self.artworks_dir.iterdir()
                if path.is_file()
                and not path.name.startswith(".")
                and path.suffix.lower() in IMAGE_SUFFIXES
                and path.name not in listed
            )
        )

    # --- pixels --------------------------------------------------------------------------

    def load(self, artwork_id: str, max_side: int | None = 1024) -> np.ndarray:
        """The image of ``artwork_id``: read-only ``uint8`` ``(H, W, 3)``, levels 0..255.

        Decoded images are cached per ``(id, max_side)`` and per file version, so a
        replaced file is decoded again. Raises :class:`UnknownArtworkError`,
        :class:`ArtworkUnavailableError` (file missing) or
        :class:`~dashboard.core.images.ImageError` (file corrupt).
        """
        path = self.path(artwork_id)
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise ArtworkUnavailableError(
                f"the image of {artwork_id!r} ({path.name}) is not in {self.artworks_dir}. "
                f"{CORPUS_HELP}"
            ) from None
        return self._cached_load(artwork_id, max_side, stat.st_mtime_ns, stat.st_size)

    def _decode(
        self, artwork_id: str, max_side: int | None, _mtime_ns: int, _size: int
    ) -> np.ndarray:
        pixels = load_image(self.path(artwork_id), max_side=max_side, max_pixels=self.max_pixels)
        array = pixels.pixels
        array.setflags(write=False)  # shared by every caller of the cache
        return array

    def iter_images(
        self,
        ids: tuple[str, ...] | list[str] | None = None,
        *,
        max_side: int | None = 1024,
    ) -> Iterator[tuple[Artwork, np.ndarray]]:
        """Yield ``(artwork, pixels)`` for each available entry (all when ``ids`` is None).

        Missing and undecodable files are skipped with a :class:`UserWarning` naming
        them, so one corrupt file does not stop the rest.
        """
        wanted = self.artworks() if ids is None else tuple(self.get(i) for i in ids)
        for artwork in wanted:
            if not self.available(artwork.id):
                continue
            try:
                pixels = self.load(artwork.id, max_side=max_side)
            except (ImageError, ArtworkUnavailableError) as exc:
                warnings.warn(f"skipped {artwork.id}: {exc}", UserWarning, stacklevel=2)
                continue
            yield artwork, pixels

    def clear_cache(self) -> None:
        """Forget every decoded image."""
        self._cached_load.cache_clear()
