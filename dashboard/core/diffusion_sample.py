"""Statistics of a sampled ``x_t`` at any step, from what one noise field gives once.

With ``a = sqrt(ab)`` and ``s = sqrt(1 - ab)`` every pixel of step ``t`` is
``x_t = a x_0 + s eps`` with the same ``eps`` at every step (one seed, one field). So:

- the sample's mean and channel covariance are ``a m_0 + s m_eps`` and
  ``a^2 C_00 + a s (C_0e + C_0e^T) + s^2 C_ee``, where ``m`` are the means and ``C`` the
  (population) covariances of ``x_0`` and ``eps`` over the pixels, computed once per image
  and seed (:func:`noise_moments`, :func:`sample_moments`);
- a pixel of level ``k`` lies below an edge ``e`` when ``eps < (e - a x_0k) / s``: with the
  noise of each level's pixels sorted once (:func:`sorted_noise`), the histogram of ``x_t``
  on any edges is one binary search per level and edge (:func:`sample_histogram`).

Both are the statistics of the whole image, not of a subsample; they differ from those of
``x_t`` computed pixel by pixel only by rounding (the histogram only for a pixel within
rounding error of an edge). A slider move then costs microseconds instead of passes over
every pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.core.diffusion import LEVEL_ATOMS
from dashboard.core.diffusion_schedules import validate_alpha_bar
from dashboard.core.vocabulary import LEVELS, MAX_LEVEL, validate_image


def _channel_data(image: np.ndarray, eps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    image = validate_image(image, "image", rgb=False)
    if image.ndim != 3:
        raise ValueError(f"image must have shape (H, W, C); got {image.shape}")
    eps = np.asarray(eps)
    if eps.shape != image.shape:
        raise ValueError(f"eps must have the image's shape {image.shape}; got {eps.shape}")
    if not np.issubdtype(eps.dtype, np.floating):
        raise ValueError(f"eps must hold floating-point numbers; got {eps.dtype}")
    channels = image.shape[-1]
    return image.reshape(-1, channels), eps.reshape(-1, channels)


# --------------------------------------------------------------------------- moments


@dataclass(frozen=True)
class NoiseMoments:
    """Means and population covariances over the pixels of ``x_0`` (data scale) and ``eps``."""

    mean_clean: np.ndarray   # (C,)
    mean_noise: np.ndarray   # (C,)
    cov_clean: np.ndarray    # (C, C) Cov(x_0, x_0)
    cov_cross: np.ndarray    # (C, C) Cov(x_0 [row], eps [column])
    cov_noise: np.ndarray    # (C, C) Cov(eps, eps)


def noise_moments(image: np.ndarray, eps: np.ndarray) -> NoiseMoments:
    """:class:`NoiseMoments` of a uint8 image (H, W, C) and its noise field ``eps`` (same shape).

    ``x_0``'s moments come from integer sums (a constant channel has a variance of exactly
    0); the others from data centred on their means, so no precision is lost to cancellation.
    """
    levels, noise = _channel_data(image, eps)
    n = levels.shape[0]
    counts = levels.astype(np.int64)
    sums = counts.sum(axis=0)
    products = counts.T @ counts
    scale = 2.0 / MAX_LEVEL
    mean_clean = scale * sums / n - 1.0
    cov_clean = (n * products - np.outer(sums, sums)) * (scale * scale / (n * n))
    noise = noise.astype(np.float64)
    mean_noise = noise.mean(axis=0)
    centred_noise = noise - mean_noise
    centred_clean = (counts - sums / n) * scale
    return NoiseMoments(
        mean_clean=mean_clean, mean_noise=mean_noise, cov_clean=cov_clean,
        cov_cross=centred_clean.T @ centred_noise / n,
        cov_noise=centred_noise.T @ centred_noise / n,
    )


def sample_moments(moments: NoiseMoments, alpha_bar_t: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean (C,) and population covariance (C, C) over the pixels of ``x_t`` at ``alpha_bar_t``.

    Examples
    --------
    >>> image = np.array([[[0, 255, 0], [255, 0, 0]]], dtype=np.uint8)
    >>> eps = np.array([[[1.0, 0.0, -1.0], [-1.0, 0.0, 1.0]]])
    >>> mean, cov = sample_moments(noise_moments(image, eps), 0.25)
    >>> mean.round(12).tolist()
    [0.0, 0.0, -0.5]
    >>> cov.diagonal().round(12).tolist()   # red: +-(sqrt(3)/2 - 1/2), green +-1/2, blue
    [0.133974596216, 0.25, 0.75]
    """
    ab = validate_alpha_bar(alpha_bar_t)
    a, s = math.sqrt(ab), math.sqrt(1.0 - ab)
    mean = a * moments.mean_clean + s * moments.mean_noise
    cross = moments.cov_cross + moments.cov_cross.T
    cov = ab * moments.cov_clean + a * s * cross + (1.0 - ab) * moments.cov_noise
    return mean, cov


