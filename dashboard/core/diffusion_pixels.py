"""The per-pixel passes of a diffusion step, in chunks: the pictures of ``x_t`` and of the
per-channel denoiser ``E[x_0 | x_t]``, and the denoiser's measured error.

The passes walk the image a few rows at a time through buffers reused from chunk to chunk:
they stay in the processor's cache, and no image-sized temporary is made. The x_t picture is
bit for bit :func:`~dashboard.core.diffusion.display_levels` of
:func:`~dashboard.core.diffusion.forward_sample`; the denoiser is the cubic table of
:func:`~dashboard.core.diffusion.posterior_mean_tabulated` over a range known from the
noise, so within the same tolerance of the exact sum, and its measured error is summed chunk
by chunk. On a 1024 x 811 painting this takes a channel's denoiser from about 20 ms to about
half that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.core.diffusion import (
    LEVEL_ATOMS,
    TABULATE_FROM,
    channel_prior,
    denoiser_table,
    display_levels,
    forward_sample,
    posterior_mean,
    validated_tolerance,
)
from dashboard.core.diffusion_schedules import validate_alpha_bar
from dashboard.core.vocabulary import MAX_LEVEL

#: Values per chunk: 65,536 float64 values are 512 KB per buffer. Smaller chunks fit the
#: cache better but pay numpy's call overhead more often; on a 1024 x 811 painting this size
#: was the fastest of 16, 64 and 256 thousand.
CHUNK_VALUES = 1 << 16


def _checked(levels: object, eps: object) -> tuple[np.ndarray, np.ndarray]:
    """``levels`` (uint8) and ``eps`` (same shape, not empty) as arrays, never copied."""
    levels, eps = np.asarray(levels), np.asarray(eps)
    if levels.dtype != np.uint8:
        raise ValueError(f"levels must be uint8; got {levels.dtype}")
    if levels.shape != eps.shape or levels.size == 0:
        raise ValueError(f"eps must have the shape of levels {levels.shape} (not empty); "
                         f"got {eps.shape}")
    return levels, eps


def _rows_per_chunk(shape: tuple[int, ...]) -> int:
    """Rows (first-axis entries) in a chunk of about :data:`CHUNK_VALUES` values: at least
    one, so a row longer than that is a chunk of its own."""
    return min(shape[0], max(1, CHUNK_VALUES // math.prod(shape[1:])))


def _chunks(shape: tuple[int, ...]):
    """Slices along the first axis, :func:`_rows_per_chunk` rows each."""
    step = _rows_per_chunk(shape)
    for start in range(0, shape[0], step):
        yield slice(start, min(shape[0], start + step))


class _Buffers:
    """Scratch arrays for the chunks of an array of ``shape``: views of each chunk's shape."""

    def __init__(self, shape: tuple[int, ...], count: int) -> None:
        size = _rows_per_chunk(shape) * math.prod(shape[1:])
        self._float = [np.empty(size) for _ in range(count)]
        self._index = np.empty(size, dtype=np.intp)

    def views(self, shape: tuple[int, ...]) -> tuple[list[np.ndarray], np.ndarray]:
        n = math.prod(shape)
        return ([b[:n].reshape(shape) for b in self._float], self._index[:n].reshape(shape))


def _forward_into(x0_levels: np.ndarray, eps: np.ndarray, a: float, s: float,
                  x0: np.ndarray, x_t: np.ndarray, scratch: np.ndarray) -> None:
    """``x0`` = the levels on the data scale, ``x_t = a x0 + s eps`` (float64), in place: the
    operations of :func:`forward_sample`, so the same bits."""
    np.take(LEVEL_ATOMS, x0_levels, mode="clip", out=x0)
    np.multiply(x0, a, out=x_t)
    x_t += np.multiply(eps, s, dtype=np.float64, out=scratch)


def _levels_into(x: np.ndarray, scratch: np.ndarray, out: np.ndarray, *,
                 clip: bool = True) -> None:
    """:func:`display_levels` of ``x`` into the uint8 array ``out``, through ``scratch``;
    ``clip=False`` for values known to lie in [-1, 1] (a posterior mean, an average of
    levels), where clipping changes nothing."""
    np.add(x, 1.0, out=scratch)
    scratch *= MAX_LEVEL / 2.0
    np.rint(scratch, out=scratch)
    if clip:
        np.maximum(scratch, 0.0, out=scratch)  # np.clip, in two cheaper passes
        np.minimum(scratch, float(MAX_LEVEL), out=scratch)
    np.copyto(out, scratch, casting="unsafe")


