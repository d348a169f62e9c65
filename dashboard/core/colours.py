"""Colour in three dimensions: 3D histograms in RGB, HSV, CIELAB and Oklab, palettes, distances.

Every function takes a uint8 RGB image of shape (H, W, 3). The bin of a pixel is a function
of its 8-bit colour alone, and it is exactly the bin of converting that pixel with
``skimage.color.rgb2hsv`` / ``rgb2lab`` (or :func:`dashboard.core.oklab.rgb_to_oklab`) and
binning with ``np.histogramdd`` on ``ColourHistogram.edges`` (tests check this). It is found
in one of three ways, all giving the same bins:

* RGB: the combined bin index from small tables of the colour's bytes, then bincounts;
* with a ``bin_table`` (the bin of each of the 2**24 colours, built once by
  :func:`dashboard.core.colour_lookup.build_bin_table`): one look-up per pixel;
* otherwise on the image's *distinct* colours (a sort of 24-bit codes), each converted once
  and weighted by its pixel count.

Axis ranges (``SPACE_AXES``): RGB levels [0, 256); HSV hue, saturation and value each in
[0, 1] (scikit-image's scale, hue 1.0 = 360 degrees); CIELAB L in [0, 100], a in [-87, 99],
b in [-108, 95]; Oklab L in [0, 1], a in [-0.24, 0.28], b in [-0.32, 0.2]. The a and b
ranges are the exact extremes over all 2**24 sRGB colours rounded outward (CIELAB, D65,
2 degree observer: a -86.18 at green .. 98.23 at magenta, b -107.86 at blue .. 94.48 at
yellow, to whole units; Oklab: a -0.2339 .. 0.2762, b -0.3115 .. 0.1986, to hundredths), so
no sRGB colour falls outside. As in ``np.histogramdd``, bins are half-open except the last
one, which includes the upper edge (white has L = 100 and lands in the top L bin).

Examples
--------
>>> import numpy as np
>>> rgb = np.array([[[255, 0, 0], [255, 0, 0], [0, 0, 255], [250, 5, 5]]], dtype=np.uint8)
>>> hist = colour_histogram(rgb, "rgb", bins=8)
>>> hist.occupied_counts.tolist(), hist.colours.tolist()
([3, 1], [[253, 2, 2], [0, 0, 255]])
>>> palette = dominant_colours(hist, n_colours=1)
>>> palette.colours.tolist(), palette.shares.tolist()
([[253, 2, 2]], [0.75])
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
from skimage import color as skcolor

from dashboard.core.distributions import channel_pmfs, pmf_from_counts
from dashboard.core.joint import entropy_bits
from dashboard.core.oklab import levels_to_oklab
from dashboard.core.vocabulary import (
    CHANNELS,
    LEVELS,
    SPACES,
    validate_choice,
    validate_image,
    validate_int,
)


@dataclass(frozen=True)
class ColourSpace:
    """Names and value ranges of the three axes of a colour space (in its own units)."""

    name: str
    axis_names: tuple[str, str, str]
    ranges: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    #: Index of an axis that wraps around (hue), or None.
    circular_axis: int | None = None


#: Axes and ranges of each colour space of ``vocabulary.SPACES``, in one table: adding a space
#: touches ``SPACES``, this table and ``_convert``.
SPACE_AXES: dict[str, ColourSpace] = {
    "rgb": ColourSpace("rgb", CHANNELS, ((0.0, float(LEVELS)),) * 3),
    "hsv": ColourSpace("hsv", ("hue", "saturation", "value"), ((0.0, 1.0),) * 3, circular_axis=0),
    "lab": ColourSpace("lab", ("L", "a", "b"), ((0.0, 100.0), (-87.0, 99.0), (-108.0, 95.0))),
    "oklab": ColourSpace("oklab", ("L", "a", "b"), ((0.0, 1.0), (-0.24, 0.28), (-0.32, 0.2))),
}
#: Accepted bins per axis of a 3D histogram (inclusive).
MIN_BINS, MAX_BINS = 8, 64

#: Hue families for ``colour_statistics``: half-open ranges [lo, hi) of HSV hue in degrees.
HUE_FAMILIES: dict[str, tuple[float, float]] = {
    "yellow": (40.0, 70.0),  # chrome yellows and ochres, pure yellow = 60
    "blue": (190.0, 260.0),  # cerulean .. ultramarine, pure blue = 240
}
#: A pixel counts towards a hue family only if it is this saturated and this bright
#: (HSV S and V on [0, 1]): greys, near-whites and near-blacks have no reliable hue.
CHROMATIC_MIN_SATURATION = 0.2
CHROMATIC_MIN_VALUE = 0.2


def _check_space(space: str) -> ColourSpace:
    return SPACE_AXES[validate_choice(space, "space", SPACES)]


# --------------------------------------------------------------------------- census


def _census(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The image's distinct colours (n, 3) uint8, their pixel counts (n,) int64, and for each
    pixel (flattened) the index of its colour."""
    unique, inverse, counts = np.unique(colour_codes(rgb), return_inverse=True, return_counts=True)
    colours = np.empty((unique.size, 3), dtype=np.uint8)
    colours[:, 0] = unique >> 16
    colours[:, 1] = (unique >> 8) & 0xFF
    colours[:, 2] = unique & 0xFF
    return colours, counts.astype(np.int64, copy=False), inverse


