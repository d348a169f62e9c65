"""Your own collections: folders of images registered beside the Van Gogh corpus.

``python -m dashboard data collection add NAME DIR [--metadata CSV]`` indexes every image of
a folder (each validated as an upload is: formats, bytes, pixels; a bad file is skipped with
its reason) and keeps, under ``settings.cache_dir/collections/NAME/``:

- ``collection.json``: the folder, each image's file, SHA-256 and metadata (title, year,
  artist, group), and the files skipped with why;
- ``index/``: the Parquet dataset of the images' rows (:mod:`dashboard.data.index_store`);
- ``aggregates.npz``: the collection's :class:`Aggregates`, so views of a large collection
  never read its rows.

The images themselves are never copied or changed; ``collection remove`` deletes only what
the collection added.

Aggregates are sums over rows, exact whatever the order the rows are read in: each
painting's shares (PMFs, histograms) are held as integers in units of 2**-44, so their sums
are integer sums; pixel counts are integer sums; statistics are summed with ``math.fsum``
(correctly rounded). Groups play the role that periods play for Van Gogh.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from dashboard.core.corpus_stats import pooled_palette
from dashboard.core.vocabulary import CHANNELS, LEVELS, PERIOD_PALETTE_SIZE, SPACES
from dashboard.data.corpus import IMAGE_SUFFIXES
from dashboard.data.files import write_atomically
from dashboard.data.image_stats import INDEX_BINS, STAT_NAMES, histogram_field

COLLECTION_FILE = "collection.json"
AGGREGATES_FILE = "aggregates.npz"
INDEX_FOLDER = "index"
#: The built-in collection's name (the Van Gogh corpus); not available for your own.
VAN_GOGH = "van-gogh"
_NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
#: Largest metadata CSV read, bytes, and longest value kept per field, characters.
MAX_METADATA_BYTES = 20 * 1024 * 1024
MAX_FIELD_CHARS = 200
#: Most image files in one collection.
MAX_FILES = 200_000
METADATA_COLUMNS = ("file", "title", "year", "artist", "group")
#: Shares are summed as integers in units of 2**-SHARE_BITS (exact, order-free sums).
SHARE_BITS = 44
_SHARE_SCALE = float(2**SHARE_BITS)
#: The key of the whole collection among the aggregates' keys.
ALL = "all"
#: Group given to images the metadata gives none.
NO_GROUP = "ungrouped"


class CollectionError(ValueError):
    """A bad name, folder or metadata file, or an unknown collection; says which and why."""


def collections_root(settings) -> Path:
    """The folder holding every collection: ``settings.cache_dir/collections``."""
    return Path(settings.cache_dir) / "collections"


def check_name(name: object) -> str:
    """``name`` if it is a slug of 1 to 40 characters (a-z, 0-9, inner -), else
    :class:`CollectionError`."""
    if not isinstance(name, str) or not _NAME_PATTERN.fullmatch(name):
        shown = str(name)[:40]
        raise CollectionError(f"collection name {shown!r} is not a slug of 1 to 40 lowercase "
                              "letters, digits and inner hyphens (e.g. monet-1870s)")
    if name == VAN_GOGH:
        raise CollectionError(f"{VAN_GOGH!r} is the built-in Van Gogh corpus; choose another name")
    return name


# --- metadata -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageMeta:
    """What is known of one image: its file (relative to the folder) and its metadata."""

    file: str
    title: str = ""
    year: int | None = None
    artist: str = ""
    group: str = ""

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "title": self.title, "year": self.year,
                "artist": self.artist, "group": self.group}


def read_metadata(path: Path) -> tuple[dict[str, ImageMeta], list[str]]:
    """``file -> ImageMeta`` from a CSV with a ``file`` column and any of title, year,
    artist, group; and the problems found (a bad year, a repeated file), one line each."""
    try:
        size = path.stat().st_size
        if size > MAX_METADATA_BYTES:
            raise CollectionError(f"the metadata file {path.name} is {size:,} bytes; at most "
                                  f"{MAX_METADATA_BYTES:,} are read")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CollectionError(f"the metadata file {path} does not exist") from None
    except OSError as exc:
        raise CollectionError(f"the metadata file {path} cannot be read ({exc.strerror})") \
            from None
    except UnicodeDecodeError:
        raise CollectionError(f"the metadata file {path.name} is not UTF-8 text") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fields = [(f or "").strip().lower() for f in (reader.fieldnames or [])]
        if "file" not in fields:
            raise CollectionError(f"the metadata file {path.name} needs a 'file' column "
                                  f"(and any of {', '.join(METADATA_COLUMNS[1:])})")
        reader.fieldnames = fields
        entries: dict[str, ImageMeta] = {}
        problems: list[str] = []
        for line, row in enumerate(reader, start=2):
            values = {c: (row.get(c) or "").strip()[:MAX_FIELD_CHARS] for c in METADATA_COLUMNS}
            file = values["file"].replace("\\", "/")
            if not file:
                problems.append(f"line {line}: no file name")
                continue
            year = None
            if values["year"]:
                if values["year"].isascii() and values["year"].isdigit() \
                        and 1 <= int(values["year"]) <= 9999:
                    year = int(values["year"])
                else:
                    problems.append(f"line {line}: year {values['year'][:20]!r} is not a year "
                                    "(1..9999); left out")
            if file in entries:
                problems.append(f"line {line}: {file[:60]!r} appears again; the first kept")
                continue
            entries[file] = ImageMeta(file=file, title=values["title"], year=year,
                                      artist=values["artist"], group=values["group"])
    except csv.Error as exc:
        raise CollectionError(f"the metadata file {path.name} is not valid CSV ({exc})") from None
    return entries, problems


def image_files(folder: Path) -> list[Path]:
    """Image files (by name ending) below ``folder``, hidden ones left out, sorted."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            found.append(path)
            if len(found) > MAX_FILES:
                raise CollectionError(f"{folder} holds more than {MAX_FILES:,} images")
    return found


