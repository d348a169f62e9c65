"""Per-channel PMF / CDF of an image before and after noise, empirical and theoretical.

Levels are the integers 0..255; PMFs have shape (3, 256), one row per channel in
:data:`CHANNELS` order. The theory follows the model of :mod:`dashboard.core.noise`:
a pixel at level ``k`` becomes ``clip(k + n, 0, 255)`` where the integer offset
``n = rint(255 * mean + 255 * sigma * z)`` has, for ``z ~ N(0, 1)`` and ``sigma > 0``,

    P(n) = Phi((n + 1/2 - 255 mean) / (255 sigma)) - Phi((n - 1/2 - 255 mean) / (255 sigma)).

So the noisy PMF is ``original_pmf @ T`` with the 256 x 256 transition matrix
``T[k, j] = P(noisy = j | original = k)`` (:func:`transition_matrix`); all mass below
level 1/2 lands on 0 and all mass above 254.5 on 255. ``T`` depends on ``j - k`` only
(Toeplitz, apart from the two clipped columns) and is the same for every channel.

Goodness of fit (:func:`goodness_of_fit`) compares the noisy counts with that theory. Given the
original image the noisy pixels are independent but not identically distributed, so the counts
are a sum of multinomials, one per original level: the chi-square p-value and the chance range
of the total variation come from that model (:mod:`dashboard.core.multinomial_sums`), not from
one multinomial.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from scipy import special

from dashboard.core.multinomial_sums import (
    CHANCE_DRAWS,
    ChanceRange,
    PearsonNull,
    pearson_null,
    total_variation_chance,
)
from dashboard.core.noise import (
    NoiseRenderer,
    channel_base,
    noise_scale,
    standard_normal_field,
    validate_field,
    validate_seed,
)
from dashboard.core.vocabulary import CHANNELS, LEVELS, MAX_LEVEL, validate_image

#: Differences ``noisy - original`` run over -255..255: 511 values.
DIFFERENCES = 2 * LEVELS - 1
#: Noise plots: "unit" is the [0, 1] scale of the sliders, "levels" is 255 times it.
SCALES = {"unit": 1.0, "levels": 255.0}
#: Pool adjacent bins until each group expects at least this many pixels (chi-square).
MIN_EXPECTED_COUNT = 5.0


def _noise_on_scale(mean: float, variance: float, scale: str) -> tuple[float, float, float]:
    """``(factor, shift, spread)``: the factor of ``scale`` (``SCALES``), then the noise shift
    and spread in levels (:func:`~dashboard.core.noise.noise_scale`)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, got {scale!r}")
    return (SCALES[scale], *noise_scale(mean, variance))


# --------------------------------------------------------------------------- empirical


def channel_counts(image: np.ndarray) -> np.ndarray:
    """Pixel counts per channel and level, shape (3, 256) int64.

    One ``np.bincount`` over the combined index ``channel * 256 + level``.

    Examples
    --------
    >>> image = np.array([[[0, 1, 2], [0, 255, 2]]], dtype=np.uint8)
    >>> counts = channel_counts(image)
    >>> int(counts[0, 0]), int(counts[1, 1]), int(counts[1, 255]), int(counts[2, 2])
    (2, 1, 1, 2)
    """
    image = validate_image(image)
    index = np.add(image, channel_base(image.shape, LEVELS), dtype=np.int16)
    return np.bincount(index.reshape(-1), minlength=3 * LEVELS).reshape(3, LEVELS)


def extreme_counts(image: np.ndarray) -> np.ndarray:
    """Pixels at level 0 or 255 per channel, shape (3,) int64.

    One comparison over the image, then a count per channel over every third value: about a
    fifth of the time of :func:`channel_counts`, however many pixels are at the extremes.
    """
    image = validate_image(image)
    flat = image.reshape(-1)
    extreme = (flat - np.uint8(1)) >= np.uint8(MAX_LEVEL - 1)  # 0 wraps to 255, 255 to 254
    return np.array([np.count_nonzero(extreme[c::3]) for c in range(3)], dtype=np.int64)