def _distinct_colours(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image's distinct colours, (n, 3) uint8, and their pixel counts, (n,) int64.

    A plain sort of the 24-bit codes (no index back to each pixel, which costs a second,
    slower sort)."""
    codes = np.sort(colour_codes(rgb))
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    counts = np.diff(np.append(starts, codes.size)).astype(np.int64)
    unique = codes[starts]
    colours = np.empty((unique.size, 3), dtype=np.uint8)
    colours[:, 0] = unique >> 16
    colours[:, 1] = (unique >> 8) & 0xFF
    colours[:, 2] = unique & 0xFF
    return colours, counts


def _convert(colours: np.ndarray, space: str) -> np.ndarray:
    """(n, 3) uint8 RGB colours -> (n, 3) float64 coordinates in ``space`` (HSV: the values of
    ``skimage.color.rgb2hsv``, bit for bit; CIELAB: ``skimage.color.rgb2lab``)."""
    if space == "rgb":
        return colours.astype(np.float64)
    if space == "hsv":
        return np.stack(_hsv_of_pixels(colours), axis=1)
    if space == "oklab":
        return levels_to_oklab(colours)
    return skcolor.rgb2lab(colours)


def bin_edges(space: str, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin edges of the three axes of ``space`` (each ``bins + 1`` values, in the space's units)."""
    spec = _check_space(space)
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    if space == "rgb":
        # i * 256 / bins, rounded once: edges that are whole levels are exact.
        edges = np.arange(bins + 1) * float(LEVELS) / bins
        return edges, edges.copy(), edges.copy()
    return tuple(np.linspace(lo, hi, bins + 1) for lo, hi in spec.ranges)  # type: ignore[return-value]


def _bin_of(values: np.ndarray, edges: tuple[np.ndarray, ...]) -> np.ndarray:
    """(n, 3) coordinates -> (n, 3) bin indices, with ``np.histogramdd``'s edge rules."""
    out = np.empty(values.shape, dtype=np.intp)
    for axis, e in enumerate(edges):
        # Clipping is a safety net: SPACE_AXES ranges contain every sRGB colour.
        v = np.clip(values[:, axis], e[0], e[-1])
        idx = np.searchsorted(e, v, side="right") - 1
        idx[v == e[-1]] = e.size - 2
        out[:, axis] = idx
    return out


# ----------------------------------------------------------------------- histogram


@dataclass(frozen=True)
class ColourHistogram:
    """A binned 3D colour histogram and its occupied bins, most populated first.

    ``counts[i, j, k]`` counts the pixels in bin (i, j, k) of ``space``. For the
    ``n`` occupied bins: ``occupied`` (n, 3) bin indices, ``occupied_counts`` (n,),
    ``centres`` (n, 3) bin centres in the space's units, ``mean_rgb`` (n, 3) the exact
    mean RGB (levels 0..255) of the pixels in the bin. Ties keep flat-index order.
    """

    space: str
    bins: int
    counts: np.ndarray  # (bins, bins, bins) int64
    edges: tuple[np.ndarray, np.ndarray, np.ndarray]
    occupied: np.ndarray  # (n, 3) intp
    occupied_counts: np.ndarray  # (n,) int64
    centres: np.ndarray  # (n, 3) float64
    mean_rgb: np.ndarray  # (n, 3) float64, levels

    @property
    def n_pixels(self) -> int:
        """Number of pixels counted."""
        return int(self.occupied_counts.sum())

    @property
    def axis_names(self) -> tuple[str, str, str]:
        """Names of the three axes, e.g. ("L", "a", "b")."""
        return SPACE_AXES[self.space].axis_names

    @property
    def shares(self) -> np.ndarray:
        """Fraction of all pixels in each occupied bin, (n,) float64 summing to 1."""
        return self.occupied_counts / self.n_pixels

    @property
    def colours(self) -> np.ndarray:
        """Representative colour of each occupied bin: its mean RGB rounded, (n, 3) uint8."""
        return _round_rgb(self.mean_rgb)

    @property
    def pmf(self) -> np.ndarray:
        """Dense probability mass, (bins, bins, bins) float64 summing to 1."""
        return self.counts / self.n_pixels


def _round_rgb(mean_rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(mean_rgb), 0, 255).astype(np.uint8)


#: Number of 8-bit RGB colours, the length of a ``bin_table``.
N_COLOURS = 1 << 24


def colour_codes(rgb: np.ndarray) -> np.ndarray:
    """24-bit code ``(R << 16) | (G << 8) | B`` of every pixel of a (H, W, 3) uint8 image,
    flattened: ``(H * W,)`` uint32."""
    rgb = np.ascontiguousarray(rgb)
    n = rgb.shape[0] * rgb.shape[1]
    return _codes_into(rgb.reshape(-1), 0, n, np.empty(n, dtype=np.uint32))


def _codes_into(levels: np.ndarray, start: int, stop: int, out: np.ndarray) -> np.ndarray:
    """24-bit codes of pixels ``start .. stop - 1`` of ``levels``, the flat C-ordered bytes of
    an RGB image, written to ``out[:stop - start]`` (uint32 or intp) and returned.

    One pass: the 4 bytes from a pixel's red level back to the byte before it (the previous
    pixel's blue), read as a big-endian word, are ``(previous blue << 24) | code``, so a
    word view with a stride of 3 bytes masked to 24 bits gives the codes. The first pixel of
    the image has no byte before it and is done alone.
    """
    codes = out[:stop - start]
    first = start
    if first == 0:
        codes[0] = (int(levels[0]) << 16) | (int(levels[1]) << 8) | int(levels[2])
        first = 1
    if stop > first:
        words = np.ndarray((stop - first,), dtype=">u4", buffer=levels, offset=3 * first - 1,
                           strides=(3,))
        np.bitwise_and(words, 0xFFFFFF, out=codes[first - start:])
    return codes


def flat_bins(colours: np.ndarray, space: str, bins: int) -> np.ndarray:
    """Flat bin index ``(i * bins + j) * bins + k`` of each (n, 3) uint8 colour, converting
    each colour (the reference every faster path is checked against)."""
    edges = bin_edges(space, bins)
    if space == "rgb":
        # A 256-entry table per level is exact and skips searching per colour.
        idx3 = _level_bins(bins)[colours]
    else:
        idx3 = _bin_of(_convert(colours, space), edges)
    return (idx3[:, 0] * bins + idx3[:, 1]) * bins + idx3[:, 2]


def _level_bins(bins: int) -> np.ndarray:
    """RGB bin (0 .. bins - 1) of each level 0..255, ``(256,)`` intp."""
    edges = bin_edges("rgb", bins)[0]
    return _bin_of(np.arange(LEVELS, dtype=np.float64)[:, None], (edges,))[:, 0]


def _check_bin_table(bin_table: object) -> np.ndarray:
    if (
        not isinstance(bin_table, np.ndarray)
        or bin_table.shape != (N_COLOURS,)
        or bin_table.dtype not in (np.uint16, np.uint32)
    ):
        shape = getattr(bin_table, "shape", type(bin_table).__name__)
        raise ValueError(
            f"bin_table must be a ({N_COLOURS},) uint16 or uint32 array of flat bin indices; "
            f"got {shape}"
        )
    return bin_table


def _pixel_flat_bins(rgb: np.ndarray, space: str, bins: int, bin_table) -> np.ndarray | None:
    """Flat bin of every pixel, ``(H * W,)``, when a per-pixel look-up is at hand (RGB, or a
    ``bin_table``); None when the distinct colours must be converted instead."""
    if space == "rgb":
        level = _level_bins(bins)
        # Combined index from three 256-entry tables, premultiplied by each axis's stride,
        # summed in place (half the memory traffic of adding three gathered arrays).
        flat = np.take(level * bins * bins, rgb[..., 0])
        flat += np.take(level * bins, rgb[..., 1])
        flat += np.take(level, rgb[..., 2])
        return flat.ravel()
    if bin_table is None:
        return None
    return np.take(_check_bin_table(bin_table), colour_codes(rgb).astype(np.intp))


def pixel_bins(
    rgb: np.ndarray, space: str = "rgb", bins: int = 16, *, bin_table: np.ndarray | None = None
) -> np.ndarray:
    """(H, W) flat bin index of every pixel in the 3D histogram of ``space`` with ``bins``.

    The same bins as :func:`colour_histogram`: pixel (y, x) is counted in the bin with flat
    index ``pixel_bins(rgb, space, bins)[y, x]`` (``np.unravel_index`` gives its (i, j, k)).
    ``bin_table``, the table of ``(space, bins)`` from
    :func:`~dashboard.core.colour_lookup.build_bin_table`, makes it one look-up per pixel.

    Examples
    --------
    >>> rgb = np.array([[[0, 0, 0], [255, 255, 255]]], dtype=np.uint8)
    >>> pixel_bins(rgb, "rgb", bins=8).tolist()
    [[0, 511]]
    """
    rgb = validate_image(rgb, "rgb")
    _check_space(space)
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    flat = _pixel_flat_bins(rgb, space, bins, bin_table)
    if flat is None:
        colours, _, inverse = _census(rgb)
        flat = flat_bins(colours, space, bins)[inverse]
    elif flat.size and int(flat.max()) >= bins**3:
        raise ValueError(f"bin_table holds bins beyond {bins}**3; it is not a table of {bins} bins")
    return flat.astype(np.intp, copy=False).reshape(rgb.shape[:2])


def _histogram_from_sums(
    dense: np.ndarray, sums: np.ndarray, space: str, bins: int
) -> ColourHistogram:
    """A ColourHistogram from pixel counts per flat bin ``(bins**3,)`` and per-bin sums of
    the R, G and B levels ``(bins**3, 3)``."""
    edges = bin_edges(space, bins)
    dense = dense.astype(np.int64, copy=False)
    occupied_flat = np.flatnonzero(dense)
    order = np.argsort(-dense[occupied_flat], kind="stable")
    occupied_flat = occupied_flat[order]
    occupied_counts = dense[occupied_flat]
    occupied = np.stack(np.unravel_index(occupied_flat, (bins,) * 3), axis=1).astype(np.intp)
    centres = np.stack(
        [((e[:-1] + e[1:]) / 2)[occupied[:, a]] for a, e in enumerate(edges)], axis=1
    )
    mean_rgb = sums[occupied_flat] / occupied_counts[:, None]
    return ColourHistogram(
        space=space,
        bins=bins,
        counts=dense.reshape((bins,) * 3),
        edges=edges,
        occupied=occupied,
        occupied_counts=occupied_counts,
        centres=centres,
        mean_rgb=mean_rgb,
    )


def _histogram_from_census(
    colours: np.ndarray, counts: np.ndarray, space: str, bins: int
) -> ColourHistogram:
    flat = flat_bins(colours, space, bins)
    n_cells = bins**3
    weights = counts.astype(np.float64)
    dense = np.bincount(flat, weights=weights, minlength=n_cells)
    # Sums of levels x counts stay far below 2**53: float64 bincount is exact here.
    sums = np.stack(
        [np.bincount(flat, weights=weights * colours[:, c], minlength=n_cells) for c in range(3)],
        axis=1,
    )
    return _histogram_from_sums(dense, sums, space, bins)


#: Pixels the per-pixel path of :func:`colour_histogram` handles at once: its working arrays
#: (about 20 bytes a pixel) stay in the processor's cache and serve every chunk in turn.
PIXEL_CHUNK = 1 << 16
#: Interleaved copies of the per-bin sums: consecutive pixels, which often share a bin, add
#: to different copies, so an addition does not wait for the one before it. Used while the
#: copies take at most ``_LANES_MAX_BYTES``.
_LANES = 4
_LANES_MAX_BYTES = 1 << 17
#: Every integer below this is exact in float64.
_FLOAT_EXACT = 1 << 53
#: Green and blue share one weight, ``green * _PAIR_SHIFT + blue``, summed over at most
#: ``_PAIR_PIXELS`` pixels before being taken apart: each sum stays below
#: 255 * 2**18 < 2**26 and the whole below 2**52, exact.
_PAIR_SHIFT = 1 << 26
_PAIR_PIXELS = 1 << 18


@functools.lru_cache(maxsize=8)
def _lane_offsets(n_cells: int, lanes: int, length: int) -> np.ndarray:
    """``(length,)`` intp: ``(i % lanes) * n_cells`` at position i (read-only)."""
    offsets = np.tile(np.arange(lanes, dtype=np.intp) * n_cells, -(-length // lanes))[:length]
    offsets.flags.writeable = False
    return offsets


@functools.lru_cache(maxsize=4)
def _rgb_index_tables(bins: int) -> tuple[np.ndarray, np.ndarray]:
    """The RGB flat bin split by the code's bytes: ``(2**16,)`` intp, the red and green part
    of ``(red << 8) | green``, and ``(256,)`` intp, the blue part (read-only)."""
    level = _level_bins(bins)
    red_green = ((level * (bins * bins))[:, None] + (level * bins)[None, :]).reshape(-1)
    blue = level.copy()
    red_green.flags.writeable = blue.flags.writeable = False
    return red_green, blue


def _count_shift(n_pixels: int) -> int | None:
    """A power of two above ``n_pixels`` such that ``level * shift + 1`` summed over any
    ``n_pixels`` pixels stays exact in float64 (so one weighted bincount gives both a bin's
    red sum and its pixel count), or None when the image is too large for that."""
    shift = 1 << n_pixels.bit_length()
    return shift if (LEVELS - 1) * n_pixels * shift + n_pixels < _FLOAT_EXACT else None


def _bin_sums(rgb: np.ndarray, bins: int, bin_table: np.ndarray | None) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """Pixel count ``(bins**3,)`` int64 and sums of the R, G and B levels ``(bins**3, 3)``
    float64 per flat bin of a C-contiguous image, each pixel's bin found from its 24-bit code:
    by :func:`_rgb_index_tables` (RGB, ``bin_table`` None) or by looking it up in
    ``bin_table``. The same bins and sums as converting every pixel; every call does the
    work for every pixel (nothing is kept from one image to the next).

    A chunk of ``PIXEL_CHUNK`` pixels at a time, into arrays reused from chunk to chunk.
    The sums are float64 bincounts of whole numbers: exact below 2**53, and the red weight
    ``red * shift + 1`` (:func:`_count_shift`) also counts the pixels, as long as the
    image allows it (up to 4,210,752 pixels; above, the pixels are counted apart); green and
    blue share one weight while a chunk is at most ``_PAIR_PIXELS`` pixels.
    """
    n_cells = bins**3
    levels = rgb.reshape(-1)
    pixels = rgb.reshape(-1, 3)
    n = pixels.shape[0]
    lanes = _LANES if _LANES * n_cells * 8 <= _LANES_MAX_BYTES else 1
    width = lanes * n_cells
    # A chunk at least 4 times the bins, so that adding each chunk's sums stays cheap.
    chunk = min(n, max(PIXEL_CHUNK, 4 * n_cells))
    index = np.empty(chunk, dtype=np.intp)
    weights = np.empty(chunk, dtype=np.float64)
    if bin_table is None:
        red_green, blue = _rgb_index_tables(bins)
        high = np.empty(chunk, dtype=np.intp)
    else:
        found = np.empty(chunk, dtype=bin_table.dtype)
    offsets = _lane_offsets(n_cells, lanes, chunk) if lanes > 1 else None
    shift = _count_shift(n)
    counts = None if shift is not None else np.zeros(width, dtype=np.int64)
    sums = np.zeros((3, width), dtype=np.float64)
    packed = np.zeros(width, dtype=np.float64) if chunk <= _PAIR_PIXELS else None
    pending = 0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        size = stop - start
        block = pixels[start:stop]
        idx = index[:size]
        if bin_table is None:
            # The combined index from (red, green) = code >> 8 and blue = code & 0xFF.
            codes = _codes_into(levels, start, stop, idx)
            np.right_shift(codes, 8, out=high[:size])
            np.bitwise_and(codes, 0xFF, out=codes)
            np.take(blue, codes, out=idx, mode="clip")
            idx += np.take(red_green, high[:size], mode="clip")
            flat = idx
        else:
            # Codes are below 2**24 by construction: "clip" never clips, and writes to out
            # directly (mode="raise" would go through a temporary copy).
            flat = np.take(bin_table, _codes_into(levels, start, stop, idx), out=found[:size],
                           mode="clip")
            if int(flat.max()) >= n_cells:
                raise ValueError(f"bin_table holds bins beyond {bins}**3; it is not a table "
                                 f"of {bins} bins")
        if offsets is not None:
            np.add(flat, offsets[:size], out=idx)
        elif flat is not idx:
            np.copyto(idx, flat)
        w = weights[:size]
        if shift is not None:
            np.multiply(block[:, 0], float(shift), out=w)
            w += 1.0
        else:
            counts += np.bincount(idx, minlength=width)
            np.copyto(w, block[:, 0])
        sums[0] += np.bincount(idx, weights=w, minlength=width)
        if packed is None:
            for channel in (1, 2):
                np.copyto(w, block[:, channel])
                sums[channel] += np.bincount(idx, weights=w, minlength=width)
            continue
        # Green and blue in one weight, green * _PAIR_SHIFT + blue, taken apart at least
        # every _PAIR_PIXELS pixels, before either sum can reach _PAIR_SHIFT.
        np.multiply(block[:, 1], float(_PAIR_SHIFT), out=w)
        np.add(w, block[:, 2], out=w)
        packed += np.bincount(idx, weights=w, minlength=width)
        pending += size
        if pending + chunk > _PAIR_PIXELS or stop == n:
            green = np.floor(packed * (1.0 / _PAIR_SHIFT))
            sums[1] += green
            packed -= green * _PAIR_SHIFT
            sums[2] += packed
            packed[:] = 0.0
            pending = 0
    sums = sums.reshape(3, lanes, n_cells).sum(axis=1)
    if shift is not None:
        red = np.floor(sums[0] / shift)
        counts = sums[0] - red * shift
        sums[0] = red
    else:
        counts = counts.reshape(lanes, n_cells).sum(axis=0)
    return counts.astype(np.int64), sums.T


def colour_histogram(
    rgb: np.ndarray, space: str = "rgb", bins: int = 16, *, bin_table: np.ndarray | None = None
) -> ColourHistogram:
    """Binned 3D colour histogram of a uint8 RGB image in ``space``.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray
    space : {"rgb", "hsv", "lab", "oklab"}
        Axis ranges are in ``SPACE_AXES`` (RGB levels, HSV on [0, 1], CIELAB L 0..100,
        Oklab L 0..1).
    bins : int
        Bins per axis, ``MIN_BINS``..``MAX_BINS`` (8..64), equal widths over each range.
    bin_table : (2**24,) uint16 or uint32 ndarray, optional
        The flat bin of every 8-bit colour for this ``space`` and ``bins``
        (:func:`~dashboard.core.colour_lookup.build_bin_table`): the same histogram, found by
        one look-up per pixel instead of converting the image's distinct colours. RGB needs
        none.
    """
    rgb = validate_image(rgb, "rgb")
    _check_space(space)
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    if space == "rgb" or bin_table is not None:
        table = None if space == "rgb" else _check_bin_table(bin_table)
        return _histogram_from_sums(*_bin_sums(rgb, bins, table), space, bins)
    colours, counts = _distinct_colours(rgb)
    return _histogram_from_census(colours, counts, space, bins)


# ------------------------------------------------------------------------- palette


@dataclass(frozen=True)
class Palette:
    """The most likely colours of an image, largest share first.

    ``shares`` are fractions of *all* pixels of the image, so they sum to at most 1
    (``covered_share``); the rest of the pixels fall in bins that are not in the palette.
    """

    space: str
    colours: np.ndarray  # (k, 3) uint8: mean RGB of the pixels of each entry, rounded
    mean_rgb: np.ndarray  # (k, 3) float64, levels 0..255
    counts: np.ndarray  # (k,) int64 pixels
    shares: np.ndarray  # (k,) float64 of all pixels
    seed_bins: np.ndarray  # (k, 3) bin index of the most populated bin of each entry
    centres: np.ndarray  # (k, 3) centre of that bin, in the space's units

    @property
    def covered_share(self) -> float:
        """Fraction of all pixels represented by the palette (<= 1)."""
        return float(self.shares.sum())


def _bin_distance(occupied: np.ndarray, seed: np.ndarray, bins: int, circular: int | None):
    diff = np.abs(occupied - seed)
    if circular is not None:
        diff[:, circular] = np.minimum(diff[:, circular], bins - diff[:, circular])
    return diff.max(axis=1)


def greedy_palette(
    occupied: np.ndarray,
    weights: np.ndarray,
    rgb: np.ndarray,
    *,
    bins: int,
    n_colours: int,
    merge_radius: int,
    circular_axis: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge the occupied bins of a 3D histogram, listed fullest first, into palette entries.

    Greedy and deterministic: the fullest bin not yet taken seeds an entry, which takes every
    free bin within ``merge_radius`` bins of it (Chebyshev distance on the (n, 3) bin indices
    ``occupied``; the axis ``circular_axis`` wraps around, as hue does), until ``n_colours``
    entries. ``weights`` (n,) are pixel counts or shares, ``rgb`` (n, 3) the colour of each bin
    in levels 0..255.

    Returns, per entry, largest first (ties keep seed order): its total weight (k,), the
    weight-averaged ``rgb`` of its bins (k, 3) float64, and the row of its seed bin (k,).
    """
    n_colours = validate_int(n_colours, "n_colours", 1)
    merge_radius = validate_int(merge_radius, "merge_radius", 0)
    owner = np.full(len(weights), -1, dtype=np.intp)
    seeds: list[int] = []
    start = 0
    while len(seeds) < n_colours:
        free = np.flatnonzero(owner[start:] < 0)
        if free.size == 0:
            break
        seed = start + int(free[0])
        near = _bin_distance(occupied, occupied[seed], bins, circular_axis) <= merge_radius
        owner[near & (owner < 0)] = len(seeds)
        seeds.append(seed)
        start = seed + 1
    k = len(seeds)
    taken = owner >= 0
    taken_weights = np.asarray(weights, dtype=np.float64)[taken]
    entry_weights = np.bincount(owner[taken], weights=taken_weights, minlength=k)
    sums = np.stack(
        [
            np.bincount(owner[taken], weights=taken_weights * rgb[taken, c], minlength=k)
            for c in range(3)
        ],
        axis=1,
    )
    order = np.argsort(-entry_weights, kind="stable")
    entry_weights = entry_weights[order]
    return entry_weights, sums[order] / entry_weights[:, None], np.asarray(seeds, np.intp)[order]


def dominant_colours(hist: ColourHistogram, n_colours: int = 8, merge_radius: int = 0) -> Palette:
    """The ``n_colours`` most populated colours of a histogram, optionally merging neighbours.

    Entries are built by :func:`greedy_palette`: walk the occupied bins from most to least
    populated; the first bin not yet absorbed seeds a new entry, which absorbs every
    not-yet-absorbed bin within ``merge_radius`` bins of it (hue wraps around in HSV). With
    ``merge_radius=0`` the palette is the top ``n_colours`` bins. Each entry's colour is the
    exact mean RGB of all its pixels.
    """
    if not isinstance(hist, ColourHistogram):
        raise ValueError(f"hist must be a ColourHistogram; got {type(hist).__name__}")
    entry_counts, mean_rgb, seeds = greedy_palette(
        hist.occupied,
        hist.occupied_counts,
        hist.mean_rgb,
        bins=hist.bins,
        n_colours=n_colours,
        merge_radius=merge_radius,
        circular_axis=SPACE_AXES[hist.space].circular_axis,
    )
    return Palette(
        space=hist.space,
        colours=_round_rgb(mean_rgb),
        mean_rgb=mean_rgb,
        counts=entry_counts.astype(np.int64),
        shares=entry_counts / hist.n_pixels,
        seed_bins=hist.occupied[seeds],
        centres=hist.centres[seeds],
    )


# ----------------------------------------------------------------------- distances


def _reference(values: object, shape: tuple[int, ...], name: str, of: str) -> np.ndarray:
    """``values`` as float64 broadcast to ``shape`` (the shape of ``of``), else ValueError."""
    array = np.asarray(values, dtype=np.float64)
    try:
        return np.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(
            f"{of} and {name} must have the same non-empty shape (or {name} one that broadcasts "
            f"to it, such as {shape[-1:]}); got {shape} and {array.shape}"
        ) from None


def _references_or_missing(values: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference distributions normalised along the last axis, and a mask of the missing ones
    (any NaN or infinity: nothing to compare with), which are replaced by uniform ones."""
    missing = ~np.all(np.isfinite(values), axis=-1)
    return pmf_from_counts(np.where(missing[..., None], 1.0, values), name), missing


def _js_bits(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence in bits along the last axis of normalised ``p`` and ``q``."""
    both = p + q

    def kl_to_mean(x: np.ndarray) -> np.ndarray:
        # log2(x / m) with m = (p + q) / 2, written 2x / (p + q): p + q >= x > 0 even when m
        # would underflow; zero cells add nothing.
        ratio = np.divide(2 * x, both, out=np.ones_like(x), where=x > 0)
        return (x * np.log2(ratio)).sum(axis=-1)

    return np.clip((kl_to_mean(p) + kl_to_mean(q)) / 2, 0.0, 1.0)


def js_divergence_rows(p, q) -> np.ndarray:
    """Jensen-Shannon divergence in bits (base 2, in [0, 1]) of each distribution of ``p`` from
    ``q``, along the last axis.

    ``p`` is ``(..., K)``, e.g. ``(N, K)`` one histogram per painting; ``q`` has its shape or
    broadcasts to it (``(K,)``: one reference for every row). Distributions are normalised to
    sum 1. A reference holding NaN (none to compare with) gives NaN.

    >>> js_divergence_rows(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([0.5, 0.5])).round(3)
    array([0.311, 0.   ])
    """
    p = pmf_from_counts(p, "p")
    q, missing = _references_or_missing(_reference(q, p.shape, "q", "p"), "q")
    return np.where(missing, np.nan, _js_bits(p, q))


def js_divergence(a: ColourHistogram | np.ndarray, b: ColourHistogram | np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (base 2, in [0, 1]) between two colour distributions.

    ``a`` and ``b`` are ColourHistograms of the same space and bins, or arrays of counts
    or probabilities of the same shape, each one distribution over all its cells. 0 for equal
    distributions, 1 for disjoint ones.
    """
    if isinstance(a, ColourHistogram) and isinstance(b, ColourHistogram):
        if (a.space, a.bins) != (b.space, b.bins):
            raise ValueError(
                "a and b must share space and bins; got "
                f"({a.space!r}, {a.bins}) and ({b.space!r}, {b.bins})"
            )
    p, q = (np.asarray(x.counts if isinstance(x, ColourHistogram) else x, dtype=np.float64)
            for x in (a, b))
    shapes = p.shape, q.shape
    p, q = pmf_from_counts(p.ravel(), "a"), pmf_from_counts(q.ravel(), "b")
    if shapes[0] != shapes[1]:
        raise ValueError(f"a and b must have the same shape; got {shapes[0]} and {shapes[1]}")
    return float(_js_bits(p, q))


def earth_movers_distance(pmf_a, pmf_b) -> np.ndarray | float:
    """1-D earth mover's distance in levels between PMFs over consecutive levels.

    The last axis indexes levels 0, 1, 2, ...; leading axes (e.g. channels, paintings) are
    kept: ``(3, 256)`` inputs give ``(3,)`` distances. ``pmf_b`` has the shape of ``pmf_a`` or
    broadcasts to it: ``(N, 3, 256)`` against one reference ``(3, 256)`` gives ``(N, 3)``.
    Inputs are normalised to sum 1 along the last axis. EMD = sum over levels of
    ``|CDF_a - CDF_b|`` (unit spacing). A reference holding NaN (none) gives NaN.
    """
    a = pmf_from_counts(pmf_a, "pmf_a")
    b, missing = _references_or_missing(_reference(pmf_b, a.shape, "pmf_b", "pmf_a"), "pmf_b")
    emd = np.abs(np.cumsum(a, axis=-1) - np.cumsum(b, axis=-1))[..., :-1].sum(axis=-1)
    emd = np.where(missing, np.nan, emd)
    return float(emd) if emd.ndim == 0 else emd


def channel_emd(rgb_a: np.ndarray, rgb_b: np.ndarray) -> np.ndarray:
    """Earth mover's distance per channel (red, green, blue) between two images, in levels."""
    rgb_a = validate_image(rgb_a, "rgb_a")
    rgb_b = validate_image(rgb_b, "rgb_b")
    return earth_movers_distance(channel_pmfs(rgb_a), channel_pmfs(rgb_b))


# ---------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class ColourStatistics:
    """A few numbers per image for comparing periods of a painter's work.

    mean_lightness : mean Lab L, 0..100.
    mean_saturation : mean HSV S, 0..1.
    yellow_share, blue_share : fraction of all pixels whose hue is in ``HUE_FAMILIES``
        and that are chromatic (S >= ``CHROMATIC_MIN_SATURATION``, V >= ``CHROMATIC_MIN_VALUE``).
    entropy_bits : Shannon entropy of the 3D RGB histogram with ``entropy_bins`` per axis
        (0 for one colour; at most ``3 * log2(entropy_bins)``).
    """

    mean_lightness: float
    mean_saturation: float
    yellow_share: float
    blue_share: float
    entropy_bits: float
    entropy_bins: int
    n_pixels: int

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict of the fields (JSON-friendly)."""
        return asdict(self)


#: Pixels :func:`colour_statistics` handles at once: bounds its working memory (about
#: 150 bytes a pixel) whatever the image size.
_STATISTICS_CHUNK = 1 << 18


def _hue_family_mask(degrees: np.ndarray, chromatic: np.ndarray, family: str) -> np.ndarray:
    lo, hi = HUE_FAMILIES[family]
    return (degrees >= lo) & (degrees < hi) & chromatic


def _hsv_of_pixels(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HSV hue, saturation and value, each on [0, 1], of (n, 3) uint8 pixels: the float operations
    of ``skimage.color.rgb2hsv`` on the same values, so bit for bit its results (tests check
    this). Maximum and minimum are taken on the levels, which order as their floats do."""
    unit = np.arange(LEVELS, dtype=np.float64) * (1 / 255)  # img_as_float of uint8
    r8, g8, b8 = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    high = np.maximum(np.maximum(r8, g8), b8)
    r, g, b = unit[r8], unit[g8], unit[b8]
    value = unit[high]
    delta = value - unit[np.minimum(np.minimum(r8, g8), b8)]
    grey = delta == 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        saturation = delta / value
        # Where several channels share the maximum, blue wins over green over red, as there.
        sector = np.where(b8 == high, 4.0 + (r - g) / delta,
                          np.where(g8 == high, 2.0 + (b - r) / delta, (g - b) / delta))
    hue = (sector / 6.0) % 1.0
    hue[grey] = 0.0
    saturation[grey] = 0.0
    return hue, saturation, value


def _lightness_of_pixels(pixels: np.ndarray) -> np.ndarray:
    """CIE L* (D65, 0..100) of (n, 3) uint8 pixels, as ``skimage.color.rgb2lab`` computes it:
    it depends on the luminance Y alone (up to float rounding, about 1e-14)."""
    unit = np.arange(LEVELS, dtype=np.float64) * (1 / 255)
    linear = np.where(unit > 0.04045, ((unit + 0.055) / 1.055) ** 2.4, unit / 12.92)
    weights = skcolor.colorconv.xyz_from_rgb[1]
    luminance = (linear * weights[0])[pixels[:, 0]]
    luminance += (linear * weights[1])[pixels[:, 1]]
    luminance += (linear * weights[2])[pixels[:, 2]]
    f = np.where(luminance > 0.008856, np.cbrt(luminance), 7.787 * luminance + 16.0 / 116.0)
    return 116.0 * f - 16.0


def colour_statistics(rgb: np.ndarray, entropy_bins: int = 16) -> ColourStatistics:
    """Mean lightness and saturation, yellow and blue shares and colour entropy of an image.

    Per pixel, with the conversions of scikit-image's ``rgb2hsv`` (bit for bit) and
    ``rgb2lab``'s L* (D65, up to float rounding), in chunks of pixels so that memory stays
    bounded; the entropy is that of the RGB histogram of :func:`colour_histogram`.
    """
    rgb = validate_image(rgb, "rgb")
    entropy_bins = validate_int(entropy_bins, "entropy_bins", MIN_BINS, MAX_BINS)
    pixels = rgb.reshape(-1, 3)
    n = pixels.shape[0]
    lightness = saturation = 0.0
    yellow = blue = 0
    for start in range(0, n, _STATISTICS_CHUNK):
        chunk = pixels[start:start + _STATISTICS_CHUNK]
        hue, sat, value = _hsv_of_pixels(chunk)
        degrees = hue * 360.0
        chromatic = (sat >= CHROMATIC_MIN_SATURATION) & (value >= CHROMATIC_MIN_VALUE)
        yellow += int(np.count_nonzero(_hue_family_mask(degrees, chromatic, "yellow")))
        blue += int(np.count_nonzero(_hue_family_mask(degrees, chromatic, "blue")))
        saturation += float(sat.sum())
        lightness += float(_lightness_of_pixels(chunk).sum())
    counts = np.bincount(_pixel_flat_bins(rgb, "rgb", entropy_bins, None))
    occupied = counts[counts > 0]
    return ColourStatistics(
        mean_lightness=lightness / n,
        mean_saturation=saturation / n,
        yellow_share=yellow / n,
        blue_share=blue / n,
        entropy_bits=entropy_bits(occupied / n),
        entropy_bins=entropy_bins,
        n_pixels=n,
    )


def max_entropy_bits(bins: int) -> float:
    """Largest possible entropy of a 3D histogram with ``bins`` per axis, in bits."""
    return 3 * math.log2(validate_int(bins, "bins", MIN_BINS, MAX_BINS))