def noisy_levels(levels: np.ndarray, eps: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """``display_levels(forward_sample(to_data_scale(levels), ab, eps))``: the picture of x_t
    as uint8 levels of ``levels``' shape (x_t clipped to [-1, 1] for display only).
    ``levels`` and ``eps`` may be strided views (every k-th pixel of an image)."""
    ab = validate_alpha_bar(alpha_bar_t)
    levels, eps = _checked(levels, eps)
    a, s = math.sqrt(ab), math.sqrt(1.0 - ab)
    out = np.empty(levels.shape, dtype=np.uint8)
    buffers = _Buffers(levels.shape, 3)
    for chunk in _chunks(levels.shape):
        (x0, x_t, scratch), _ = buffers.views(out[chunk].shape)
        _forward_into(levels[chunk], eps[chunk], a, s, x0, x_t, scratch)
        _levels_into(x_t, x0, out[chunk])
    return out


@dataclass(frozen=True)
class DenoisedChannel:
    """The per-channel denoiser of one channel: ``E[x_0 | x_t]`` of every pixel as display
    levels (uint8, the channel's shape) and its mean squared error against ``x_0``
    (data-scale units squared)."""

    levels: np.ndarray
    mse: float


def denoise_channel(levels: np.ndarray, eps: np.ndarray, pmf: np.ndarray, alpha_bar_t: float,
                    tolerance: float = 1e-9, eps_range: tuple[float, float] | None = None,
                    out: np.ndarray | None = None) -> DenoisedChannel:
    """The denoiser of one channel at step t, from its levels (uint8) and its noise ``eps``
    (same shape): ``x_t = forward_sample(to_data_scale(levels), ab, eps)``, and
    ``E[x_0 | x_t]`` under ``pmf`` within ``tolerance`` (data-scale units) of the exact sum,
    as display levels, with its measured error.

    The mean is a :class:`~dashboard.core.diffusion.DenoiserTable` over a range that holds
    every ``x_t``: ``sqrt(ab)`` times the occupied levels' range plus ``sqrt(1 - ab)`` times
    the noise's (``eps_range``, its least and greatest value, computed when not given), so
    the image is read once. Steps where the table does not pay (t = 0, ``ab = 0``, a tiny
    image, or a grid as large as a quarter of the pixels) take the exact sum instead. The
    levels are written into ``out`` (uint8, ``levels``' shape, may be a strided view) if given.
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    tolerance = validated_tolerance(tolerance)
    levels, eps = _checked(levels, eps)
    a, s = math.sqrt(ab), math.sqrt(1.0 - ab)
    if out is None:
        out = np.empty(levels.shape, dtype=np.uint8)
    elif not isinstance(out, np.ndarray) or out.dtype != np.uint8 or out.shape != levels.shape:
        raise ValueError(f"out must be a uint8 array of shape {levels.shape}")
    table = None
    if 0.0 < ab < 1.0 and levels.size >= TABULATE_FROM:
        low_eps, high_eps = (float(eps.min()), float(eps.max())) if eps_range is None \
            else eps_range
        # The same roundings as each pixel's x_t, which they bound (rounding is monotone).
        low = a * float(atoms[0]) + s * low_eps
        high = a * float(atoms[-1]) + s * high_eps
        table = denoiser_table(atoms, weights, ab, low, high, tolerance, levels.size // 4)
    if table is None:
        x0 = LEVEL_ATOMS[levels]
        mean = posterior_mean(forward_sample(x0, ab, eps), pmf, ab)
        error = (mean - x0).ravel()
        out[...] = display_levels(mean)
        return DenoisedChannel(levels=out, mse=float(error @ error) / error.size)

    squares = 0.0
    buffers = _Buffers(levels.shape, 4)
    for chunk in _chunks(levels.shape):
        (x0, u, term, mean), index = buffers.views(out[chunk].shape)
        _forward_into(levels[chunk], eps[chunk], a, s, x0, u, term)
        u -= table.low
        table.evaluate_into(u, index, term, mean)
        # The mean lies between two exact means, averages of levels in [-1, 1] (an ulp
        # beyond still rounds to the end level): clipping would change nothing.
        _levels_into(mean, term, out[chunk], clip=False)
        mean -= x0
        squares += float(np.vdot(mean, mean))
    return DenoisedChannel(levels=out, mse=squares / levels.size)