def group_order(metas: list[ImageMeta]) -> list[str]:
    """The groups of ``metas`` in order of first year (undated last), then name."""
    first: dict[str, int] = {}
    for image in metas:
        group = image.group or NO_GROUP
        year = image.year if image.year is not None else 10**6
        first[group] = min(first.get(group, year), year)
    return sorted(first, key=lambda g: (first[g], g))


# --- the collection on disk ------------------------------------------------------------------


@dataclass
class Collection:
    """A registered collection, as ``collection.json`` describes it."""

    name: str
    folder: Path
    images: list[ImageMeta]
    digests: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    added: str = ""
    max_side: int = 1024
    home: Path | None = None

    @property
    def groups(self) -> list[str]:
        """Groups in order of first year (undated last), then name."""
        return group_order(self.images)

    def to_json(self) -> dict[str, object]:
        return {"version": 1, "name": self.name, "folder": str(self.folder),
                "added": self.added, "max_side": self.max_side,
                "images": [{**m.to_json(), "sha256": d}
                           for m, d in zip(self.images, self.digests, strict=True)],
                "skipped": [{"file": f, "reason": r} for f, r in self.skipped]}


def collection_home(settings, name: str) -> Path:
    return collections_root(settings) / check_name(name)


def load_collection(settings, name: str) -> Collection:
    """The registered collection ``name``; :class:`CollectionError` if there is none."""
    home = collection_home(settings, name)
    try:
        stored = json.loads((home / COLLECTION_FILE).read_text(encoding="utf-8"))
        images = [ImageMeta(file=str(e["file"]), title=str(e.get("title") or ""),
                            year=e.get("year") if isinstance(e.get("year"), int) else None,
                            artist=str(e.get("artist") or ""), group=str(e.get("group") or ""))
                  for e in stored["images"]]
        digests = [str(e["sha256"]) for e in stored["images"]]
        skipped = [(str(e["file"]), str(e["reason"])) for e in stored.get("skipped", [])]
        return Collection(name=name, folder=Path(stored["folder"]), images=images,
                          digests=digests, skipped=skipped, added=str(stored.get("added", "")),
                          max_side=int(stored.get("max_side", 1024)), home=home)
    except FileNotFoundError:
        known = ", ".join(list_collections(settings)) or "none yet"
        raise CollectionError(f"there is no collection {name!r} (registered: {known})") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CollectionError(f"the collection {name!r} is damaged ({type(exc).__name__}); "
                              "remove it and add it again") from None


