"""A painting's 3D colour distribution as a diffusion prior, and a sample of it without structure.

The prior is the painting's binned RGB histogram: each occupied bin ``j`` of a ``bins^3``
grid on levels 0..255 (the bins of :func:`dashboard.core.colours.colour_histogram`) is an
atom at ``c_j``, the exact mean colour of its pixels on the data scale [-1, 1]
(``2 x / 255 - 1``), with probability ``P_j``, its share of the pixels. Under the forward
process ``x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps`` (``ab = alpha_bar_t``, eps ~ N(0, I_3)),
the optimal denoiser of a pixel is the posterior mean over the atoms::

    E[x_0 | x_t] = sum_j w_j c_j,   w_j ~ P_j exp(-|x_t - sqrt(ab) c_j|^2 / (2 (1 - ab))).

Unlike the per-channel denoiser of :mod:`dashboard.core.diffusion`, it knows which colours
occur together, which is where the channels' correlation helps. Every pixel costs one term
per occupied bin: about 1.5 ns per pixel and bin, so the default 16^3 bins (a few hundred to a
thousand occupied) suit a 1024-pixel picture on demand, and 32^3 bins (several thousand
occupied) take seconds.

With atoms at bin means, the denoiser at t = 0 returns the nearest bin mean, not the pixel's
own colour: the prior is the painting's colours up to its bins.

Examples
--------
>>> import numpy as np
>>> image = np.array([[[0, 0, 0], [255, 255, 255]]], dtype=np.uint8)
>>> prior = colour_prior(image, bins=8)
>>> prior.colours.tolist(), prior.weights.tolist()
([[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]], [0.5, 0.5])
>>> colour_posterior_mean(np.array([[0.2, 0.3, 0.1]]), prior, 0.5).round(3).tolist()
[[0.69, 0.69, 0.69]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from dashboard.core.colours import MAX_BINS, MIN_BINS, colour_histogram
from dashboard.core.diffusion_schedules import validate_alpha_bar
from dashboard.core.noise import validate_seed
from dashboard.core.vocabulary import CHANNELS, MAX_LEVEL, validate_image, validate_int

#: Bins per axis of the colour prior when none is given.
DEFAULT_COLOUR_BINS = 16
# Elements of one (pixels x bins) block: 4 MB in float32.
_BLOCK = 1 << 20
# Below this noise variance 1 - ab the weights are computed in float64. From it up, float32
# halves the time; its exponents (of size ~ 1 / (1 - ab)) then move posterior means by at most
# ~1e-4 data-scale units (0.013 levels; measured 8e-5 at 1 - ab = 1e-4, 2e-6 at 1e-2).
_FLOAT32_MIN_NOISE_VARIANCE = 0.99e-4
# Exponents (relative to a pixel's largest) are raised to this floor before exp: e^-80 is a
# normal number in float32 and float64, and J e^-80 is far below either's precision.
_LOWEST_EXPONENT = -80.0


@dataclass(frozen=True)
class ColourPrior:
    """Occupied bins of a painting's RGB histogram as atoms of a prior on the data scale."""

    #: (J, 3) float64: mean colour of each occupied bin, data scale [-1, 1].
    colours: np.ndarray
    #: (J,) float64: share of the pixels in each bin; sums to 1.
    weights: np.ndarray
    #: Bins per axis of the histogram.
    bins: int

    @property
    def size(self) -> int:
        """Number of atoms (occupied bins)."""
        return int(self.weights.size)

    @property
    def mean(self) -> np.ndarray:
        """Mean colour of the prior, (3,) data scale: the painting's mean colour."""
        return self.weights @ self.colours


def colour_prior(image: np.ndarray, bins: int = DEFAULT_COLOUR_BINS) -> ColourPrior:
    """The 3D colour prior of a uint8 RGB image: one atom per occupied bin of ``bins^3``
    (``bins`` in 8..64), at the exact mean colour of its pixels, weighted by its share."""
    image = validate_image(image, "image")
    bins = validate_int(bins, "bins", MIN_BINS, MAX_BINS)
    histogram = colour_histogram(image, "rgb", bins)
    colours = 2.0 * histogram.mean_rgb / MAX_LEVEL - 1.0
    return ColourPrior(colours, histogram.shares.astype(np.float64), bins)


