"""Joint and conditional distributions of two colour channels, and what they share.

All intensities are levels 0..255 of a uint8 RGB image, shape (H, W, 3). A joint
histogram is built with one ``np.bincount`` on a combined index (a few ms on a
1024x768 image, ~20x faster than ``np.histogram2d``); coarser grids group levels
with an integer shift, so a bin always holds ``256 // bins`` consecutive levels.

Examples
--------
>>> import numpy as np
>>> rgb = np.array([[[0, 0, 9], [255, 255, 9]]], dtype=np.uint8)
>>> joint = joint_histogram(rgb, "red", "green")
>>> int(joint.counts[0, 0]), int(joint.counts[255, 255]), joint.total
(1, 1, 2)
>>> round(mutual_information(joint), 6)
1.0
>>> channel_correlation(rgb, "red", "green")
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from dashboard.core.vocabulary import (
    LEVELS,
    MAX_LEVEL,
    channel_index,
    validate_image,
    validate_int,
)

#: Accepted numbers of bins per axis of a joint histogram: the divisors of 256 (but 1).
ACCEPTED_JOINT_BINS: tuple[int, ...] = (2, 4, 8, 16, 32, 64, 128, 256)


def _check_joint_bins(bins: int) -> int:
    if (isinstance(bins, bool) or not isinstance(bins, (int, np.integer))
            or bins not in ACCEPTED_JOINT_BINS):
        accepted = ", ".join(map(str, ACCEPTED_JOINT_BINS))
        raise ValueError(f"bins must be one of {accepted} (a divisor of 256); got {bins!r}")
    return int(bins)


@dataclass(frozen=True)
class JointHistogram:
    """Pixel counts of a pair of channels on a ``bins`` x ``bins`` grid of levels.

    ``counts[i, j]`` is the number of pixels whose X level is in bin ``i`` and whose
    Y level is in bin ``j``; bin ``i`` holds levels ``level_edges[i] .. level_edges[i+1] - 1``.
    """

    counts: np.ndarray  # (bins, bins) int64
    bins: int
    x_channel: str
    y_channel: str
    level_edges: np.ndarray  # (bins + 1,) int64: 0, w, 2w, ..., 256 with w = 256 // bins

    @property
    def total(self) -> int:
        """Number of pixels counted."""
        return int(self.counts.sum())

    @property
    def bin_width(self) -> int:
        """Levels per bin (1 for the full 256 x 256 grid)."""
        return LEVELS // self.bins

    @property
    def level_centres(self) -> np.ndarray:
        """Mid-level of each bin, in levels (equal to the level itself when bins=256)."""
        return self.level_edges[:-1] + (self.bin_width - 1) / 2.0

    @property
    def pmf(self) -> np.ndarray:
        """Joint probability mass, (bins, bins) float64 summing to 1."""
        return self.counts / self.total

    def transpose(self) -> JointHistogram:
        """The same joint with the roles of X and Y swapped."""
        return JointHistogram(
            counts=np.ascontiguousarray(self.counts.T),
            bins=self.bins,
            x_channel=self.y_channel,
            y_channel=self.x_channel,
            level_edges=self.level_edges,
        )


def joint_histogram(
    rgb: np.ndarray, x_channel: str = "red", y_channel: str = "green", bins: int = 256
) -> JointHistogram:
    """Joint histogram of two channels of a uint8 RGB image (levels 0..255).

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray
    x_channel, y_channel : {"red", "green", "blue"}
        May be equal (the joint is then diagonal).
    bins : int
        Bins per axis, a divisor of 256 in ``ACCEPTED_JOINT_BINS``; each bin holds
        ``256 // bins`` levels.
    """
    rgb = validate_image(rgb, "rgb")
    ix, iy = channel_index(x_channel), channel_index(y_channel)
    bins = _check_joint_bins(bins)
    shift = 8 - bins.bit_length() + 1  # log2(256 // bins)
    x = rgb[..., ix]
    y = rgb[..., iy]
    if shift:
        x = x >> shift
        y = y >> shift
    # One combined index -> one bincount: the whole histogram in a single pass.
    combined = (x.astype(np.intp) << (8 - shift)) | y
    counts = np.bincount(combined.ravel(), minlength=bins * bins).reshape(bins, bins)
    edges = np.arange(0, LEVELS + 1, LEVELS // bins, dtype=np.int64)
    return JointHistogram(counts.astype(np.int64, copy=False), bins, x_channel, y_channel, edges)


def marginals(joint: JointHistogram) -> tuple[np.ndarray, np.ndarray]:
    """PMFs of X and of Y (each ``(bins,)`` float64 summing to 1) from a joint histogram."""
    total = joint.total
    return joint.counts.sum(axis=1) / total, joint.counts.sum(axis=0) / total


@dataclass(frozen=True)
class ConditionalPMF:
    """PMF of channel Y among the pixels whose X level lies in ``x_range``.

    When no pixel satisfies the condition, ``n_pixels`` is 0, ``is_empty`` is True
    and ``pmf`` is all NaN (a distribution of nothing is undefined, not zero).
    """

    pmf: np.ndarray  # (bins,) float64, sums to 1 (or all NaN when empty)
    counts: np.ndarray  # (bins,) int64: pixels per Y bin among those selected
    n_pixels: int
    x_channel: str
    y_channel: str
    x_range: tuple[int, int]  # levels of X actually covered, inclusive (whole bins)
    requested_range: tuple[int, int]  # levels of X asked for, inclusive
    level_edges: np.ndarray  # (bins + 1,) Y bin edges in levels

    @property
    def is_empty(self) -> bool:
        """True when no pixel has its X level in ``x_range``."""
        return self.n_pixels == 0


def conditional_pmf(joint: JointHistogram, x_lo: int, x_hi: int | None = None) -> ConditionalPMF:
    """PMF of Y given X at level ``x_lo`` or in the level range ``[x_lo, x_hi]`` (inclusive).

    On a coarse joint (``bins < 256``) the condition covers every bin that holds a
    requested level, so ``x_range`` can be wider than the request; it says which
    levels were used. Swap the roles with ``joint.transpose()``.
    """
    lo = validate_int(x_lo, "x_lo", 0, MAX_LEVEL)
    hi = lo if x_hi is None else validate_int(x_hi, "x_hi", 0, MAX_LEVEL)
    if hi < lo:
        raise ValueError(f"x_hi must be >= x_lo; got x_lo={lo}, x_hi={hi}")
    width = joint.bin_width
    first, last = lo // width, hi // width
    counts = joint.counts[first : last + 1].sum(axis=0)
    n_pixels = int(counts.sum())
    if n_pixels:
        pmf = counts / n_pixels
    else:
        pmf = np.full(joint.bins, np.nan)
    return ConditionalPMF(
        pmf=pmf,
        counts=counts,
        n_pixels=n_pixels,
        x_channel=joint.x_channel,
        y_channel=joint.y_channel,
        x_range=(first * width, (last + 1) * width - 1),
        requested_range=(lo, hi),
        level_edges=joint.level_edges,
    )


def _pearson_from_moments(n: int, sx: int, sy: int, sxx: int, syy: int, sxy: int) -> float:
    # Python ints: the centred sums are exact whatever the image size, before one division.
    cov = n * sxy - sx * sy
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if var_x == 0 or var_y == 0:
        return math.nan
    r = cov / (math.sqrt(var_x) * math.sqrt(var_y))
    return max(-1.0, min(1.0, r))


def pearson_correlation(joint: JointHistogram) -> float:
    """Pearson correlation of X and Y from a joint histogram; NaN if a channel is constant.

    Exact on the full 256 x 256 joint. On a coarse joint every pixel is placed at its
    bin's mid-level, so the value approximates the image's correlation.
    """
    counts = joint.counts
    if joint.bins == LEVELS:
        levels = np.arange(LEVELS, dtype=np.int64)
        row, col = counts.sum(axis=1), counts.sum(axis=0)
        return _pearson_from_moments(
            int(counts.sum()),
            int(row @ levels),
            int(col @ levels),
            int(row @ levels**2),
            int(col @ levels**2),
            int(levels @ counts @ levels),
        )
    centres = joint.level_centres
    p = joint.pmf
    px, py = p.sum(axis=1), p.sum(axis=0)
    mx, my = px @ centres, py @ centres
    dx, dy = centres - mx, centres - my
    var_x, var_y = px @ dx**2, py @ dy**2
    if var_x <= 0 or var_y <= 0:
        return math.nan
    r = float(dx @ p @ dy / math.sqrt(var_x * var_y))
    return max(-1.0, min(1.0, r))


def channel_correlation(rgb: np.ndarray, x_channel: str, y_channel: str) -> float:
    """Exact Pearson correlation of two channels of an RGB image; NaN if one is constant."""
    rgb = validate_image(rgb, "rgb")
    x = rgb[..., channel_index(x_channel)].astype(np.int64).ravel()
    y = rgb[..., channel_index(y_channel)].astype(np.int64).ravel()
    return _pearson_from_moments(
        x.size, int(x.sum()), int(y.sum()), int(x @ x), int(y @ y), int(x @ y)
    )


def entropy_bits(pmf: np.ndarray) -> float:
    """Shannon entropy in bits of a PMF (any shape; zero cells contribute nothing)."""
    p = np.asarray(pmf, dtype=np.float64).ravel()
    p = p[p > 0]
    return float(max(0.0, -(p * np.log2(p)).sum()))


def _mutual_information_bits(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    px, py = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    outer = np.outer(px, py)[nz]
    return max(0.0, float((p[nz] * np.log2(p[nz] / outer)).sum()))


def mutual_information(joint: JointHistogram) -> float:
    """Mutual information of X and Y in bits, at the joint's own binning (plug-in estimate).

    Computed as ``sum p(x, y) log2(p(x, y) / (p(x) p(y)))`` over the ``bins`` x ``bins``
    joint: 0 for independent distributions, ``H(X)`` (at that binning) for identical ones.
    A coarse joint can only lose information, so its MI is <= the 256 x 256 value. On a
    finite sample it is biased upwards, by a lot when the joint has many cells per pixel:
    compare it with :func:`independence_baseline`.
    """
    return _mutual_information_bits(joint.counts)


def mutual_information_miller_madow(joint: JointHistogram) -> float:
    """Mutual information in bits with the Miller-Madow correction for a finite sample.

    The plug-in estimate (:func:`mutual_information`) is biased upwards: even independent
    channels show about ``(bins_x - 1)(bins_y - 1) / (2 N ln 2)`` bits. Miller-Madow adds
    ``(K - 1) / (2 N)`` nats to each entropy, K being its occupied bins, so the MI changes by
    ``(K_x + K_y - K_xy - 1) / (2 N ln 2)`` bits. Clipped at 0.
    """
    counts = joint.counts
    n = counts.sum()
    if n == 0:
        return 0.0
    occupied_x = int(np.count_nonzero(counts.sum(axis=1)))
    occupied_y = int(np.count_nonzero(counts.sum(axis=0)))
    occupied_xy = int(np.count_nonzero(counts))
    correction = (occupied_x + occupied_y - occupied_xy - 1) / (2.0 * n * math.log(2))
    return max(0.0, mutual_information(joint) + correction)


# ------------------------------------------------------------ what independence gives

#: Shuffles behind the independence baseline of the mutual information.
BASELINE_SHUFFLES = 8
#: Above this many pixels a shuffled joint is drawn as a random table with the joint's margins
#: (one hypergeometric draw per cell); below it by shuffling the pixels, which is then cheaper.
_TABLE_DRAW_PIXELS = 200_000


def shuffled_joint_counts(joint: JointHistogram, rng=None) -> np.ndarray:
    """The joint's counts after shuffling the pixels of Y among the pixels, (bins, bins) int64:
    the same two histograms, but channels made independent.

    Drawn exactly: by shuffling the Y levels (small images), or, equivalently, as a random
    table with the joint's row and column sums, row by row from the multivariate
    hypergeometric distribution (large images, where it is cheaper).
    """
    rng = np.random.default_rng(rng)
    counts = joint.counts
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    bins = joint.bins
    if joint.total <= _TABLE_DRAW_PIXELS:
        x = np.repeat(np.arange(bins), rows)
        y = rng.permutation(np.repeat(np.arange(bins), cols))
        return np.bincount(x * bins + y, minlength=bins * bins).reshape(bins, bins)
    table = np.zeros((bins, bins), dtype=np.int64)
    remaining = cols.copy()
    occupied = np.flatnonzero(rows)
    for row in occupied[:-1]:
        table[row] = rng.multivariate_hypergeometric(remaining, int(rows[row]),
                                                     method="marginals")
        remaining -= table[row]
    table[occupied[-1]] = remaining
    return table


@dataclass(frozen=True)
class IndependenceBaseline:
    """What the plug-in mutual information of a joint shows when the channels are independent
    but keep their histograms and the number of pixels: the values of a few shuffles of Y
    (bits), their mean, and ``bound``, the one-sided 95 % prediction bound for one more
    shuffle (mean + t(0.95, shuffles - 1) x sd x sqrt(1 + 1 / shuffles)). An estimate at or
    below the bound shows no detectable dependence (:meth:`detects`).
    """

    shuffled_bits: np.ndarray
    mean: float
    bound: float

    @property
    def shuffles(self) -> int:
        """How many shuffles the baseline is made of."""
        return int(self.shuffled_bits.size)

    def detects(self, mutual_information_bits: float) -> bool:
        """True when an estimate is above what independent channels give (5 % level)."""
        return bool(mutual_information_bits > self.bound)


def independence_baseline(
    joint: JointHistogram, shuffles: int = BASELINE_SHUFFLES, rng=None
) -> IndependenceBaseline:
    """:class:`IndependenceBaseline` of the plug-in mutual information of ``joint``, from
    ``shuffles`` shuffles (at least 2) of its Y pixels (:func:`shuffled_joint_counts`).

    >>> rgb = np.zeros((1, 4, 3), dtype=np.uint8)
    >>> rgb[0, 2:, :2] = 1  # red and green agree on every pixel: 1 bit
    >>> baseline = independence_baseline(joint_histogram(rgb, "red", "green"), rng=0)
    >>> baseline.detects(mutual_information(joint_histogram(rgb, "red", "green")))
    False
    """
    shuffles = validate_int(shuffles, "shuffles", 2)
    generator = np.random.default_rng(rng)
    values = np.array([_mutual_information_bits(shuffled_joint_counts(joint, generator))
                       for _ in range(shuffles)])
    mean = float(values.mean())
    spread = float(values.std(ddof=1)) * math.sqrt(1.0 + 1.0 / shuffles)
    bound = mean + float(special.stdtrit(shuffles - 1, 0.95)) * spread
    values.flags.writeable = False
    return IndependenceBaseline(shuffled_bits=values, mean=mean, bound=bound)
