"""The shipped colour statistics: the paintings' index rows in one compressed file.

``data/colour_statistics.npz`` holds, per catalogued painting (keyed by catalogue id and
the SHA-256 of its image file), the same row the index stores: per-channel level counts, the
``INDEX_BINS``³ histogram counts in every colour space of ``SPACES``, the palette and the
colour statistics. Counts are kept as integers and the rest as the float64 the index holds,
so a :class:`~dashboard.data.corpus_index.CorpusIndex` read from the snapshot has the same
numbers, to the bit, as one built from the images. It lets the artist page work on a fresh
clone with no image at all. Written by ``python -m dashboard data snapshot``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dashboard.config import DATA_DIR
from dashboard.core.vocabulary import SPACES
from dashboard.data.corpus import PERIOD_IDS, Corpus
from dashboard.data.corpus_index import CorpusIndex, stack_rows
from dashboard.data.files import write_atomically
from dashboard.data.image_stats import INDEX_BINS, ROW_FIELDS, ROW_VERSION

SNAPSHOT_NAME = "colour_statistics.npz"
#: Where the snapshot is shipped: beside the catalogue it describes.
DEFAULT_SNAPSHOT = DATA_DIR / SNAPSHOT_NAME
#: The snapshot may not grow past this, bytes.
MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
SNAPSHOT_FORMAT = 1


class SnapshotError(ValueError):
    """The snapshot file is missing, damaged or from another index version."""


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot describes: the long side its rows were computed at and its spaces."""

    max_side: int
    spaces: tuple[str, ...]
    n_paintings: int


def snapshot_path(settings) -> Path:
    """The snapshot of ``settings``' catalogue: the file beside it."""
    return Path(settings.catalogue_path).parent / SNAPSHOT_NAME


def snapshot_bytes(ids: list[str], rows: list[dict[str, object]], *, max_side: int) -> bytes:
    """The compressed ``.npz`` of the paintings ``ids`` with their index ``rows``."""
    arrays: dict[str, np.ndarray] = {
        "format": np.array(SNAPSHOT_FORMAT),
        "row_version": np.array(ROW_VERSION),
        "bins": np.array(INDEX_BINS),
        "max_side": np.array(max_side),
        "spaces": np.array(list(SPACES)),
        "ids": np.array(ids),
        "sha256": np.array([str(r["sha256"]) for r in rows]),
        "n_pixels": np.array([int(r["n_pixels"]) for r in rows], dtype=np.int64),
    }
    for field in ROW_FIELDS:
        arrays[field.name] = np.stack(
            [np.asarray(r[field.name], dtype=field.dtype).reshape(field.shape) for r in rows]
        ) if rows else np.zeros((0, *field.shape), dtype=field.dtype)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write_snapshot(path: str | Path, ids: list[str], rows: list[dict[str, object]], *,
                   max_side: int) -> int:
    """Write the snapshot atomically; returns its size in bytes. ValueError if it would be
    over :data:`MAX_SNAPSHOT_BYTES`."""
    data = snapshot_bytes(ids, rows, max_side=max_side)
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise ValueError(f"the snapshot would be {len(data):,} bytes, over the "
                         f"{MAX_SNAPSHOT_BYTES:,} allowed")
    write_atomically(Path(path), data)
    return len(data)