def _validated_points(x_t: object) -> np.ndarray:
    values = np.asarray(x_t, dtype=np.float64)
    if values.ndim < 1 or values.shape[-1] != len(CHANNELS):
        raise ValueError(f"x_t must end in {len(CHANNELS)} channels; got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("x_t must hold finite numbers (data scale)")
    return values


def colour_posterior_mean(
    x_t: np.ndarray, prior: ColourPrior, alpha_bar_t: float
) -> np.ndarray:
    """``E[x_0 | x_t]`` of every pixel of ``x_t`` (..., 3) under the 3D colour ``prior``.

    Float64, data scale, ``x_t``'s shape. Posterior weights over the occupied bins are
    normalised per pixel by their largest exponent (log-sum-exp). At ``ab = 0`` every pixel
    gets the prior mean; at ``ab = 1`` the nearest atom (the limit of ``ab -> 1``).
    Where the noise variance ``1 - ab`` is at least 1e-4 (every step of the default schedules
    but the cosine's first) the weights are computed in float32, which moves the means by at
    most about 1e-4 data-scale units (0.013 levels); below it in float64.
    """
    if not isinstance(prior, ColourPrior):
        raise ValueError(f"prior must be a ColourPrior; got {type(prior).__name__}")
    ab = validate_alpha_bar(alpha_bar_t)
    x_t = _validated_points(x_t)
    flat = x_t.reshape(-1, len(CHANNELS))
    if ab == 0.0:
        return np.broadcast_to(prior.mean, x_t.shape).copy()
    if ab == 1.0:
        _, nearest = cKDTree(prior.colours).query(flat)
        return prior.colours[nearest].reshape(x_t.shape)

    s2 = 1.0 - ab
    dtype = np.float32 if s2 >= _FLOAT32_MIN_NOISE_VARIANCE else np.float64
    colours = prior.colours
    # exponent_ij = x_i . c_j sqrt(ab) / s2 - |c_j|^2 ab / (2 s2) + log P_j; the pixel's own
    # -|x_i|^2 / (2 s2) cancels in the normalisation.
    basis = np.vstack(
        [
            colours.T * (math.sqrt(ab) / s2),
            np.log(prior.weights) - (ab / (2.0 * s2)) * (colours * colours).sum(axis=1),
        ]
    ).astype(dtype)
    moments_of = np.hstack([np.ones((prior.size, 1)), colours]).astype(dtype)
    rows = np.hstack([flat, np.ones((flat.shape[0], 1))]).astype(dtype)
    out = np.empty(flat.shape)
    block = max(1, _BLOCK // prior.size)
    for start in range(0, flat.shape[0], block):
        part = slice(start, min(flat.shape[0], start + block))
        weights = rows[part] @ basis
        weights -= weights.max(axis=1, keepdims=True)
        # Terms below e^-80 change no sum; as subnormal numbers they would slow every pass.
        np.maximum(weights, _LOWEST_EXPONENT, out=weights)
        np.exp(weights, out=weights)
        moments = (weights @ moments_of).astype(np.float64)
        out[part] = moments[:, 1:] / moments[:, :1]
    return out.reshape(x_t.shape)


def structure_free_sample(image: np.ndarray, seed: int) -> np.ndarray:
    """An image of ``image``'s shape whose pixels are drawn independently, with replacement,
    from ``image``'s own pixels: exactly its 3D colour distribution and none of its structure.

    Seeded with ``np.random.default_rng(seed)``: the same image and seed give the same sample.

    Examples
    --------
    >>> image = np.array([[[10, 20, 30], [200, 100, 0]]], dtype=np.uint8)
    >>> sample = structure_free_sample(image, seed=1)
    >>> sample.shape, all(p in image[0].tolist() for p in sample[0].tolist())
    ((1, 2, 3), True)
    """
    image = validate_image(image, "image")
    seed = validate_seed(seed)
    pixels = image.reshape(-1, len(CHANNELS))
    picks = np.random.default_rng(seed).integers(0, pixels.shape[0], size=pixels.shape[0])
    return pixels[picks].reshape(image.shape)
