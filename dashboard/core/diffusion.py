"""The diffusion forward process on an 8-bit image, and its exact per-channel theory.

Data scale (DDPM convention): a level ``x`` in 0..255 becomes ``x_0 = 2 x / 255 - 1`` in
[-1, 1]. One step ``t`` of the forward process keeps the fraction ``alpha_bar`` (written
``ab`` below, from :mod:`dashboard.core.diffusion_schedules`) of the signal::

    x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps,      eps ~ N(0, 1) per pixel and channel,

real-valued: no clipping, no rounding. ``eps`` is the seeded field of
:func:`dashboard.core.noise.standard_normal_field` (float32, from
``np.random.default_rng(seed)``), the same field the explorer draws for that seed: moving
``t`` is arithmetic on one field, and ``x_t / sqrt(ab)`` is exactly the explorer's noisy
picture at ``sigma = sqrt((1 - ab) / ab) / 2`` before clipping and rounding.

Per channel, the prior is the channel's level PMF ``P(k)`` with atoms ``x_0k = 2k/255 - 1``,
so with ``a = sqrt(ab)`` and ``s^2 = 1 - ab`` the marginal is a Gaussian mixture::

    p_t(x) = sum_k P(k) N(x; a x_0k, s^2).

From it, in closed form or by quadrature (:func:`information_curves`):

- ``KL(p_t || N(0, 1))`` in nats; +inf at ``ab = 1``, where ``p_0`` is discrete;
- ``I(x_0; x_t) = h(x_t) - 1/2 log2(2 pi e s^2)`` in bits; at ``ab = 1`` it is the entropy
  of ``x_0``. Since ``E[x_t^2] = ab E[x_0^2] + s^2``, ``h(x_t) = -KL + 1/2 log(2 pi)
  + 1/2 E[x_t^2]``, hence ``I = 1/2 (ab (E[x_0^2] - 1) - log(1 - ab)) - KL`` (nats);
- the optimal denoiser ``E[x_0 | x_t = x] = sum_k w_k(x) x_0k`` with posterior weights
  ``w_k(x) ~ P(k) N(x; a x_0k, s^2)``, its variance ``Var(x_0 | x_t = x)``, and the expected
  squared error ``mmse = int p_t(x) Var(x_0 | x_t = x) dx`` (data-scale units squared).
  Tweedie's formula ``E[x_0 | x_t = x] = (x + s^2 d/dx log p_t(x)) / a`` holds
  (:func:`marginal_score`). The denoiser costs one term per pixel and occupied level
  (:func:`posterior_mean`); :func:`posterior_mean_tabulated` interpolates it from exact values
  within a stated tolerance, for a slider move on a whole image.

Quadrature: the integrals run over a uniform grid from ``9 s`` below the lowest occupied atom
to ``9 s`` above the highest, of spacing ``0.2 s``, or ``0.8 s / r`` when two neighbouring
occupied atoms are ``r s`` apart with ``r > 4`` (the posterior variance between them is a bump
of width ~ ``s / r``). The integrands are analytic and vanish at both ends, so the trapezoid
rule converges geometrically: against adaptive quadrature and 40-digit arithmetic the results
agree to about 1e-9 relative or better for ``ab`` from 2e-9 to 1 - 1e-5 (tests).
When occupied atoms are at least ``20 s`` apart, their Gaussians overlap by less than
``exp(-50)`` and the closed forms of separated atoms are exact in double precision:
``h(x_t) = H(x_0) + 1/2 log(2 pi e s^2)`` and ``mmse = 0``.

Examples
--------
>>> pmf = np.zeros(256); pmf[[0, 255]] = 0.5          # black and white, half each
>>> round(mutual_information_bits(pmf, 1.0), 6), round(mutual_information_bits(pmf, 0.0), 6)
(1.0, 0.0)
>>> float(posterior_mean(np.array([0.3]), pmf, 0.5)[0]) > 0
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.core.diffusion_schedules import validate_alpha_bar
from dashboard.core.noise import standard_normal_field
from dashboard.core.vocabulary import CHANNELS, LEVELS, MAX_LEVEL, validate_image

# Grid spacing of the quadrature in units of the noise standard deviation s.
_GRID_STEP = 0.2
# Grid spacing, in units of s / r, for the posterior-variance bump between atoms r s apart:
# the trapezoid rule's error on it is about exp(-2 pi^2 / 0.8) = 2e-11 of the bump.
_BUMP_STEP = 0.8
# The grid reaches this many s beyond the outermost occupied atoms.
_GRID_REACH = 9.0
# Occupied atoms at least this many s apart are treated as separated (overlap < e^-50).
_SEPARATION = 20.0
# At or below this alpha_bar the marginal is so close to N(0, 1) that log(p_t / phi) is
# computed as log1p of a sum of expm1 terms.
_NEAR_STANDARD = 1e-2
# Elements of one (points x atoms) block: 8 MB of float64 per temporary.
_BLOCK = 1 << 20
#: Fewest points for which the denoiser is tabulated (below, the exact sum is cheap).
TABULATE_FROM = 256
# Floor of the shifted exponents (see _posterior_blocks).
_LOWEST_EXPONENT = -700.0
# How far a PMF's sum may be from 1 before it is refused.
_PMF_SUM_TOLERANCE = 1e-6
_LOG_2PI = math.log(2.0 * math.pi)


def _level_atoms() -> np.ndarray:
    atoms = 2.0 * np.arange(LEVELS) / MAX_LEVEL - 1.0
    atoms.setflags(write=False)
    return atoms


#: Data-scale value ``2 k / 255 - 1`` of each level k = 0..255 (read-only).
LEVEL_ATOMS = _level_atoms()


# ------------------------------------------------------------------ data scale, forward


def to_data_scale(levels: np.ndarray) -> np.ndarray:
    """Levels 0..255 (uint8, any shape) -> ``2 x / 255 - 1`` in [-1, 1], float64.

    Examples
    --------
    >>> to_data_scale(np.array([0, 255], dtype=np.uint8)).tolist()
    [-1.0, 1.0]
    """
    levels = validate_image(levels, "levels", rgb=False)
    return LEVEL_ATOMS[levels]


def display_levels(x: np.ndarray) -> np.ndarray:
    """Data-scale values -> uint8 levels ``round(255 (x + 1) / 2)``, clipped to 0..255.

    For display only: ``x_t`` itself is real-valued and leaves [-1, 1].

    Examples
    --------
    >>> display_levels(np.array([-3.0, -1.0, 0.0, 1.0, 2.5])).tolist()
    [0, 0, 128, 255, 255]
    """
    levels = np.array(x, dtype=np.float64)  # one image-sized copy, worked in place
    levels += 1.0
    levels *= MAX_LEVEL / 2.0
    np.rint(levels, out=levels)
    np.clip(levels, 0, MAX_LEVEL, out=levels)
    return levels.astype(np.uint8)


def forward_sample(x0: np.ndarray, alpha_bar_t: float, eps: np.ndarray) -> np.ndarray:
    """``x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps``, float64 (data scale).

    ``x0`` and ``eps`` have the same shape; ``eps`` is usually
    :func:`dashboard.core.noise.standard_normal_field` (float32; widened before use).

    Examples
    --------
    >>> forward_sample(np.array([1.0, -1.0]), 0.64, np.array([0.5, 0.5])).round(12).tolist()
    [1.1, -0.5]
    """
    ab = validate_alpha_bar(alpha_bar_t)
    x0 = np.asarray(x0, dtype=np.float64)
    eps = np.asarray(eps)
    if x0.shape != eps.shape:
        raise ValueError(f"eps must have the shape of x0 {x0.shape}; got {eps.shape}")
    # Each product in float64 (eps widened as it is read), summed in place: two image-sized
    # arrays, not four.
    x_t = np.multiply(x0, math.sqrt(ab))
    x_t += np.multiply(eps, math.sqrt(1.0 - ab), dtype=np.float64)
    return x_t


def diffuse(image: np.ndarray, alpha_bar_t: float, seed: int) -> np.ndarray:
    """``x_t`` (float64, data scale, image's shape) of a uint8 image at ``alpha_bar_t``, with the
    noise field of ``seed``: the same seed gives the same ``eps`` at every step."""
    x0 = to_data_scale(image)
    return forward_sample(x0, alpha_bar_t, standard_normal_field(x0.shape, seed))


# ------------------------------------------------------------------------- the prior


def validate_pmf(pmf: object, name: str = "pmf") -> np.ndarray:
    """Return ``pmf`` as float64 of shape (..., 256), each row renormalised to sum to exactly 1.

    Rows must be finite, non-negative and sum to 1 within 1e-6; else ValueError.
    """
    try:
        values = np.array(pmf, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of {LEVELS} probabilities") from None
    if values.ndim == 0 or values.shape[-1] != LEVELS:
        raise ValueError(
            f"{name} must have {LEVELS} probabilities on its last axis; got shape {values.shape}"
        )
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"{name} must hold finite, non-negative probabilities")
    totals = values.sum(axis=-1, keepdims=True)
    if (np.abs(totals - 1.0) > _PMF_SUM_TOLERANCE).any():
        worst = float(totals.ravel()[np.argmax(np.abs(totals.ravel() - 1.0))])
        raise ValueError(f"{name} must sum to 1 over the {LEVELS} levels; got {worst!r}")
    return values / totals


def _occupied(pmf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Atoms (data scale) and probabilities of the levels with positive mass."""
    levels = np.flatnonzero(pmf > 0)
    return LEVEL_ATOMS[levels], pmf[levels]


def _entropy_nats(weights: np.ndarray) -> float:
    return float(max(0.0, -(weights * np.log(weights)).sum()))


def marginal_moments(pmf: np.ndarray, alpha_bar_t: float) -> tuple[float, float]:
    """Mean ``sqrt(ab) E[x_0]`` and variance ``ab Var(x_0) + 1 - ab`` of ``x_t`` (data scale)."""
    pmf = validate_pmf(pmf)
    if pmf.ndim != 1:
        raise ValueError(f"pmf must have shape ({LEVELS},); got {pmf.shape}")
    ab = validate_alpha_bar(alpha_bar_t)
    mean = float(pmf @ LEVEL_ATOMS)
    variance = float(pmf @ (LEVEL_ATOMS - mean) ** 2)
    return math.sqrt(ab) * mean, ab * variance + (1.0 - ab)


# ------------------------------------------------------------- per-point posterior


def _nearest_index(atoms: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of the atom (sorted ascending) nearest to each value; the lower one on a tie."""
    if atoms.size == 1:
        return np.zeros(values.shape, dtype=np.intp)
    upper = np.clip(np.searchsorted(atoms, values), 1, atoms.size - 1)
    lower = upper - 1
    return np.where(values - atoms[lower] <= atoms[upper] - values, lower, upper)


def _posterior_blocks(
    slope: np.ndarray,
    curvature: np.ndarray | float,
    atoms: np.ndarray,
    log_weights: np.ndarray,
    want_variance: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """For exponents ``E_ik = slope_i x_k - curvature_i x_k^2 + log P_k`` (one row per point,
    ``curvature > 0``): ``log sum_k exp(E_ik)``, the mean of ``x_k`` under the weights
    ``exp(E_ik)`` and, if asked, their variance.

    Each row is shifted by its value at the atom nearest to ``slope / (2 curvature)``, the
    atom where ``E - log P`` peaks, so every term is at most ``P_k <= 1`` and the nearest
    atom's term is ``P_k > 0``: no overflow, and never an all-zero row. The exponents and
    the three moment sums are matrix products; where ``E[x^2] - E[x]^2`` would lose more than
    six digits to cancellation the variance is summed again as ``sum w (x_k - mean)^2``.
    """
    n, k = slope.size, atoms.size
    squares = atoms * atoms
    curvature = np.broadcast_to(np.asarray(curvature, dtype=np.float64), slope.shape)
    peak = atoms[_nearest_index(atoms, slope / (2.0 * curvature))]
    shift = slope * peak - curvature * peak * peak
    rows_of = np.stack([slope, -curvature, np.ones(n), -shift], axis=1)
    basis = np.stack([atoms, squares, log_weights, np.ones(k)])
    moments_of = np.stack([np.ones(k), atoms, squares], axis=1)
    if not want_variance:
        moments_of = moments_of[:, :2]

    log_norm = np.empty(n)
    mean = np.empty(n)
    variance = np.empty(n) if want_variance else None
    block = max(1, _BLOCK // k)
    for start in range(0, n, block):
        part = slice(start, min(n, start + block))
        weights = rows_of[part] @ basis
        # e^-700 is still a normal number: subnormal terms would slow the sums, and terms
        # this small change none of them.
        np.maximum(weights, _LOWEST_EXPONENT, out=weights)
        np.exp(weights, out=weights)
        moments = weights @ moments_of
        total = moments[:, 0]
        log_norm[part] = shift[part] + np.log(total)
        mean[part] = moments[:, 1] / total
        if variance is not None:
            second = moments[:, 2] / total
            spread = second - mean[part] ** 2
            lossy = np.flatnonzero(spread < 1e-6 * second)
            if lossy.size:
                centred = atoms - mean[part][lossy, None]
                centred *= centred
                centred *= weights[lossy]
                spread[lossy] = centred.sum(axis=1) / total[lossy]
            variance[part] = np.maximum(spread, 0.0)
    return log_norm, mean, variance


def channel_prior(pmf: object, alpha_bar_t: object) -> tuple[np.ndarray, np.ndarray, float]:
    """A channel's PMF and ``alpha_bar``, checked: its occupied atoms (data scale), their
    probabilities, and ``alpha_bar`` as a float."""
    pmf = validate_pmf(pmf)
    if pmf.ndim != 1:
        raise ValueError(f"pmf must have shape ({LEVELS},); got {pmf.shape}")
    atoms, weights = _occupied(pmf)
    return atoms, weights, validate_alpha_bar(alpha_bar_t)


def _as_points(x: object, name: str) -> np.ndarray:
    values = np.asarray(x, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} must hold finite numbers (data scale)")
    return values


def _mixture(x: np.ndarray, atoms: np.ndarray, weights: np.ndarray, ab: float, want_variance):
    """At each point ``x`` for ``0 < ab < 1``: ``log p_t(x)``, the posterior mean and, if asked,
    the posterior variance of ``x_0`` (arrays of ``x``'s shape)."""
    s2 = 1.0 - ab
    flat = x.ravel()
    curvature = ab / (2.0 * s2)
    log_norm, mean, variance = _posterior_blocks(
        flat * (math.sqrt(ab) / s2), curvature, atoms, np.log(weights), want_variance
    )
    # sum_k P_k exp(-(x - a x_k)^2 / 2 s^2) = exp(-x^2 / 2 s^2) * exp(log_norm).
    log_density = log_norm - flat * flat / (2.0 * s2) - 0.5 * (_LOG_2PI + math.log(s2))
    if variance is not None:
        variance = variance.reshape(x.shape)
    return log_density.reshape(x.shape), mean.reshape(x.shape), variance


def _nearest_atoms(x: np.ndarray, atoms: np.ndarray, weights: np.ndarray):
    """The ``ab -> 1`` limit of the posterior: the nearest atom (the weighted pair on a tie)."""
    right = np.clip(np.searchsorted(atoms, x), 1, max(1, atoms.size - 1))
    left = right - 1 if atoms.size > 1 else np.zeros_like(right)
    right = np.minimum(right, atoms.size - 1)
    gap_left, gap_right = np.abs(x - atoms[left]), np.abs(atoms[right] - x)
    w_left = np.where(gap_left <= gap_right, weights[left], 0.0)
    w_right = np.where(gap_right <= gap_left, weights[right], 0.0)
    w_right = np.where(left == right, 0.0, w_right)
    total = w_left + w_right
    mean = (w_left * atoms[left] + w_right * atoms[right]) / total
    variance = w_left * w_right * (atoms[right] - atoms[left]) ** 2 / total**2
    return mean, variance


def marginal_log_density(x: np.ndarray, pmf: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """``log p_t(x)`` of the channel's marginal at data-scale points ``x`` (any shape).

    ``p_t(x) = sum_k P(k) N(x; sqrt(ab) x_0k, 1 - ab)``, a density per data-scale unit.
    At ``ab = 1`` (t = 0) ``x_0`` is discrete and has no density: ValueError.
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    x = _as_points(x, "x")
    if ab == 1.0:
        raise ValueError("alpha_bar_t must be < 1 for a density: at t = 0 x_0 is discrete")
    if ab == 0.0:
        return -0.5 * (x * x + _LOG_2PI)
    return _mixture(x, atoms, weights, ab, want_variance=False)[0]


def marginal_density(x: np.ndarray, pmf: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """``p_t(x)`` at data-scale points ``x`` (per data-scale unit); see
    :func:`marginal_log_density`.

    Examples
    --------
    >>> pmf = np.zeros(256); pmf[255] = 1.0      # one level: x_t ~ N(sqrt(ab), 1 - ab)
    >>> float(marginal_density(np.array([0.6]), pmf, 0.36)[0]) == 1 / math.sqrt(2 * math.pi * 0.64)
    True
    """
    return np.exp(marginal_log_density(x, pmf, alpha_bar_t))


def marginal_score(x: np.ndarray, pmf: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """Score ``d/dx log p_t(x)`` at data-scale points ``x``: the mixture's derivative
    ``sum_k P(k) N'(x; a x_0k, s^2) / p_t(x)``, which is ``(a E[x_0 | x] - x) / s^2``.

    Tweedie's formula then reads ``E[x_0 | x_t = x] = (x + s^2 score(x)) / a``.
    Undefined at ``ab = 1`` (ValueError).
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    x = _as_points(x, "x")
    if ab == 1.0:
        raise ValueError("alpha_bar_t must be < 1 for a score: at t = 0 x_0 is discrete")
    if ab == 0.0:
        return -x
    mean = _mixture(x, atoms, weights, ab, want_variance=False)[1]
    return (math.sqrt(ab) * mean - x) / (1.0 - ab)


def posterior_moments(
    x_t: np.ndarray, pmf: np.ndarray, alpha_bar_t: float
) -> tuple[np.ndarray, np.ndarray]:
    """``E[x_0 | x_t]`` and ``Var(x_0 | x_t)`` per pixel (data scale; arrays of ``x_t``'s shape).

    Posterior weights ``w_k ~ P(k) exp(-(x_t - sqrt(ab) x_0k)^2 / (2 (1 - ab)))`` over the
    occupied levels, normalised by log-sum-exp. At ``ab = 0`` the posterior is the prior; at
    ``ab = 1`` it is the limit ``ab -> 1``: all mass on the nearest occupied level.
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    x_t = _as_points(x_t, "x_t")
    if ab == 0.0:
        mean = float(weights @ atoms)
        variance = float(weights @ (atoms - mean) ** 2)
        return np.full(x_t.shape, mean), np.full(x_t.shape, variance)
    if ab == 1.0:
        return _nearest_atoms(x_t, atoms, weights)
    _, mean, variance = _mixture(x_t, atoms, weights, ab, want_variance=True)
    return mean, variance


def posterior_mean(x_t: np.ndarray, pmf: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """The optimal (least-squares) denoiser ``E[x_0 | x_t]`` per pixel, data scale.

    Same posterior as :func:`posterior_moments`, without the variance (faster).

    Examples
    --------
    >>> pmf = np.zeros(256); pmf[[0, 255]] = 0.5
    >>> posterior_mean(np.array([-2.0, 0.0, 2.0]), pmf, 0.5).round(4).tolist()
    [-0.993, 0.0, 0.993]
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    x_t = _as_points(x_t, "x_t")
    if ab == 0.0:
        return np.full(x_t.shape, float(weights @ atoms))
    if ab == 1.0:
        return _nearest_atoms(x_t, atoms, weights)[0]
    return _mixture(x_t, atoms, weights, ab, want_variance=False)[1]


def validated_tolerance(tolerance: object) -> float:
    """A denoiser tolerance (data-scale units) checked to be a number in [1e-14, 0.1]."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float | np.floating):
        raise ValueError(f"tolerance must be a number in [1e-14, 0.1]; got {tolerance!r}")
    value = float(tolerance)
    if not 1e-14 <= value <= 0.1:
        raise ValueError(f"tolerance must be a number in [1e-14, 0.1]; got {tolerance!r}")
    return value


def _hermite_table(atoms, weights, ab, low, high, tolerance, max_points):
    """Exact posterior means and slopes on a uniform grid over [low, high], refined until the
    cubic Hermite interpolant is within ``tolerance / 8`` of the exact mean at every interval's
    midpoint; None if that needs more than ``max_points`` evaluations."""
    slope_factor = math.sqrt(ab) / (1.0 - ab)
    intervals = 64
    while 2 * intervals + 1 <= max_points:
        grid = np.linspace(low, high, intervals + 1)
        step = grid[1] - grid[0]
        points = np.concatenate([grid, grid[:-1] + step / 2])
        _, mean, variance = _mixture(points, atoms, weights, ab, want_variance=True)
        values, middles = mean[: intervals + 1], mean[intervals + 1 :]
        # d/dx E[x_0 | x] = sqrt(ab) Var(x_0 | x) / (1 - ab).
        slopes = slope_factor * variance[: intervals + 1] * step
        guess = 0.5 * (values[:-1] + values[1:]) + (slopes[:-1] - slopes[1:]) / 8.0
        error = float(np.max(np.abs(guess - middles))) if intervals else 0.0
        if error <= tolerance / 8.0:
            return grid, values, slopes
        # The interpolation error falls as the fourth power of the spacing.
        factor = max(2.0, 1.25 * (8.0 * error / tolerance) ** 0.25)
        intervals = int(math.ceil(intervals * factor))
    return None


def posterior_mean_tabulated(
    x_t: np.ndarray, pmf: np.ndarray, alpha_bar_t: float, tolerance: float = 1e-9
) -> np.ndarray:
    """:func:`posterior_mean` within ``tolerance`` (data-scale units), fast on large images.

    ``E[x_0 | x_t = x]`` is a smooth increasing function of ``x`` alone, with derivative
    ``sqrt(ab) Var(x_0 | x) / (1 - ab)``. Both are computed exactly on a uniform grid over the
    range of ``x_t``, refined until the cubic Hermite interpolant through them is within
    ``tolerance / 8`` of the exact mean at the midpoint of every interval (where a cubic
    Hermite interpolant's error peaks); each pixel is then one cubic, clamped between the
    exact values at its interval's ends, which bound it since the mean increases. When the
    grid would need more than a quarter as many points as ``x_t`` has (steps so early that the
    mean is nearly a staircase), the exact sum is used instead.

    Examples
    --------
    >>> pmf = np.zeros(256); pmf[[0, 255]] = 0.5
    >>> x = np.linspace(-3, 3, 10_001)
    >>> fast, exact = posterior_mean_tabulated(x, pmf, 0.5), posterior_mean(x, pmf, 0.5)
    >>> bool(np.max(np.abs(fast - exact)) <= 1e-9)
    True
    """
    atoms, weights, ab = channel_prior(pmf, alpha_bar_t)
    x_t = _as_points(x_t, "x_t")
    tolerance = validated_tolerance(tolerance)
    if ab in (0.0, 1.0) or x_t.size < TABULATE_FROM:
        return posterior_mean(x_t, pmf, ab)
    table = denoiser_table(atoms, weights, ab, float(x_t.min()), float(x_t.max()), tolerance,
                           x_t.size // 4)
    if table is None:
        return posterior_mean(x_t, pmf, ab)
    return table.evaluate(x_t)


@dataclass(frozen=True)
class DenoiserTable:
    """The cubic Hermite interpolant of ``E[x_0 | x_t = x]`` on a uniform grid
    (:func:`denoiser_table`): per interval ``i``, ``p(u) = c0 + c1 u + c2 u^2 + c3 u^3`` with
    ``u = (x - low) / step - i`` in [0, 1], clamped between the exact means ``c0`` and ``top``
    at the interval's ends (the mean increases, so they bound it)."""

    low: float
    step: float
    c3: np.ndarray
    c2: np.ndarray
    c1: np.ndarray
    c0: np.ndarray
    top: np.ndarray

    def evaluate(self, x_t: np.ndarray) -> np.ndarray:
        """The interpolant at every point of ``x_t`` (a new array of its shape)."""
        u = np.subtract(x_t, self.low)
        index = np.empty(u.shape, dtype=np.intp)
        result = np.empty_like(u)
        return self.evaluate_into(u, index, np.empty_like(u), result)

    def evaluate_into(self, u: np.ndarray, index: np.ndarray, term: np.ndarray,
                      out: np.ndarray) -> np.ndarray:
        """The interpolant at ``x = u + low`` into ``out``; ``u`` holds ``x - low >= 0`` on entry
        and is overwritten, ``index`` (intp) and ``term`` are scratch buffers of its shape.

        Every operation works in place on the caller's buffers (a slider move runs this on a
        million pixels per channel, in chunks that stay in the processor's cache), and every
        bit of the result is that of the plain formula. ``take`` gets ``mode="clip"`` (the
        indices are already in range): with the default mode and an ``out`` buffer numpy
        copies through a buffer, ten times slower.
        """
        u /= self.step
        np.copyto(index, u, casting="unsafe")  # truncation, as astype(intp)
        # Only x = high gives index = intervals; x < low, were there any, would be clamped
        # below (take clips the index, and the result is held between c0 and top).
        np.minimum(index, self.c0.size - 1, out=index)
        u -= index
        np.take(self.c3, index, mode="clip", out=out)
        out *= u
        out += np.take(self.c2, index, mode="clip", out=term)
        out *= u
        out += np.take(self.c1, index, mode="clip", out=term)
        out *= u
        out += np.take(self.c0, index, mode="clip", out=term)
        np.maximum(out, term, out=out)
        return np.minimum(out, np.take(self.top, index, mode="clip", out=term), out=out)


def denoiser_table(atoms: np.ndarray, weights: np.ndarray, ab: float, low: float, high: float,
                   tolerance: float, max_points: int) -> DenoiserTable | None:
    """:class:`DenoiserTable` of the occupied ``atoms`` and their ``weights`` at ``0 < ab < 1``
    over [low, high], within ``tolerance`` of the exact mean everywhere in it; None if that
    needs more than ``max_points`` exact evaluations or the range is a single point."""
    if not high > low:
        return None
    table = _hermite_table(atoms, weights, ab, low, high, tolerance, max_points)
    if table is None:
        return None
    grid, values, slopes = table
    rise = values[1:] - values[:-1]
    # p(u) = v0 + d0 u + (3 rise - 2 d0 - d1) u^2 + (d0 + d1 - 2 rise) u^3, u in [0, 1].
    return DenoiserTable(
        low=low, step=float(grid[1] - grid[0]),
        c3=slopes[:-1] + slopes[1:] - 2.0 * rise,
        c2=3.0 * rise - 2.0 * slopes[:-1] - slopes[1:],
        c1=slopes[:-1], c0=values[:-1], top=values[1:],
    )


def posterior_mean_image(
    x_t: np.ndarray, pmfs: np.ndarray, alpha_bar_t: float, tolerance: float | None = None
) -> np.ndarray:
    """The per-channel denoiser of every pixel of ``x_t`` (..., 3), each channel under its own
    PMF (3, 256): :func:`posterior_mean`, or with a ``tolerance`` (data-scale units)
    :func:`posterior_mean_tabulated`, which is about a hundred times faster on a large image."""
    pmfs = validate_pmf(pmfs, "pmfs")
    x_t = _as_points(x_t, "x_t")
    if pmfs.shape != (len(CHANNELS), LEVELS) or x_t.shape[-1:] != (len(CHANNELS),):
        raise ValueError(
            f"x_t must end in {len(CHANNELS)} channels and pmfs have shape "
            f"({len(CHANNELS)}, {LEVELS}); got {x_t.shape} and {pmfs.shape}"
        )
    out = np.empty(x_t.shape)
    for channel in range(len(CHANNELS)):
        if tolerance is None:
            out[..., channel] = posterior_mean(x_t[..., channel], pmfs[channel], alpha_bar_t)
        else:
            out[..., channel] = posterior_mean_tabulated(
                x_t[..., channel], pmfs[channel], alpha_bar_t, tolerance
            )
    return out


# -------------------------------------------------------------- information curves


@dataclass(frozen=True)
class ChannelInformation:
    """KL, mutual information and denoiser MSE of one or more channels at each ``alpha_bar``.

    Arrays have shape ``pmf.shape[:-1] + alpha_bar.shape``.
    """

    #: The signal fractions the values are for.
    alpha_bar: np.ndarray
    #: ``KL(p_t || N(0, 1))`` in nats (+inf at ``alpha_bar = 1``).
    kl_nats: np.ndarray
    #: ``I(x_0; x_t)`` in bits (the entropy of ``x_0`` at ``alpha_bar = 1``).
    mutual_information_bits: np.ndarray
    #: ``E[(x_0 - E[x_0 | x_t])^2]``, data-scale units squared.
    mse_expected: np.ndarray


def _near_standard_blocks(
    slope: np.ndarray,
    curvature: np.ndarray,
    constant: np.ndarray,
    atoms: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``log(p_t / phi)`` and the posterior variance where every Gaussian's log ratio to N(0, 1),
    ``u_ik = slope_i x_k - curvature_i x_k^2 + constant_i``, is small (``ab <= 0.01``).

    ``log(p_t / phi) = log1p(sum_k P_k expm1(u_ik))`` keeps full relative precision when
    ``p_t`` is within 1e-9 of N(0, 1), where ``log sum_k P_k exp(u_ik)`` would keep only the
    digits left after adding ``log P_k``.
    """
    n = slope.size
    rows_of = np.stack([slope, -curvature, constant], axis=1)
    basis = np.stack([atoms, atoms * atoms, np.ones(atoms.size)])
    moments_of = np.stack([weights, weights * atoms, weights * atoms * atoms], axis=1)
    m1, m2 = float(moments_of[:, 1].sum()), float(moments_of[:, 2].sum())
    log_ratio = np.empty(n)
    variance = np.empty(n)
    block = max(1, _BLOCK // atoms.size)
    for start in range(0, n, block):
        part = slice(start, min(n, start + block))
        excess = rows_of[part] @ basis
        np.expm1(excess, out=excess)
        moments = excess @ moments_of
        log_ratio[part] = np.log1p(moments[:, 0])
        total = 1.0 + moments[:, 0]
        mean = (m1 + moments[:, 1]) / total
        variance[part] = np.maximum((m2 + moments[:, 2]) / total - mean * mean, 0.0)
    return log_ratio, variance


def _grid_terms(
    atoms: np.ndarray, weights: np.ndarray, ab: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """KL (nats) and expected posterior variance at each ``0 < ab < 1`` by the trapezoid rule
    on one grid per ``ab`` (see the module docstring); the grids are concatenated so that all
    steps are computed in the same few blocks."""
    a, s2 = np.sqrt(ab), 1.0 - ab
    s = np.sqrt(s2)
    low = a * atoms[0] - _GRID_REACH * s
    high = a * atoms[-1] + _GRID_REACH * s
    # Between two neighbouring atoms r s apart the posterior variance is a bump of width
    # ~ s / r (in units of s); the grid must resolve the widest such r below the separation.
    gaps = np.sort(np.diff(atoms))
    widest = np.zeros(ab.size)
    if gaps.size:
        below = np.searchsorted(gaps, _SEPARATION * s / a) - 1
        widest = np.where(below >= 0, gaps[np.maximum(below, 0)] * a / s, 0.0)
    step_in_s = np.minimum(_GRID_STEP, _BUMP_STEP / np.maximum(widest, 1e-300))
    counts = np.ceil((high - low) / (step_in_s * s)).astype(np.int64) + 1
    spacing = (high - low) / (counts - 1)
    rows = np.repeat(np.arange(ab.size), counts)
    local = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    x = low[rows] + spacing[rows] * local
    slope = x * (a / s2)[rows]
    curvature = (ab / (2.0 * s2))[rows]
    # log N(x; a x_k, s^2) - log phi(x) = slope x_k - curvature x_k^2 + constant.
    constant = -curvature * x * x - 0.5 * np.log1p(-ab)[rows]

    log_ratio = np.empty(x.size)
    variance = np.empty(x.size)
    smooth = (ab <= _NEAR_STANDARD)[rows]
    if smooth.any():
        log_ratio[smooth], variance[smooth] = _near_standard_blocks(
            slope[smooth], curvature[smooth], constant[smooth], atoms, weights
        )
    if not smooth.all():
        rest = ~smooth
        log_norm, _, variance[rest] = _posterior_blocks(
            slope[rest], curvature[rest], atoms, np.log(weights), want_variance=True
        )
        log_ratio[rest] = log_norm + constant[rest]
    density = np.exp(log_ratio - 0.5 * (x * x + _LOG_2PI))
    step = spacing[rows]
    kl = np.bincount(rows, weights=density * log_ratio * step, minlength=ab.size)
    mse = np.bincount(rows, weights=density * variance * step, minlength=ab.size)
    return kl, mse


def _channel_information(pmf: np.ndarray, ab: np.ndarray):
    atoms, weights = _occupied(pmf)
    m1 = float(weights @ atoms)
    m2 = float(weights @ (atoms * atoms))
    variance = float(weights @ (atoms - m1) ** 2)
    entropy = _entropy_nats(weights)
    gap = float(np.diff(atoms).min()) if atoms.size > 1 else math.inf

    kl = np.empty(ab.shape)
    mse = np.empty(ab.shape)
    # 1/2 (ab (E x_0^2 - 1) - log(1 - ab)) = KL + I: exact for every 0 <= ab < 1.
    with np.errstate(divide="ignore"):
        kl_plus_mi = 0.5 * (ab * (m2 - 1.0) - np.log1p(-ab))
    inner = (ab > 0.0) & (ab < 1.0)
    separated = inner.copy()
    separated[inner] = gap * np.sqrt(ab[inner]) >= _SEPARATION * np.sqrt(1.0 - ab[inner])
    on_grid = inner & ~separated

    kl[ab == 0.0], mse[ab == 0.0] = 0.0, variance
    kl[ab == 1.0], mse[ab == 1.0] = math.inf, 0.0
    kl[separated] = kl_plus_mi[separated] - entropy
    mse[separated] = 0.0
    if on_grid.any():
        kl[on_grid], mse[on_grid] = _grid_terms(atoms, weights, ab[on_grid])
    kl = np.maximum(kl, 0.0)
    mi = np.full(ab.shape, entropy)
    mi[inner] = np.clip(kl_plus_mi[inner] - kl[inner], 0.0, entropy)
    mi[ab == 0.0] = 0.0
    return kl, mi / math.log(2.0), np.clip(mse, 0.0, variance)


def information_curves(pmf: np.ndarray, alpha_bar_values: np.ndarray) -> ChannelInformation:
    """KL to N(0, 1), mutual information and expected denoiser MSE at every ``alpha_bar``.

    ``pmf`` is one channel's level PMF (256,) or several (C, 256); ``alpha_bar_values`` any
    array of numbers in [0, 1] (typically a whole schedule, ``T + 1`` values). Values at each
    ``alpha_bar`` are computed there, never interpolated; see the module docstring for the
    formulas and the quadrature.

    Examples
    --------
    >>> pmf = np.zeros(256); pmf[128] = 1.0                 # one level
    >>> info = information_curves(pmf, np.array([1.0, 0.5, 0.0]))
    >>> info.kl_nats.round(6).tolist(), info.mse_expected.tolist()
    ([inf, 0.096577, 0.0], [0.0, 0.0, 0.0])
    """
    pmf = validate_pmf(pmf)
    values = np.asarray(alpha_bar_values, dtype=np.float64)
    if not (np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()):
        raise ValueError("alpha_bar_values must hold finite numbers in [0, 1]")
    flat_ab = values.ravel()
    rows = pmf.reshape(-1, LEVELS)
    results = [_channel_information(row, flat_ab) for row in rows]
    shape = pmf.shape[:-1] + values.shape
    kl, mi, mse = (np.stack([r[i] for r in results]).reshape(shape) for i in range(3))
    return ChannelInformation(values, kl, mi, mse)


def _single(pmf: np.ndarray, alpha_bar_t: float) -> ChannelInformation:
    pmf = validate_pmf(pmf)
    if pmf.ndim != 1:
        raise ValueError(f"pmf must have shape ({LEVELS},); got {pmf.shape}")
    return information_curves(pmf, np.array(validate_alpha_bar(alpha_bar_t)))


def kl_to_standard_normal(pmf: np.ndarray, alpha_bar_t: float) -> float:
    """``KL(p_t || N(0, 1))`` in nats for one channel; +inf at ``ab = 1`` (a discrete ``p_0``
    has no density against N(0, 1)), 0 at ``ab = 0``."""
    return float(_single(pmf, alpha_bar_t).kl_nats)


def mutual_information_bits(pmf: np.ndarray, alpha_bar_t: float) -> float:
    """``I(x_0; x_t) = h(x_t) - 1/2 log2(2 pi e (1 - ab))`` in bits for one channel; the
    entropy of ``x_0`` (bits) at ``ab = 1``, 0 at ``ab = 0``."""
    return float(_single(pmf, alpha_bar_t).mutual_information_bits)


def expected_denoiser_mse(pmf: np.ndarray, alpha_bar_t: float) -> float:
    """``int p_t(x) Var(x_0 | x_t = x) dx``: the least possible mean squared error of any
    denoiser for one channel (data-scale units squared); ``Var(x_0)`` at ``ab = 0``."""
    return float(_single(pmf, alpha_bar_t).mse_expected)


def entropy_bits(pmf: np.ndarray) -> float:
    """Shannon entropy of one channel's levels in bits: ``I(x_0; x_t)`` at t = 0."""
    atoms, weights, _ = channel_prior(pmf, 1.0)
    return _entropy_nats(weights) / math.log(2.0)


# ------------------------------------------------------------------------- correlation


def channel_covariance(image: np.ndarray) -> np.ndarray:
    """3 x 3 covariance of the channels of ``x_0`` (data scale, population: divided by N)."""
    image = validate_image(image, "image")
    levels = image.reshape(-1, len(CHANNELS)).astype(np.int64)
    n = levels.shape[0]
    # Integer sums, so a constant channel has a variance of exactly 0 (not a rounding residue
    # that would make its correlation +-1): x0 = 2 k / 255 - 1, so Cov(x0) = (2/255)^2 Cov(k).
    sums = [int(s) for s in levels.sum(axis=0)]
    products = levels.T @ levels
    scale = (2.0 / MAX_LEVEL) ** 2 / (n * n)
    return np.array([[(n * int(products[i, j]) - sums[i] * sums[j]) * scale
                      for j in range(len(CHANNELS))] for i in range(len(CHANNELS))])


def correlation_theory(covariance: np.ndarray, alpha_bar_values) -> np.ndarray:
    """Channel correlation of ``x_t``: ``rho_ij = ab C_ij / sqrt((ab C_ii + 1 - ab)(ab C_jj +
    1 - ab))`` for the covariance ``C`` of ``x_0`` (any square size).

    ``alpha_bar_values`` is a number (result ``C``'s shape) or an array (result
    ``alpha_bar.shape + C.shape``, e.g. a whole schedule). NaN where a channel of ``x_0`` is
    constant at ``ab = 1`` (no correlation is defined).

    Examples
    --------
    >>> correlation_theory(np.array([[1.0, 1.0], [1.0, 1.0]]), 0.5).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    >>> correlation_theory(np.eye(2) + 0.5, np.array([1.0, 0.0]))[:, 0, 1].round(6).tolist()
    [0.333333, 0.0]
    """
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or not np.isfinite(cov).all():
        raise ValueError(f"covariance must be a finite square matrix; got shape {cov.shape}")
    if np.ndim(alpha_bar_values) == 0:
        ab = np.asarray(validate_alpha_bar(alpha_bar_values))
    else:
        ab = np.asarray(alpha_bar_values, dtype=np.float64)
        if not (np.isfinite(ab).all() and (ab >= 0).all() and (ab <= 1).all()):
            raise ValueError("alpha_bar_values must hold finite numbers in [0, 1]")
    ab = ab[..., None, None]
    noisy = ab * cov + (1.0 - ab) * np.eye(cov.shape[0])
    scale = np.sqrt(np.diagonal(noisy, axis1=-2, axis2=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return noisy / (scale[..., :, None] * scale[..., None, :])


def correlation_sample(x_t: np.ndarray) -> np.ndarray:
    """Pearson correlation of the channels (last axis) of a sample ``x_t``: (C, C)."""
    x_t = _as_points(x_t, "x_t")
    if x_t.ndim < 2 or x_t.shape[-1] < 2:
        raise ValueError(f"x_t must have at least two channels on its last axis; got {x_t.shape}")
    flat = x_t.reshape(-1, x_t.shape[-1]).astype(np.float64)
    # Shifted by the first point rather than centred on the computed mean (which is off by a
    # few ulps): a constant channel then has a spread of exactly 0, and no correlation.
    shifted = flat - flat[0]
    mean = shifted.mean(axis=0)
    cov = shifted.T @ shifted - flat.shape[0] * np.outer(mean, mean)
    scale = np.where(np.diag(cov) > 0, np.sqrt(np.abs(np.diag(cov))), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(scale, scale)