def _checked_distributions(values: object, name: str) -> np.ndarray:
    """``values`` as float64 after checking it holds distributions along its last axis: at
    least one value each, all finite and non-negative, each with a positive total."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] == 0:
        raise ValueError(
            f"{name} must have at least one value along its last axis, got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        problem = "NaN or infinity"
    elif np.any(array < 0):
        problem = "a negative value"
    elif np.any(array.sum(axis=-1) <= 0):
        problem = "a distribution with a total of 0"
    else:
        return array
    raise ValueError(
        f"{name} must be non-negative and finite with a positive total in every distribution "
        f"(along its last axis); got {problem}"
    )


def pmf_from_counts(counts: object, name: str = "counts") -> np.ndarray:
    """Normalise counts or weights along the last axis into probabilities (float64, each
    distribution sums to 1); ValueError naming ``name`` if one is negative, not finite, or
    all zero.

    >>> pmf_from_counts(np.array([[1, 3], [2, 2]])).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    counts = _checked_distributions(counts, name)
    return counts / counts.sum(axis=-1, keepdims=True)


def channel_pmfs(image: np.ndarray) -> np.ndarray:
    """Empirical PMF of each channel over levels 0..255, shape (3, 256) float64."""
    return pmf_from_counts(channel_counts(image))


def cdf_from_pmf(pmf: np.ndarray) -> np.ndarray:
    """CDF along the last axis: non-decreasing, ending at exactly 1.

    ``cdf[..., j] = P(level <= j)``. The cumulative sum is divided by its last value, so
    rounding cannot push it above 1 or leave it short of 1. ``pmf`` may be unnormalised.

    >>> cdf_from_pmf(np.array([0.25, 0.5, 0.25]))
    array([0.25, 0.75, 1.  ])
    """
    cdf = np.cumsum(_checked_distributions(pmf, "pmf"), axis=-1)
    return cdf / cdf[..., -1:]


# ------------------------------------------------------------------------ theoretical


def offset_pmf(mean: float, variance: float, offsets: np.ndarray) -> np.ndarray:
    """P(n) of the integer offset ``n = rint(255 mean + 255 sigma z)`` (levels), float64.

    With ``sigma = 0`` the offset is ``rint(255 * mean)`` (ties to even, as ``np.rint``)
    with probability 1. Differences of the normal CDF are taken on the side of the
    median where they are small, so tail probabilities keep their relative precision.
    """
    shift, spread = noise_scale(mean, variance)
    offsets = np.asarray(offsets, dtype=np.float64)
    if spread == 0.0:
        return (offsets == np.rint(shift)).astype(np.float64)
    upper = (offsets + 0.5 - shift) / spread
    lower = (offsets - 0.5 - shift) / spread
    below = special.ndtr(upper) - special.ndtr(lower)
    above = special.ndtr(-lower) - special.ndtr(-upper)
    return np.where(lower + upper <= 0.0, below, above)


def transition_matrix(mean: float, variance: float) -> np.ndarray:
    """``T[k, j] = P(noisy level j | original level k)``, shape (256, 256), rows sum to 1.

    Interior columns are ``P(offset = j - k)`` (:func:`offset_pmf`); column 0 collects
    ``P(offset <= -k)`` and column 255 collects ``P(offset >= 255 - k)`` (clipping).
    The normal CDF is evaluated once per offset (-254..254) and per clipped tail, then
    gathered into the Toeplitz layout (no per-cell ``ndtr`` calls). ``sigma = 0`` gives
    the 0/1 matrix of the shift ``clip(k + rint(255 * mean), 0, 255)``.
    """
    shift, spread = noise_scale(mean, variance)
    levels = np.arange(LEVELS)
    if spread == 0.0:
        matrix = np.zeros((LEVELS, LEVELS))
        matrix[levels, np.clip(levels + np.rint(shift), 0, MAX_LEVEL).astype(int)] = 1.0
        return matrix
    # Interior offsets j - k for 1 <= j <= 254 run over -254..254.
    interior = offset_pmf(mean, variance, np.arange(-254, 255))
    difference = levels[None, 1:MAX_LEVEL] - levels[:, None]  # (256, 254), -254..254
    matrix = np.empty((LEVELS, LEVELS))
    matrix[:, 1:MAX_LEVEL] = interior[difference + 254]
    # Tails: offset <= -k lands on 0; offset >= 255 - k lands on 255.
    matrix[:, 0] = special.ndtr((-levels + 0.5 - shift) / spread)
    matrix[:, MAX_LEVEL] = special.ndtr(-((MAX_LEVEL - levels) - 0.5 - shift) / spread)
    return matrix