def correlation_from_covariance(cov: np.ndarray) -> np.ndarray:
    """Pearson correlation from a covariance matrix; NaN for a channel without spread."""
    diagonal = np.diag(cov)
    scale = np.where(diagonal > 0, np.sqrt(np.abs(diagonal)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(scale, scale)


# ------------------------------------------------------------------------- histograms


@dataclass(frozen=True)
class SortedNoise:
    """Per channel, the noise of the pixels grouped by level and sorted within each level."""

    #: (C, N) in the noise's own dtype (float32 for the app's fields: 4 bytes a value):
    #: channel c's noise, the pixels of level 0 first, each level ascending.
    values: np.ndarray
    #: (C, LEVELS + 1) int: level k's pixels of channel c are ``values[c, starts[c, k]:
    #: starts[c, k + 1]]``.
    starts: np.ndarray

    @property
    def pixels(self) -> int:
        return int(self.values.shape[1])


def sorted_noise(image: np.ndarray, eps: np.ndarray) -> SortedNoise:
    """:class:`SortedNoise` of a uint8 image (H, W, C) and its noise field (same shape)."""
    levels, noise = _channel_data(image, eps)
    channels = levels.shape[1]
    values = np.empty((channels, levels.shape[0]), dtype=noise.dtype)
    starts = np.zeros((channels, LEVELS + 1), dtype=np.int64)
    for c in range(channels):
        order = np.lexsort((noise[:, c], levels[:, c]))
        values[c] = noise[order, c]
        starts[c, 1:] = np.cumsum(np.bincount(levels[:, c], minlength=LEVELS))
    return SortedNoise(values=values, starts=starts)


def search_keys(thresholds: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Keys in ``dtype`` that split values of that dtype as the float64 ``thresholds`` do:
    a value ``v`` of ``dtype`` is below ``thresholds[i]`` exactly when it is below
    ``keys[i]``.

    Each key is the least value of ``dtype`` at or above its threshold, so a sorted array of
    ``dtype`` is searched with them without numpy widening the whole array to float64 first
    (which it does for float64 keys: a copy of every value per search).

    Examples
    --------
    >>> keys = search_keys(np.array([0.7, 0.5]), np.dtype(np.float32))
    >>> v = np.float32(0.7)                  # 0.699999988..., just below 0.7
    >>> bool(v < np.float64(0.7)), bool(v < keys[0])
    (True, True)
    >>> float(keys[1])                       # 0.5 is a float32: its own key
    0.5
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return np.asarray(thresholds, dtype=np.float64)
    with np.errstate(over="ignore"):     # beyond the dtype's range: +-inf splits alike
        keys = np.asarray(thresholds).astype(dtype)
    below = keys < thresholds            # compared in float64, which holds both exactly
    keys[below] = np.nextafter(keys[below], dtype.type(np.inf))
    return keys


def sample_histogram(noise: SortedNoise, alpha_bar_t: float, edges: np.ndarray) -> np.ndarray:
    """Counts (C, len(edges) - 1) of ``x_t = a x_0 + s eps`` per channel in the bins of
    ``edges`` (increasing), as :func:`numpy.histogram` counts them: each bin holds its left
    edge, the last also its right edge, and values outside are not counted.

    Needs ``alpha_bar_t < 1`` (at 1, ``x_t`` is the image itself: count its levels).

    Examples
    --------
    >>> image = np.array([[[0], [0], [255]]], dtype=np.uint8)
    >>> eps = np.array([[[-1.0], [1.0], [0.0]]])
    >>> noise = sorted_noise(image, eps)              # x_t = -1.4, 0.2 and 0.6
    >>> sample_histogram(noise, 0.36, np.array([-2.0, -1.0, 0.0, 1.0])).tolist()
    [[1, 0, 2]]
    """
    ab = validate_alpha_bar(alpha_bar_t)
    if ab == 1.0:
        raise ValueError("alpha_bar_t must be below 1: at 1, x_t is the image's levels")
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or not (np.diff(edges) > 0).all():
        raise ValueError("edges must be at least two increasing numbers")
    a, s = math.sqrt(ab), math.sqrt(1.0 - ab)
    # Level k's pixel lies below edge e exactly when its eps < (e - a x_0k) / s.
    thresholds = (edges[np.newaxis, :] - a * LEVEL_ATOMS[:, np.newaxis]) / s   # (LEVELS, E)
    keys = search_keys(thresholds, noise.values.dtype)
    channels = noise.values.shape[0]
    below = np.zeros((channels, edges.size), dtype=np.int64)    # pixels < each edge
    at_or_below_last = np.zeros(channels, dtype=np.int64)        # pixels <= the last edge
    for c in range(channels):
        values = noise.values[c]
        starts = noise.starts[c]
        occupied = np.flatnonzero(starts[1:] > starts[:-1])
        bounds = starts.tolist()
        found = np.stack([values[bounds[k]:bounds[k + 1]].searchsorted(keys[k])
                          for k in occupied.tolist()])            # (occupied levels, edges)
        below[c] = found.sum(axis=0)
        last = found[:, -1]
        # Values equal to the last edge belong to the last bin (almost never any): a level
        # has some when its first value not below that edge equals it.
        first = starts[occupied]
        inside = np.flatnonzero(last < starts[occupied + 1] - first)
        next_values = values[first[inside] + last[inside]]
        tied = inside[next_values == thresholds[occupied[inside], -1]]
        for i in tied.tolist():
            k = int(occupied[i])
            last[i] = values[bounds[k]:bounds[k + 1]].searchsorted(keys[k, -1], side="right")
        at_or_below_last[c] = last.sum()
    counts = np.diff(below, axis=1)
    counts[:, -1] += at_or_below_last - below[:, -1]
    return counts