def read_snapshot_rows(path: str | Path) -> tuple[SnapshotInfo, list[str], list[dict]]:
    """``(info, ids, rows)`` of a snapshot; :class:`SnapshotError` saying what is wrong."""
    try:
        with np.load(Path(path), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except FileNotFoundError:
        raise SnapshotError(f"there is no snapshot at {path}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise SnapshotError(f"the snapshot {path} cannot be read ({type(exc).__name__})") from None
    try:
        if int(arrays["format"]) != SNAPSHOT_FORMAT or int(arrays["row_version"]) != ROW_VERSION \
                or int(arrays["bins"]) != INDEX_BINS:
            raise SnapshotError(f"the snapshot {path} is from another index version; "
                                "rebuild it with `python -m dashboard data snapshot`")
        spaces = tuple(str(s) for s in arrays["spaces"])
        if spaces != SPACES:
            raise SnapshotError(f"the snapshot {path} has the colour spaces {', '.join(spaces)}, "
                                f"not {', '.join(SPACES)}; rebuild it")
        ids = [str(i) for i in arrays["ids"]]
        n = len(ids)
        rows = []
        for i in range(n):
            row = {"sha256": str(arrays["sha256"][i]), "error": "",
                   "n_pixels": int(arrays["n_pixels"][i])}
            for field in ROW_FIELDS:
                value = arrays[field.name][i]
                if value.shape != field.shape or value.dtype != np.dtype(field.dtype):
                    raise SnapshotError(f"the snapshot {path} has a bad {field.name} array")
                row[field.name] = value
            rows.append(row)
    except KeyError as exc:
        raise SnapshotError(f"the snapshot {path} lacks {exc.args[0]!r}") from None
    info = SnapshotInfo(max_side=int(arrays["max_side"]), spaces=spaces, n_paintings=n)
    return info, ids, rows


def read_snapshot(path: str | Path, corpus: Corpus) -> CorpusIndex:
    """The paintings' index from a snapshot, in corpus order; paintings the catalogue no
    longer lists are left out. :class:`SnapshotError` if it cannot be used."""
    info, ids, rows = read_snapshot_rows(path)
    by_id = dict(zip(ids, rows, strict=True))
    artworks = [a for a in corpus.catalogue if a.id in by_id and a.period in PERIOD_IDS]
    return stack_rows(artworks, [by_id[a.id] for a in artworks], max_side=info.max_side,
                      location=None)


def compare_rows(snapshot: dict[str, dict], live: dict[str, dict]) -> list[str]:
    """What differs between two ``id -> row`` maps, bit for bit (empty when identical)."""
    problems = []
    for artwork_id in sorted(set(snapshot) | set(live)):
        if artwork_id not in live:
            problems.append(f"{artwork_id}: in the snapshot, not in the live index")
            continue
        if artwork_id not in snapshot:
            problems.append(f"{artwork_id}: in the live index, not in the snapshot")
            continue
        ours, theirs = snapshot[artwork_id], live[artwork_id]
        if ours["sha256"] != theirs["sha256"]:
            problems.append(f"{artwork_id}: another image file (SHA-256 differs)")
            continue
        if int(ours["n_pixels"]) != int(theirs["n_pixels"]):
            problems.append(f"{artwork_id}: n_pixels differs")
        for field in ROW_FIELDS:
            a = np.asarray(ours[field.name], dtype=field.dtype).reshape(field.shape)
            b = np.asarray(theirs[field.name], dtype=field.dtype).reshape(field.shape)
            if a.tobytes() != b.tobytes():
                problems.append(f"{artwork_id}: {field.name} differs")
    return problems


def live_rows(corpus: Corpus, settings, *, engine=None, progress: bool = False,
              force: bool = False) -> tuple[list[str], list[dict], list[tuple[str, str]]]:
    """``(ids, rows, skipped)`` of the present paintings from the index (stored rows reused,
    missing ones computed by ``engine``)."""
    from dashboard.data.corpus_index import (
        default_index_root,
        index_files,
        index_parameters_name,
    )
    from dashboard.data.index_engine import SERIAL

    paintings = [a for a in corpus.catalogue if corpus.available(a.id)]
    folder = default_index_root(settings) / index_parameters_name(settings.max_side)
    result = index_files([corpus.path(a.id) for a in paintings], folder,
                         engine=engine or SERIAL, max_side=settings.max_side,
                         max_pixels=settings.max_pixels, progress=progress, force=force,
                         label="indexing paintings")
    skipped = [(paintings[i].id, reason) for i, reason in sorted(result.errors.items())]
    positions = [i for i in range(len(paintings)) if i not in result.errors]
    return [paintings[i].id for i in positions], result.load_rows(positions), skipped