def noisy_pmf_theory(original_pmf: np.ndarray, mean: float, variance: float) -> np.ndarray:
    """Exact PMF of the noisy levels, ``original_pmf @ T``; same shape as ``original_pmf``."""
    return np.asarray(original_pmf, dtype=np.float64) @ transition_matrix(mean, variance)


def _difference_matrix(matrix: np.ndarray) -> np.ndarray:
    """``D[k, d + 255] = T[k, k + d]``: the transition matrix re-indexed by ``d = j - k``."""
    levels = np.arange(LEVELS)
    rows = np.repeat(levels, LEVELS)
    cols = (levels[None, :] - levels[:, None] + MAX_LEVEL).reshape(-1)
    shifted = np.zeros((LEVELS, DIFFERENCES))
    shifted[rows, cols] = matrix.reshape(-1)
    return shifted


def effective_noise_pmf_theory(
    original_pmf: np.ndarray, mean: float, variance: float
) -> np.ndarray:
    """Exact PMF of ``d = noisy - original`` in levels -255..255, ``P(d) = sum_k p(k) T[k, k+d]``.

    Shape (..., 511); index ``d + 255``. This is the noise actually seen after clipping
    and rounding: narrower than the Gaussian near black and white.
    """
    return np.asarray(original_pmf, dtype=np.float64) @ _difference_matrix(
        transition_matrix(mean, variance)
    )


def difference_levels() -> np.ndarray:
    """The levels -255..255 indexing the last axis of effective-noise PMFs."""
    return np.arange(-MAX_LEVEL, MAX_LEVEL + 1)


def effective_noise_counts(original: np.ndarray, noisy: np.ndarray) -> np.ndarray:
    """Counts of ``d = noisy - original`` per channel, shape (3, 511) int64, index ``d + 255``."""
    original = validate_image(original, "original")
    noisy = validate_image(noisy, "noisy")
    if noisy.shape != original.shape:
        raise ValueError(
            f"noisy must have the original's shape {original.shape}, got {noisy.shape}"
        )
    index = np.subtract(noisy, original, dtype=np.int16)
    np.add(index, channel_base(original.shape, DIFFERENCES, MAX_LEVEL), out=index)
    return np.bincount(index.reshape(-1), minlength=3 * DIFFERENCES).reshape(3, DIFFERENCES)


# ---------------------------------------------------------------------- noise itself


def noise_pdf(values: np.ndarray, mean: float, variance: float, scale: str = "unit") -> np.ndarray:
    """Density of ``N(mean, variance)`` at ``values``, on the [0, 1] scale or in levels.

    In levels (``scale="levels"``) values and the density are those of ``255 * eps``.
    ``variance = 0`` is a point mass: the density is ``inf`` at the mean and 0 elsewhere.
    """
    factor, shift, spread = _noise_on_scale(mean, variance, scale)
    values = np.asarray(values, dtype=np.float64) * (255.0 / factor)
    if spread == 0.0:
        return np.where(values == shift, np.inf, 0.0)
    standard = (values - shift) / spread
    density = np.exp(-0.5 * standard**2) / (spread * math.sqrt(2.0 * math.pi))
    return density * (255.0 / factor)


def noise_cdf(values: np.ndarray, mean: float, variance: float, scale: str = "unit") -> np.ndarray:
    """``P(eps <= value)`` for ``eps ~ N(mean, variance)``; values on the chosen scale.

    ``variance = 0`` gives the step ``value >= mean``.
    """
    factor, shift, spread = _noise_on_scale(mean, variance, scale)
    values = np.asarray(values, dtype=np.float64) * (255.0 / factor)
    if spread == 0.0:
        return (values >= shift).astype(np.float64)
    return special.ndtr((values - shift) / spread)