def list_collections(settings) -> list[str]:
    """Names of the registered collections, sorted."""
    root = collections_root(settings)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if _NAME_PATTERN.fullmatch(p.name) and (p / COLLECTION_FILE).is_file())


def remove_collection(settings, name: str) -> Collection:
    """Delete what the collection added (never its images); returns what it was."""
    collection = load_collection(settings, name)
    shutil.rmtree(collection_home(settings, name))
    return collection


@dataclass(frozen=True)
class AddReport:
    collection: Collection
    files_seen: int
    problems: list[str]
    unmatched_metadata: int
    seconds: float


def add_collection(settings, name: str, folder: Path, *, metadata: Path | None = None,
                   engine=None, progress: bool = False, replace: bool = False) -> AddReport:
    """Register and index the images of ``folder`` as collection ``name``.

    Each file is decoded as an upload is (``settings.max_upload_bytes``,
    ``settings.max_pixels``); files that fail are skipped with the reason. Raises
    :class:`CollectionError` for a bad name, folder or metadata file, a name already taken
    (unless ``replace``), or a folder without one usable image.
    """
    import time

    from dashboard.data.corpus_index import index_files
    from dashboard.data.index_engine import SERIAL

    started = time.perf_counter()
    home = collection_home(settings, name)
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CollectionError(f"{str(folder)[:200]} is not a folder")
    if (home / COLLECTION_FILE).exists() and not replace:
        raise CollectionError(f"the collection {name!r} exists; remove it first or use --replace")
    entries, problems = read_metadata(metadata) if metadata is not None else ({}, [])
    paths = image_files(folder)
    if not paths:
        raise CollectionError(f"{str(folder)[:200]} holds no image file "
                              f"({', '.join(sorted(IMAGE_SUFFIXES))})")
    home.mkdir(parents=True, exist_ok=True)
    result = index_files(paths, home / INDEX_FOLDER, engine=engine or SERIAL,
                         max_side=settings.max_side, max_pixels=settings.max_pixels,
                         max_bytes=settings.max_upload_bytes, progress=progress, prune=replace,
                         label=f"indexing {name}")
    relative = [p.relative_to(folder).as_posix() for p in paths]
    skipped = [(relative[i], reason) for i, reason in sorted(result.errors.items())]
    good = [i for i in range(len(paths)) if i not in result.errors]
    if not good:
        shutil.rmtree(home, ignore_errors=True)
        first = f": {skipped[0][0]}: {skipped[0][1]}" if skipped else ""
        raise CollectionError(f"no image of {str(folder)[:200]} could be read{first}")
    images = [entries.get(relative[i]) or ImageMeta(file=relative[i]) for i in good]
    collection = Collection(name=name, folder=folder.resolve(), images=images,
                            digests=[result.digests[i] for i in good], skipped=skipped,
                            added=datetime.now(UTC).isoformat(timespec="seconds"),
                            max_side=settings.max_side, home=home)
    aggregates = aggregate_dataset(collection)
    write_atomically(home / AGGREGATES_FILE, aggregates.to_bytes())
    text = json.dumps(collection.to_json(), indent=1, ensure_ascii=False)
    write_atomically(home / COLLECTION_FILE, text.encode("utf-8"))
    unmatched = len(set(entries) - set(relative))
    return AddReport(collection=collection, files_seen=len(paths), problems=problems,
                     unmatched_metadata=unmatched, seconds=time.perf_counter() - started)


# --- aggregates ------------------------------------------------------------------------------


