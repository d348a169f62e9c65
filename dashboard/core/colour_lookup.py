"""The 3D-histogram bin of every 8-bit colour, as one table per colour space and bin count.

A pixel's bin in :func:`dashboard.core.colours.colour_histogram` depends on its 8-bit colour
alone, so a table of the bin of each of the 2**24 colours, indexed by the colour's 24-bit code
``(R << 16) | (G << 8) | B``, gives every pixel's bin by one look-up: exactly the bin that
converting the pixel would give (the table is built by that very conversion, a chunk of
colours at a time). A table takes 2 bytes a colour (32 MiB) while ``bins**3`` fits in 16 bits
(up to 40 bins), 4 bytes (64 MiB) above.

Examples
--------
>>> import numpy as np
>>> table = build_bin_table("rgb", 8)
>>> table.shape, table.dtype.name, int(table[0xFFFFFF]), int(table[0x000000])
((16777216,), 'uint16', 511, 0)
"""

from __future__ import annotations

import numpy as np

from dashboard.core.colours import MAX_BINS, MIN_BINS, N_COLOURS, flat_bins
from dashboard.core.vocabulary import SPACES, validate_choice, validate_int

#: Colours converted at once while a table is built: bounds the memory of a build (about
#: 30 MiB of temporaries for CIELAB, besides the table) whatever the table.
BUILD_CHUNK = 1 << 18


def table_dtype(bins: int) -> np.dtype:
    """Smallest unsigned type holding every flat bin index ``0 .. bins**3 - 1``."""
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    return np.dtype(np.uint16 if bins**3 <= 1 << 16 else np.uint32)


def table_bytes(bins: int) -> int:
    """Bytes of one table of ``bins`` per axis (without any file header)."""
    return N_COLOURS * table_dtype(bins).itemsize


def colours_of_codes(codes: np.ndarray) -> np.ndarray:
    """24-bit colour codes ``(n,)`` -> ``(n, 3)`` uint8 RGB levels."""
    codes = np.asarray(codes, dtype=np.uint32)
    colours = np.empty((codes.size, 3), dtype=np.uint8)
    colours[:, 0] = codes >> 16
    colours[:, 1] = (codes >> 8) & 0xFF
    colours[:, 2] = codes & 0xFF
    return colours


def bins_of_codes(codes: np.ndarray, space: str, bins: int) -> np.ndarray:
    """Flat bin of each 24-bit colour code ``(n,)``, converting each colour: the entries of
    the table of ``(space, bins)`` at those codes."""
    space = validate_choice(space, "space", SPACES)
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    return flat_bins(colours_of_codes(codes), space, bins).astype(table_dtype(bins))


def build_bin_table(space: str, bins: int, out: np.ndarray | None = None) -> np.ndarray:
    """The flat bin of every 8-bit colour in the 3D histogram of ``space`` with ``bins`` per
    axis: ``(2**24,)`` uint16 (``bins <= 40``) or uint32, indexed by the 24-bit code.

    Written into ``out`` when given (an array of that shape and type, e.g. a view of the
    buffer of a file being written). Seconds of CPU (RGB about one, HSV and Oklab a few,
    CIELAB the most): build once, keep.
    """
    space = validate_choice(space, "space", SPACES)
    table = np.empty(N_COLOURS, dtype=table_dtype(bins)) if out is None else out
    if table.shape != (N_COLOURS,) or table.dtype != table_dtype(bins):
        raise ValueError(f"out must be a ({N_COLOURS},) {table_dtype(bins).name} array; got "
                         f"{table.shape} {table.dtype}")
    for start in range(0, N_COLOURS, BUILD_CHUNK):
        codes = np.arange(start, start + BUILD_CHUNK, dtype=np.uint32)
        table[start:start + BUILD_CHUNK] = bins_of_codes(codes, space, bins)
    return table


__all__ = [
    "BUILD_CHUNK",
    "bins_of_codes",
    "build_bin_table",
    "colours_of_codes",
    "table_bytes",
    "table_dtype",
]