def noise_grid(
    mean: float, variance: float, num: int = 201, span: float = 4.0, scale: str = "unit"
) -> np.ndarray:
    """Evenly spaced points over ``mean +- span * sigma`` for plotting the noise.

    With ``variance = 0`` the grid covers ``mean +- 1`` level so the step stays visible.
    """
    factor, shift, spread = _noise_on_scale(mean, variance, scale)
    if num < 2:
        raise ValueError(f"num must be an integer >= 2, got {num!r}")
    half_width = span * spread if spread > 0 else 1.0
    return np.linspace(shift - half_width, shift + half_width, num) * (factor / 255.0)


class NoiseSample:
    """The sampled noise ``eps = mean + sigma * z`` of a field, for any mean and variance.

    The field is sorted once (a few ms per megapixel); histograms and the ECDF of
    ``eps`` for any mean, variance and grid are then ``searchsorted`` calls, because
    ``eps`` is an increasing linear map of ``z``. Nothing of size N is returned.
    Bin and ECDF edges are compared in z units: a draw within float64 rounding of an
    edge may be counted on the other side of it.
    """

    def __init__(self, field: np.ndarray, sorted_z=None) -> None:
        """``sorted_z``: the field's draws already sorted, anything ``np.searchsorted``
        searches like a sorted float32 array of ``field.size`` draws (the image store's
        shared sorted streams); without it the field is sorted here."""
        field = np.asarray(field)
        if field.dtype != np.float32 or field.size == 0:
            raise ValueError(
                f"field must be a non-empty float32 array, got {field.dtype} {field.shape}"
            )
        validate_field(field, field.shape)
        if sorted_z is None:
            sorted_z = np.sort(field, axis=None)
            sorted_z.flags.writeable = False
        elif len(sorted_z) != field.size:
            raise ValueError(f"sorted_z must hold the field's {field.size} draws, "
                             f"got {len(sorted_z)}")
        self.sorted_z = sorted_z
        self.size = int(field.size)
        self.z_mean = float(np.mean(field, dtype=np.float64))
        self.z_variance = float(np.var(field, dtype=np.float64))

    def moments(self, mean: float, variance: float, scale: str = "unit") -> tuple[float, float]:
        """Sample mean and (population) variance of ``eps`` on the chosen scale."""
        factor, shift, spread = _noise_on_scale(mean, variance, scale)
        return (
            (shift + spread * self.z_mean) * factor / 255.0,
            (spread * factor / 255.0) ** 2 * self.z_variance,
        )

    def _count_at_or_below(self, values: np.ndarray, mean: float, variance: float, scale: str):
        factor, shift, spread = _noise_on_scale(mean, variance, scale)
        values = np.asarray(values, dtype=np.float64) * (255.0 / factor)
        if spread == 0.0:
            return np.where(values >= shift, self.size, 0)
        z_values = (values - shift) / spread
        # Searching float64 values would first convert the whole sorted field to float64.
        # A float32 draw is <= v exactly when it is <= the largest float32 not above v.
        return np.searchsorted(self.sorted_z, _float32_at_or_below(z_values), side="right")

    def ecdf(self, values: np.ndarray, mean: float, variance: float, scale: str = "unit"):
        """Fraction of sampled ``eps`` at or below each value (float64, same shape)."""
        return self._count_at_or_below(values, mean, variance, scale) / self.size

    def histogram(
        self, edges: np.ndarray, mean: float, variance: float, scale: str = "unit"
    ) -> np.ndarray:
        """Density of sampled ``eps`` over bins ``(edges[i], edges[i+1]]`` (per unit of scale).

        Draws outside the edges are not counted, so the density integrates to the
        fraction of draws inside them.
        """
        edges = np.asarray(edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges must be a strictly increasing 1-D array of >= 2 values")
        counts = np.diff(self._count_at_or_below(edges, mean, variance, scale))
        return counts / (self.size * np.diff(edges))


def _float32_at_or_below(values: np.ndarray) -> np.ndarray:
    """The largest float32 at or below each float64 value (inf stays inf, NaN stays NaN)."""
    values = np.asarray(values, dtype=np.float64)
    rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


@dataclass(frozen=True)
class NoiseSummary:
    """Theory and sample of ``eps ~ N(mean, variance)`` on one grid, for plotting.

    ``grid`` (num points) carries the PDF, CDF and ECDF; ``edges`` (bins + 1) the sample
    density histogram. All on ``scale`` ("unit" = [0, 1] scale, or "levels").
    """

    mean: float
    variance: float
    scale: str
    grid: np.ndarray
    pdf_theory: np.ndarray
    cdf_theory: np.ndarray
    ecdf: np.ndarray
    edges: np.ndarray
    density: np.ndarray
    sample_mean: float
    sample_variance: float


def noise_summary(
    sample: NoiseSample,
    mean: float,
    variance: float,
    num: int = 201,
    bins: int = 60,
    span: float = 4.0,
    scale: str = "unit",
) -> NoiseSummary:
    """PDF/CDF of ``N(mean, variance)`` beside the sample's density histogram and ECDF."""
    grid = noise_grid(mean, variance, num=num, span=span, scale=scale)
    edges = np.linspace(grid[0], grid[-1], int(bins) + 1)
    sample_mean, sample_variance = sample.moments(mean, variance, scale)
    return NoiseSummary(
        mean=float(mean),
        variance=float(variance),
        scale=scale,
        grid=grid,
        pdf_theory=noise_pdf(grid, mean, variance, scale),
        cdf_theory=noise_cdf(grid, mean, variance, scale),
        ecdf=sample.ecdf(grid, mean, variance, scale),
        edges=edges,
        density=sample.histogram(edges, mean, variance, scale),
        sample_mean=sample_mean,
        sample_variance=sample_variance,
    )


# ------------------------------------------------------------------- goodness of fit


@dataclass(frozen=True)
class FitChance:
    """What chance alone gives when one channel's counts follow the model, for
    :func:`goodness_of_fit`: the pooled groups of the chi-square test, the exact null of its
    statistic, and the chance range of the total variation distance at this many pixels.

    It depends on the original counts and the model only (for the noise: the image, mean and
    variance, not the seed), so it can be computed once per slider position and shared.
    """

    expected_counts: np.ndarray  # (L,) pixels expected per level
    labels: np.ndarray  # (L,) pooled group of each level (pooled_groups)
    chi_square: PearsonNull
    total_variation: ChanceRange


def pooled_groups(expected: np.ndarray, minimum: float = MIN_EXPECTED_COUNT) -> np.ndarray:
    """Group labels that merge adjacent bins until each group expects >= ``minimum``.

    Bins are merged left to right; a short remainder at the end joins the last group.
    Returns one integer label per bin (0, 1, ...).
    """
    expected = np.asarray(expected, dtype=np.float64)
    labels = np.empty(expected.size, dtype=np.intp)
    group, running = 0, 0.0
    for index, value in enumerate(expected):
        labels[index] = group
        running += value
        if running >= minimum:
            group, running = group + 1, 0.0
    if group > 0 and labels[-1] == group:
        # The last bins expect fewer than `minimum` together: fold them into the group before.
        labels[labels == group] = group - 1
    return labels


def fit_chance(
    level_counts: np.ndarray, rows: np.ndarray, draws: int = CHANCE_DRAWS, rng=0
) -> FitChance:
    """:class:`FitChance` for counts that are ``sum_k Multinomial(level_counts[k], rows[k])``.

    ``rows`` (K, L): row ``k`` is the PMF over the L levels of a pixel that started at level
    ``k`` (for the noise, the transition matrix). ``rng`` seeds the draws behind the total
    variation's chance range (fixed by default, so the range is the same on every call).
    """
    level_counts = np.asarray(level_counts, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.float64)
    expected = level_counts @ rows
    labels = pooled_groups(expected)
    groups = int(labels.max()) + 1
    if groups < 2:
        null = PearsonNull(mean=0.0, variance=0.0, third=0.0)  # nothing to test
    else:
        starts = np.flatnonzero(np.diff(labels, prepend=-1))
        null = pearson_null(level_counts, np.add.reduceat(rows, starts, axis=1))
    return FitChance(
        expected_counts=_read_only(expected),
        labels=_read_only(labels),
        chi_square=null,
        total_variation=total_variation_chance(level_counts, rows, draws, rng),
    )


def noise_fit_chances(
    original_counts: np.ndarray, mean: float, variance: float, draws: int = CHANCE_DRAWS, rng=0
) -> tuple[FitChance, ...]:
    """:func:`fit_chance` of each channel of an image with ``original_counts`` (3, 256) under
    the noise model (mean and variance on the [0, 1] scale)."""
    original_counts = np.asarray(original_counts)
    if original_counts.ndim != 2 or original_counts.shape[1] != LEVELS:
        raise ValueError(
            f"original_counts must be (channels, 256) pixel counts, got {original_counts.shape}"
        )
    matrix = transition_matrix(mean, variance)
    generators = np.random.default_rng(rng).spawn(original_counts.shape[0])
    return tuple(
        fit_chance(counts, matrix, draws, generator)
        for counts, generator in zip(original_counts, generators, strict=True)
    )


@dataclass(frozen=True)
class GoodnessOfFit:
    """How well observed level counts match a theoretical PMF, and what chance alone gives.

    ``total_variation`` = ``0.5 * sum |p_observed - p_theory|`` (0 identical, 1 disjoint), with
    the mean and 95 % range (2.5 % and 97.5 % points) it has under the model at this many
    pixels (``total_variation_chance_*``, and how they were found: ``"exact draws"`` or
    ``"normal approximation"``). ``kolmogorov`` = ``max |F_observed - F_theory|``
    (descriptive: KS p-values do not apply to discrete levels).

    ``chi_square`` is Pearson's statistic on ``groups`` pooled bins; ``p_value`` is the chance,
    under the model, of a statistic at least this large (from its exact null mean, variance and
    third cumulant, ``chi_square_null_mean`` and ``chi_square_null_std`` the first two; NaN when
    the counts cannot vary or there are fewer than 2 groups). ``p_value_iid`` is the textbook
    p-value from chi-square(``degrees_of_freedom = groups - 1``), which assumes identically
    distributed pixels: for a noisy image it is too large, most of all for small variances.
    """

    total_variation: float
    total_variation_chance_mean: float
    total_variation_chance_low: float
    total_variation_chance_high: float
    total_variation_chance_method: str
    kolmogorov: float
    chi_square: float
    chi_square_null_mean: float
    chi_square_null_std: float
    degrees_of_freedom: int
    p_value: float
    p_value_iid: float
    groups: int
    count: int


def goodness_of_fit(
    observed_counts: np.ndarray, expected_pmf: np.ndarray, chance: FitChance | None = None
) -> GoodnessOfFit:
    """Compare one channel's observed counts (L,) with a theoretical PMF (L,).

    ``chance`` says what the model gives by chance (:func:`fit_chance`; for a noisy image,
    :func:`noise_fit_chances`); without it the pixels are taken as independent draws from
    ``expected_pmf`` (one multinomial). Pearson's chi-square pools adjacent levels until every
    group expects at least 5 pixels (:func:`pooled_groups`).
    """
    observed = np.asarray(observed_counts, dtype=np.float64)
    expected_pmf = np.asarray(expected_pmf, dtype=np.float64)
    if observed.shape != expected_pmf.shape or observed.ndim != 1:
        raise ValueError(
            "observed_counts and expected_pmf must be 1-D of the same length, got "
            f"{observed.shape} and {expected_pmf.shape}"
        )
    total = float(observed.sum())
    if total <= 0:
        raise ValueError("observed_counts must contain at least one pixel")
    if not np.all(np.isfinite(expected_pmf)) or np.any(expected_pmf < 0) or expected_pmf.sum() <= 0:
        raise ValueError("expected_pmf must be finite and non-negative with a positive sum")
    expected_pmf = expected_pmf / expected_pmf.sum()
    if chance is None:
        chance = fit_chance(np.array([total]), expected_pmf[None, :])
    elif chance.expected_counts.shape != observed.shape or not np.allclose(
        chance.expected_counts, expected_pmf * total, rtol=1e-9, atol=1e-9 * total
    ):
        raise ValueError(
            "chance must be computed for the same expected counts as expected_pmf times the "
            "observed pixels"
        )
    observed_pmf = observed / total
    total_variation = 0.5 * float(np.abs(observed_pmf - expected_pmf).sum())
    kolmogorov = float(np.max(np.abs(np.cumsum(observed_pmf) - np.cumsum(expected_pmf))))
    labels = chance.labels
    groups = int(labels.max()) + 1
    observed_groups = np.bincount(labels, weights=observed, minlength=groups)
    expected_groups = np.bincount(labels, weights=chance.expected_counts, minlength=groups)
    null = chance.chi_square
    if groups < 2:
        statistic, p_value, p_value_iid = 0.0, math.nan, math.nan
    else:
        statistic = float(np.sum((observed_groups - expected_groups) ** 2 / expected_groups))
        p_value = null.p_value(statistic)
        p_value_iid = float(special.chdtrc(groups - 1, statistic))  # chi-square survival
    tv_chance = chance.total_variation
    return GoodnessOfFit(
        total_variation=total_variation,
        total_variation_chance_mean=tv_chance.mean,
        total_variation_chance_low=tv_chance.low,
        total_variation_chance_high=tv_chance.high,
        total_variation_chance_method=tv_chance.method,
        kolmogorov=kolmogorov,
        chi_square=statistic,
        chi_square_null_mean=null.mean if groups >= 2 else math.nan,
        chi_square_null_std=math.sqrt(null.variance) if groups >= 2 else math.nan,
        degrees_of_freedom=max(groups - 1, 0),
        p_value=p_value,
        p_value_iid=p_value_iid,
        groups=groups,
        count=int(total),
    )


# -------------------------------------------------------------------- one slider move


@dataclass(frozen=True)
class NoisyDistributions:
    """One slider move: the noisy image and every per-channel PMF / CDF, shape (3, 256).

    Rows follow :data:`CHANNELS`; columns are levels 0..255. ``noisy_counts`` are the
    pixel counts behind ``noisy_pmf`` (for goodness-of-fit tests).
    """

    noisy: np.ndarray
    mean: float
    variance: float
    seed: int | None
    original_pmf: np.ndarray
    original_cdf: np.ndarray
    noisy_counts: np.ndarray
    noisy_pmf: np.ndarray
    noisy_cdf: np.ndarray
    noisy_pmf_theory: np.ndarray
    noisy_cdf_theory: np.ndarray


@dataclass(frozen=True)
class EffectiveNoise:
    """``d = noisy - original`` in levels -255..255 per channel, shape (3, 511), index d + 255."""

    levels: np.ndarray
    counts: np.ndarray
    pmf: np.ndarray
    pmf_theory: np.ndarray


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class NoiseAnalyser:
    """An image and a noise field held in memory, answering slider moves fast.

    Built once per ``(image, seed)``: draws the field and caches the original PMF/CDF.
    :meth:`move` then returns the noisy image and all PMFs/CDFs for a new mean and
    variance (about 7 ms for 1024 x 768 RGB on one core). Safe to share between threads.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        RGB levels 0..255.
    seed : int, optional
        Seed of the field (0..2**32-1); ignored when ``field`` is given.
    field : ndarray of float32, optional
        A standard-normal field of the image's shape, e.g. shared between analysers.
    """

    def __init__(
        self, image: np.ndarray, seed: int | None = 0, field: np.ndarray | None = None
    ) -> None:
        self.image = validate_image(image)
        if field is None:
            self.seed: int | None = validate_seed(seed)
            field = standard_normal_field(self.image.shape, self.seed)
        else:
            self.seed = None if seed is None else validate_seed(seed)
        self.renderer = NoiseRenderer(self.image, field)
        self.field = self.renderer.field
        self.original_counts = _read_only(channel_counts(self.image))
        self.original_pmf = _read_only(pmf_from_counts(self.original_counts))
        self.original_cdf = _read_only(cdf_from_pmf(self.original_pmf))
        self._sample: NoiseSample | None = None
        self._sample_lock = threading.Lock()

    @property
    def pixel_count(self) -> int:
        """Pixels per channel (H * W)."""
        return self.image.shape[0] * self.image.shape[1]

    def move(self, mean: float, variance: float) -> NoisyDistributions:
        """The noisy image and all per-channel PMFs/CDFs for ``mean`` and ``variance``."""
        noisy, counts = self.renderer.render(mean, variance, counts=True)
        return self.describe(noisy, mean, variance, counts)

    def describe(
        self, noisy: np.ndarray, mean: float, variance: float, counts: np.ndarray | None = None
    ) -> NoisyDistributions:
        """All per-channel PMFs/CDFs of ``noisy``, this analyser's image rendered for ``mean``
        and ``variance`` (``counts``: its level counts, if already known)."""
        if counts is None:
            counts = channel_counts(noisy)
        noisy_pmf = counts / float(self.pixel_count)
        theory = noisy_pmf_theory(self.original_pmf, mean, variance)
        return NoisyDistributions(
            noisy=noisy,
            mean=float(mean),
            variance=float(variance),
            seed=self.seed,
            original_pmf=self.original_pmf,
            original_cdf=self.original_cdf,
            noisy_counts=counts,
            noisy_pmf=noisy_pmf,
            noisy_cdf=cdf_from_pmf(noisy_pmf),
            noisy_pmf_theory=theory,
            noisy_cdf_theory=cdf_from_pmf(theory),
        )

    @property
    def sample(self) -> NoiseSample:
        """The sorted field (built on first use, once per analyser)."""
        with self._sample_lock:
            if self._sample is None:
                self._sample = NoiseSample(self.field)
            return self._sample

    def noise_summary(self, mean: float, variance: float, **options) -> NoiseSummary:
        """:func:`noise_summary` of this analyser's field (options: num, bins, span, scale)."""
        return noise_summary(self.sample, mean, variance, **options)

    def effective_noise(self, noisy: np.ndarray, mean: float, variance: float) -> EffectiveNoise:
        """Empirical and exact PMFs of ``noisy - original``, for ``noisy`` this analyser's image
        rendered for ``mean`` and ``variance``."""
        counts = effective_noise_counts(self.image, noisy)
        return EffectiveNoise(
            levels=difference_levels(),
            counts=counts,
            pmf=counts / float(self.pixel_count),
            pmf_theory=effective_noise_pmf_theory(self.original_pmf, mean, variance),
        )

    def fit_chances(self, mean: float, variance: float) -> tuple[FitChance, ...]:
        """:func:`noise_fit_chances` of this analyser's image (the same for every seed)."""
        return noise_fit_chances(self.original_counts, mean, variance)

    def goodness_of_fit(
        self, result: NoisyDistributions, chances: tuple[FitChance, ...] | None = None
    ) -> dict[str, GoodnessOfFit]:
        """:func:`goodness_of_fit` of the noisy counts against the theory, per channel, under
        the noise model (``chances``: :meth:`fit_chances` for the result's mean and variance,
        if already known)."""
        if chances is None:
            chances = self.fit_chances(result.mean, result.variance)
        return {
            name: goodness_of_fit(
                result.noisy_counts[index], result.noisy_pmf_theory[index], chances[index]
            )
            for index, name in enumerate(CHANNELS)
        }


def analyse_noise(
    image: np.ndarray,
    mean: float,
    variance: float,
    seed: int = 0,
    field: np.ndarray | None = None,
) -> NoisyDistributions:
    """One call: noisy image + original/noisy empirical and theoretical PMFs/CDFs.

    Builds a :class:`NoiseAnalyser` (draws the field unless given); to serve many
    slider moves on one image keep the analyser and call :meth:`NoiseAnalyser.move`.
    """
    return NoiseAnalyser(image, seed=seed, field=field).move(mean, variance)