@dataclass
class Aggregates:
    """Sums over the rows of each key: ``"all"``, ``"group:<g>"``, ``"year:<y>"``.

    Per key ``k`` (row ``i`` of every array): ``count`` images; ``pmf_units`` (3, 256) and
    ``hist_units[space]`` (bins**3,) the sums of each image's shares in units of 2**-44;
    ``pixel_counts`` (3, 256) and ``hist_pixels[space]`` the sums of pixel counts;
    ``stat_sums`` (5,) the correctly rounded sums of the statistics; ``palette_colours``
    (PERIOD_PALETTE_SIZE, 3) uint8 and ``palette_shares`` the palette of the equal-weight
    mean RGB histogram (unused entries have share 0), so a view never computes one.

    Keys come in the order a view shows them: ``"all"``, the groups as
    :func:`group_order` sorts them, then the years in order.
    """

    keys: list[str]
    count: np.ndarray
    pmf_units: np.ndarray
    hist_units: dict[str, np.ndarray]
    pixel_counts: np.ndarray
    hist_pixels: dict[str, np.ndarray]
    stat_sums: np.ndarray
    palette_colours: np.ndarray | None = None
    palette_shares: np.ndarray | None = None
    #: The keys whose histograms ``hist_units`` holds, row by row (None: every key).
    hist_keys: list[str] | None = None

    def __post_init__(self) -> None:
        if self.palette_colours is None or self.palette_shares is None:
            # Aggregates stored before palettes were: computed once, on reading.
            self.palette_colours, self.palette_shares = key_palettes(self.hist_units["rgb"],
                                                                     self.count)

    def row(self, key: str) -> int:
        try:
            return self.keys.index(key)
        except ValueError:
            raise KeyError(f"no aggregate {key!r}") from None

    def pmf(self, key: str = ALL) -> np.ndarray:
        """Equal-weight mean PMF of the images of ``key``, (3, 256)."""
        i = self.row(key)
        return self.pmf_units[i] / _SHARE_SCALE / self.count[i]

    def histogram(self, space: str, key: str = ALL) -> np.ndarray:
        """Equal-weight mean 3D histogram (flat shares) in ``space`` of the images of ``key``."""
        i = self.row(key)
        if self.hist_keys is None:
            held = i
        elif key in self.hist_keys:
            held = self.hist_keys.index(key)
        else:
            raise KeyError(f"the histograms of {key!r} were not read")
        return self.hist_units[space][held] / _SHARE_SCALE / self.count[i]

    def stat_means(self, key: str = ALL) -> np.ndarray:
        i = self.row(key)
        return self.stat_sums[i] / self.count[i]

    def palette(self, key: str = ALL) -> tuple[np.ndarray, np.ndarray]:
        """The palette of ``key``: colours (k, 3) uint8 and their shares (k,)."""
        i = self.row(key)
        used = self.palette_shares[i] > 0
        return self.palette_colours[i][used], self.palette_shares[i][used]

    @property
    def groups(self) -> list[str]:
        """The groups, in the keys' order."""
        return [k.removeprefix("group:") for k in self.keys if k.startswith("group:")]

    def years(self) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The dated images per year: ``(years, counts, stat means (years, 5))``, in order of
        year; undated images are in no year."""
        rows = sorted((int(k.removeprefix("year:")), i) for i, k in enumerate(self.keys)
                      if k.startswith("year:"))
        index = [i for _, i in rows]
        counts = self.count[index]
        means = self.stat_sums[index] / np.maximum(counts, 1)[:, None]
        return [y for y, _ in rows], counts, means.reshape(len(index), len(STAT_NAMES))

    def to_bytes(self) -> bytes:
        if self.hist_keys is not None:
            raise ValueError("aggregates read in part cannot be written")
        arrays = {"keys": np.array(self.keys), "count": self.count, "pmf_units": self.pmf_units,
                  "pixel_counts": self.pixel_counts, "stat_sums": self.stat_sums,
                  "palette_colours": self.palette_colours,
                  "palette_shares": self.palette_shares,
                  "spaces": np.array(list(SPACES)), "bins": np.array(INDEX_BINS)}
        for space in SPACES:
            arrays[f"hist_units_{space}"] = self.hist_units[space]
            arrays[f"hist_pixels_{space}"] = self.hist_pixels[space]
            # The whole collection's row again, on its own: a view reads ~100 KB, not every
            # group's and year's histograms (megabytes to decompress).
            arrays[f"whole_hist_units_{space}"] = self.hist_units[space][[self.row(ALL)]]
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_file(cls, path: Path, *, pixel_counts: bool = True,
                  histograms: str = "every key") -> Aggregates:
        """Read stored aggregates; ``pixel_counts=False`` leaves the pixel-count sums unread
        (empty), which the page's views do not use; ``histograms="whole"`` reads the 3D
        histograms of the whole collection only (what a view draws)."""
        if histograms not in ("every key", "whole"):
            raise ValueError(f"histograms must be 'every key' or 'whole'; got {histograms!r}")
        with np.load(path, allow_pickle=False) as stored:
            if tuple(str(s) for s in stored["spaces"]) != SPACES \
                    or int(stored["bins"]) != INDEX_BINS:
                raise CollectionError("the collection's aggregates are from another index "
                                      "version; add the collection again")
            empty = np.zeros((0,), dtype=np.int64)
            # Files written before palettes and the whole row were stored: read every row.
            whole = histograms == "whole" and "palette_colours" in stored \
                and f"whole_hist_units_{SPACES[0]}" in stored
            prefix = "whole_hist_units" if whole else "hist_units"
            return cls(keys=[str(k) for k in stored["keys"]], count=stored["count"],
                       pmf_units=stored["pmf_units"],
                       hist_units={s: stored[f"{prefix}_{s}"] for s in SPACES},
                       pixel_counts=stored["pixel_counts"] if pixel_counts else empty,
                       hist_pixels={s: stored[f"hist_pixels_{s}"] if pixel_counts else empty
                                    for s in SPACES},
                       stat_sums=stored["stat_sums"],
                       palette_colours=stored["palette_colours"]
                       if "palette_colours" in stored else None,
                       palette_shares=stored["palette_shares"]
                       if "palette_shares" in stored else None,
                       hist_keys=[ALL] if whole else None)


def key_palettes(rgb_units: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Palettes of each key's equal-weight mean RGB histogram (``rgb_units`` (keys, bins**3)
    in units of 2**-44, ``count`` images per key): colours (keys, PERIOD_PALETTE_SIZE, 3)
    uint8 and shares (keys, PERIOD_PALETTE_SIZE), unused entries 0."""
    colours = np.zeros((len(count), PERIOD_PALETTE_SIZE, 3), dtype=np.uint8)
    shares = np.zeros((len(count), PERIOD_PALETTE_SIZE), dtype=np.float64)
    for i, n in enumerate(count):
        mean = rgb_units[i] / _SHARE_SCALE / max(int(n), 1)
        palette = pooled_palette(mean, INDEX_BINS, n_colours=PERIOD_PALETTE_SIZE)
        k = len(palette.shares)
        colours[i, :k], shares[i, :k] = palette.colours, palette.shares
    return colours, shares


