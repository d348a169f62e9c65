"""The statistics of one image file: a pure function from a path to one fixed-size row.

:func:`image_statistics` reads a file, decodes it as an upload is decoded (same checks, same
limits) and returns one row of :data:`ROW_FIELDS`: integer counts wherever a count is exact
(per-channel level counts, the ``INDEX_BINS``³ histogram in every colour space of
``SPACES``), the stored palette and the colour statistics. It depends only on the file's
bytes and its arguments, so a row computed in this process, in a local worker process or on
another machine is the same to the bit. Every layer reads rows through this module's table,
so a colour space added to ``SPACES`` appears in every row, the index and the snapshot.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from dashboard.core.colours import colour_histogram, colour_statistics, dominant_colours
from dashboard.core.distributions import channel_counts
from dashboard.core.images import ImageError, decode_image, sha256_hex
from dashboard.core.vocabulary import CHANNELS, LEVELS, SPACES, STORED_PALETTE_SIZE

#: Bump when what a row holds, or how it is computed, changes: older rows are then ignored.
ROW_VERSION = 3
#: Bins per axis of the stored 3D colour histograms.
INDEX_BINS = 16
#: Neighbouring RGB bins (Chebyshev distance) merged into one palette colour.
PALETTE_MERGE_RADIUS = 1
#: The colour statistics stored per image, in column order of ``stats``.
STAT_NAMES: tuple[str, ...] = (
    "mean_lightness",
    "mean_saturation",
    "yellow_share",
    "blue_share",
    "entropy_bits",
)


class RowField(NamedTuple):
    """One array of a row: its name, shape and dtype (stored flat, of fixed size)."""

    name: str
    shape: tuple[int, ...]
    dtype: str

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


def histogram_field(space: str) -> str:
    """The row field of the 3D histogram in ``space`` (``"hist_rgb"``)."""
    return f"hist_{space}"


def row_fields(spaces: tuple[str, ...] = SPACES) -> tuple[RowField, ...]:
    """The fixed-size arrays of a row, one histogram per colour space of ``spaces``."""
    return (
        RowField("shape", (2,), "int64"),
        RowField("channel_counts", (len(CHANNELS), LEVELS), "uint32"),
        *(RowField(histogram_field(s), (INDEX_BINS**3,), "uint32") for s in spaces),
        RowField("palette_colours", (STORED_PALETTE_SIZE, 3), "uint8"),
        RowField("palette_shares", (STORED_PALETTE_SIZE,), "float64"),
        RowField("stats", (len(STAT_NAMES),), "float64"),
    )


#: The arrays of a row with today's colour spaces.
ROW_FIELDS: tuple[RowField, ...] = row_fields()


def pixel_statistics(pixels: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays of :data:`ROW_FIELDS` for one RGB ``uint8`` image."""
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
    row = {
        "shape": np.array(pixels.shape[:2], dtype=np.int64),
        "channel_counts": channel_counts(pixels).astype(np.uint32),
        "palette_colours": palette_colours,
        "palette_shares": palette_shares,
        "stats": np.array([getattr(stats, name) for name in STAT_NAMES], dtype=np.float64),
    }
    for space, hist in histograms.items():
        row[histogram_field(space)] = hist.counts.reshape(-1).astype(np.uint32)
    return row


def image_statistics(
    path: str, *, max_side: int, max_pixels: int, max_bytes: int
) -> dict[str, object]:
    """The row of one image file: ``sha256``, ``error`` (``""`` or why it was skipped),
    ``n_pixels`` and the arrays of :data:`ROW_FIELDS` (zeros when skipped).

    Pure: the same bytes and arguments give the same row wherever it runs. Never raises for
    a bad or unreadable file; the reason is in ``error``.
    """
    row: dict[str, object] = {"sha256": "", "error": "", "n_pixels": 0}
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise ImageError(f"the file is {size:,} bytes, more than the {max_bytes:,} accepted")
        data = Path(path).read_bytes()
    except OSError as exc:
        return {**row, "error": f"cannot be read ({exc.strerror or exc})", **empty_arrays()}
    except ImageError as exc:
        return {**row, "error": str(exc), **empty_arrays()}
    row["sha256"] = sha256_hex(data)
    try:
        image = decode_image(
            data, max_side=max_side, max_bytes=max(max_bytes, 1), max_pixels=max_pixels
        )
    except ImageError as exc:
        return {**row, "error": str(exc), **empty_arrays()}
    pixels = image.pixels
    row["n_pixels"] = int(pixels.shape[0] * pixels.shape[1])
    return {**row, **pixel_statistics(pixels)}


def empty_arrays(fields: tuple[RowField, ...] = ROW_FIELDS) -> dict[str, np.ndarray]:
    """Zeros for every array of a row (the row of a skipped file)."""
    return {f.name: np.zeros(f.shape, dtype=f.dtype) for f in fields}