def share_units(counts: np.ndarray, n_pixels: np.ndarray) -> np.ndarray:
    """Each row's shares ``counts / n_pixels`` as int64 multiples of 2**-44 (rounded)."""
    shares = counts / np.maximum(n_pixels, 1).reshape((-1,) + (1,) * (counts.ndim - 1))
    return np.rint(shares * _SHARE_SCALE).astype(np.int64)


class _Accumulator:
    def __init__(self, keys: list[str]) -> None:
        n_cells = INDEX_BINS**3
        self.keys = keys
        self.position = {k: i for i, k in enumerate(keys)}
        self.count = np.zeros(len(keys), dtype=np.int64)
        self.pmf_units = np.zeros((len(keys), len(CHANNELS), LEVELS), dtype=np.int64)
        self.pixel_counts = np.zeros((len(keys), len(CHANNELS), LEVELS), dtype=np.int64)
        self.hist_units = {s: np.zeros((len(keys), n_cells), dtype=np.int64) for s in SPACES}
        self.hist_pixels = {s: np.zeros((len(keys), n_cells), dtype=np.int64) for s in SPACES}
        self.stats: list[list[list[float]]] = [[[] for _ in STAT_NAMES] for _ in keys]

    def add(self, row_keys: list[list[str]], arrays: dict[str, np.ndarray]) -> None:
        """Add a batch of rows; ``row_keys[j]`` are the keys row ``j`` counts towards."""
        n_pixels = arrays["n_pixels"].astype(np.int64)
        counts = arrays["channel_counts"].astype(np.int64)
        pmf_units = share_units(counts, n_pixels)
        hists = {s: arrays[histogram_field(s)].astype(np.int64) for s in SPACES}
        hist_units = {s: share_units(h, n_pixels) for s, h in hists.items()}
        for key in sorted({k for keys in row_keys for k in keys}):
            mask = np.array([key in keys for keys in row_keys])
            i = self.position[key]
            self.count[i] += int(mask.sum())
            self.pmf_units[i] += pmf_units[mask].sum(axis=0)
            self.pixel_counts[i] += counts[mask].sum(axis=0)
            for s in SPACES:
                self.hist_units[s][i] += hist_units[s][mask].sum(axis=0)
                self.hist_pixels[s][i] += hists[s][mask].sum(axis=0)
            for column, values in enumerate(arrays["stats"][mask].T):
                self.stats[i][column].extend(values.tolist())

    def result(self) -> Aggregates:
        stat_sums = np.array([[math.fsum(v) for v in per_key] for per_key in self.stats],
                             dtype=np.float64).reshape(len(self.keys), len(STAT_NAMES))
        return Aggregates(keys=self.keys, count=self.count, pmf_units=self.pmf_units,
                          hist_units=self.hist_units, pixel_counts=self.pixel_counts,
                          hist_pixels=self.hist_pixels, stat_sums=stat_sums)


def image_keys(meta: ImageMeta) -> list[str]:
    """The aggregate keys one image counts towards."""
    keys = [ALL, f"group:{meta.group or NO_GROUP}"]
    if meta.year is not None:
        keys.append(f"year:{meta.year}")
    return keys


def aggregate_keys(metas: list[ImageMeta]) -> list[str]:
    """``"all"``, each group (in :func:`group_order`), each year (in order)."""
    years = sorted({m.year for m in metas if m.year is not None})
    return [ALL, *(f"group:{g}" for g in group_order(metas)), *(f"year:{y}" for y in years)]


def aggregate_rows(metas: list[ImageMeta], arrays: dict[str, np.ndarray]) -> Aggregates:
    """The aggregates of rows held in memory (``arrays`` as the index store gives them)."""
    accumulator = _Accumulator(aggregate_keys(metas))
    accumulator.add([image_keys(m) for m in metas], arrays)
    return accumulator.result()


def aggregate_dataset(collection: Collection) -> Aggregates:
    """The collection's aggregates, streaming its rows a batch at a time (memory bounded by
    the batch, not the collection)."""
    from dashboard.data.index_store import IndexDataset

    metas_by_digest: dict[str, list[ImageMeta]] = {}
    for meta, digest in zip(collection.images, collection.digests, strict=True):
        metas_by_digest.setdefault(digest, []).append(meta)
    accumulator = _Accumulator(aggregate_keys(collection.images))
    dataset = IndexDataset(collection.home / INDEX_FOLDER)
    done: set[str] = set()
    for arrays in dataset.iter_batches():
        take, row_keys = [], []
        for j, digest in enumerate(arrays["sha256"]):
            if digest in metas_by_digest and digest not in done:
                done.add(digest)
                for meta in metas_by_digest[digest]:  # the same file twice counts twice
                    take.append(j)
                    row_keys.append(image_keys(meta))
        if take:
            accumulator.add(row_keys, {k: v[take] for k, v in arrays.items()})
    return accumulator.result()


def load_aggregates(settings, name: str, *, pixel_counts: bool = True,
                    histograms: str = "every key") -> Aggregates:
    """The stored aggregates of collection ``name`` (see :meth:`Aggregates.from_file`)."""
    path = collection_home(settings, name) / AGGREGATES_FILE
    try:
        return Aggregates.from_file(path, pixel_counts=pixel_counts, histograms=histograms)
    except FileNotFoundError:
        raise CollectionError(f"there is no collection {name!r}") from None
    except (OSError, ValueError, KeyError) as exc:
        raise CollectionError(f"the aggregates of {name!r} cannot be read "
                              f"({type(exc).__name__}); add the collection again") from None
