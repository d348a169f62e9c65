"""Counts that are a sum of independent multinomials: what chance alone gives.

Given the original image, the noisy pixels of one channel are independent but not identically
distributed: the ``n_k`` pixels at original level ``k`` land on noisy level ``j`` with
probability ``rows[k, j]`` (a row of the transition matrix). The noisy counts are therefore a
sum of independent multinomials, ``sum_k Multinomial(n_k, rows[k])``, with mean ``n @ rows``
and covariance ``sum_k n_k (diag(rows[k]) - rows[k] rows[k]^T)``: less variable than one
multinomial of ``sum_k n_k`` draws from the mixed PMF, which is what a plain chi-square test
assumes.

This module gives the exact null of Pearson's statistic under that model (its first three
cumulants, and a shifted, scaled chi-square with the same three), and draws of the counts
themselves (for the chance range of the total variation distance). It is plain numpy and
scipy, arrays in and arrays out.

Examples
--------
One level, i.e. one multinomial: the mean of Pearson's statistic is ``groups - 1`` exactly.

>>> import numpy as np
>>> rows = np.array([[0.2, 0.3, 0.5]])
>>> mean, variance, third = pearson_cumulants([40], rows)
>>> round(mean, 12)
2.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

#: Draws of the counts behind a chance range (the 2.5 % and 97.5 % points of ~200 draws).
CHANCE_DRAWS = 200
#: Most random draws spent on drawing the counts exactly for a chance range (a few tens of
#: milliseconds); beyond it the counts are drawn from their normal approximation, which is
#: then accurate, as exact draws are costly only when every count is made of many pixels.
EXACT_DRAW_BUDGET = 250_000
_NEGLIGIBLE = 1e-60
# A variance of Pearson's statistic below this is rounding error: the counts cannot vary.
_NO_SPREAD = 1e-10


def _level_counts_and_rows(level_counts: object, rows: object) -> tuple[np.ndarray, np.ndarray]:
    """``level_counts`` (K,) and ``rows`` (K, L) as float64 after checking them, restricted to
    the levels that hold pixels."""
    counts = np.asarray(level_counts, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.float64)
    if counts.ndim != 1 or rows.ndim != 2 or rows.shape[0] != counts.size or rows.shape[1] < 1:
        raise ValueError(
            "level_counts must be (K,) and rows (K, L) with one row per level; got "
            f"{counts.shape} and {rows.shape}"
        )
    if not (np.all(np.isfinite(counts)) and np.all(counts >= 0) and counts.sum() > 0):
        raise ValueError("level_counts must be finite, non-negative and not all zero")
    if np.any(counts != np.round(counts)):
        raise ValueError("level_counts must be whole numbers of pixels")
    if not (np.all(np.isfinite(rows)) and np.all(rows >= 0)):
        raise ValueError("rows must be finite and non-negative")
    occupied = counts > 0
    counts, rows = counts[occupied], rows[occupied]
    totals = rows.sum(axis=1)
    if np.any(np.abs(totals - 1.0) > 1e-9):
        raise ValueError(f"each row of rows must sum to 1; got sums down to {totals.min():.6g}")
    return counts, rows / totals[:, None]


def pearson_cumulants(level_counts: object, grouped_rows: object) -> tuple[float, float, float]:
    """Exact mean, variance and third central moment of Pearson's statistic
    ``X2 = sum_g (O_g - E_g)^2 / E_g`` when the counts ``O`` are ``sum_k Multinomial(n_k,
    grouped_rows[k])`` and ``E = n @ grouped_rows``.

    ``level_counts`` (K,) holds ``n_k``, pixels per original level; ``grouped_rows`` (K, G)
    the probability that a pixel of level ``k`` lands in group ``g`` (rows sum to 1). Every
    group must expect some pixels. Exact for any sample size: no normal approximation is
    made. The sums over pairs and triples of distinct pixels are taken in closed form, so the
    cost is a few (K x G) @ (G x G) products.
    """
    n, b = _level_counts_and_rows(level_counts, grouped_rows)
    # Far tails of the noise give probabilities like 1e-300, whose cubes and fourth powers are
    # subnormal numbers, which processors handle about a hundred times slower. Below 1e-60 a
    # probability changes no cumulant in float64: count it as 0.
    b = np.where(b < _NEGLIGIBLE, 0.0, b)
    expected = n @ b
    if np.any(expected <= 0):
        raise ValueError("every group must expect some pixels (pool empty groups first)")
    w = 1.0 / expected
    w2 = w * w
    b2 = b * b
    b3 = b2 * b
    # One pixel of level k adds U = e_J - b_k to the counts, with J ~ b_k. Its own share of
    # X2 is a(J) = U^T W U = w_J (1 - 2 b_kJ) + s_k, with s_k = sum_g w_g b_kg^2.
    s = b2 @ w
    a = w * (1.0 - 2.0 * b) + s[:, None]
    own_mean = (b * a).sum(axis=1)  # tr(W Sigma_k)
    a_centred = a - own_mean[:, None]
    c = b * a_centred  # E[(a - E a) U], one G-vector per level
    c_a = c * a_centred
    # Sigma = sum_k n_k Sigma_k, seen as V = W^(1/2) Sigma W^(1/2).
    sqrt_w = np.sqrt(w)
    v = np.diag(expected * w) - (b * sqrt_w).T @ (n[:, None] * (b * sqrt_w))
    v2 = v @ v
    diag_v = np.diag(v).copy()

    mean = float(n @ own_mean)
    own_square = b2 @ w2 - 2.0 * (b3 @ w2) + s * s  # tr((W Sigma_k)^2)
    variance = float(n @ c_a.sum(axis=1)) + 2.0 * (float(np.sum(v * v)) - float(n @ own_square))

    # X2 - E X2 = A + 2 B: A sums each pixel's own centred share, B the cross terms
    # U_i^T W U_j over pairs i < j. Third moment = E A^3 + 6 E A^2 B + 12 E A B^2 + 8 E B^3.
    third_a = float(n @ (c_a * a_centred).sum(axis=1))
    total_c = n @ c
    a_a_b = float(total_c @ (w * total_c)) - float(n @ ((c * c) @ w))
    # E A B^2 = sum over distinct pixels i, j of tr(W M_i W Sigma_j), M_i = E[(a - E a) U U^T].
    u = b * sqrt_w  # W^(1/2) b_k
    uv = u @ v
    gamma_uv = (c * sqrt_w * uv).sum(axis=1)
    trace_mv = float((total_c * w) @ diag_v) - 2.0 * float(n @ gamma_uv)
    bc = b * c
    own_mx = bc @ w2 - 3.0 * ((bc * b) @ w2) + 2.0 * s * (bc @ w)
    a_b_b = trace_mv - float(n @ own_mx)
    # E B^3: triangles of three distinct pixels, plus E (U_i^T W U_j)^3 over pairs. Each
    # pixel's X_k = W^(1/2) Sigma_k W^(1/2) is diag(d_k) - u_k u_k^T with d_k = w b_k.
    d = b * w
    d2 = d * d
    uu = u * u
    own_x2v = d2 @ diag_v - 2.0 * (d * u * uv).sum(axis=1) + s * (u * uv).sum(axis=1)
    own_x3 = (d2 * d).sum(axis=1) - 3.0 * (uu * d2).sum(axis=1) + 3.0 * s * (uu * d).sum(
        axis=1) - s * s * s
    triangles = float(np.sum(v2 * v)) - 3.0 * float(n @ own_x2v) + 2.0 * float(n @ own_x3)
    b_b_b = triangles + _pair_cubes(n, b, b2, b3, w, s)
    third = third_a + 6.0 * a_a_b + 12.0 * a_b_b + 8.0 * b_b_b
    return mean, max(variance, 0.0), third


def _pair_cubes(
    n: np.ndarray, b: np.ndarray, b2: np.ndarray, b3: np.ndarray, w: np.ndarray, s: np.ndarray
) -> float:
    """``sum_{i<j} E[(U_i^T W U_j)^3]`` over pairs of distinct pixels, in closed form.

    For pixels of levels k and l with rows ``p = b_k`` and ``q = b_l`` the expectation is the
    contraction of their third-moment tensors with ``W``; written out it is a sum of terms
    ``sum_g w_g^r p_g^s q_g^t`` and of their products (``b2``, ``b3``: powers of ``b``;
    ``s = b2 @ w``).
    """
    w2 = w * w
    w3 = w2 * w
    sums = [None, n @ b, n @ b2, n @ b3]  # sum_k n_k b_kg^r, for r = 1, 2, 3

    def single(r: int, t: int) -> float:
        # sum_{k,l} n_k n_l sum_g w_g^3 p_g^r q_g^t
        return float(np.sum(w3 * sums[r] * sums[t]))

    z1 = (b * w) @ b.T  # sum_g w p q, for every pair of levels
    z2 = (b * w2) @ b.T  # sum_g w^2 p q
    z21 = (b * w2) @ b2.T  # sum_g w^2 p q^2
    inner = z1 * (3.0 * z2 - 6.0 * z21 - 6.0 * z21.T + 4.0 * z1 * z1)
    all_pairs = (
        single(1, 1) - 6.0 * single(1, 2) + 4.0 * single(1, 3) + 6.0 * single(2, 2)
        + float(n @ inner @ n)
    )
    # The same pixel twice (k = l, p = q), to be taken out of the sum over all pairs.
    b4 = b2 * b2
    same = (
        b2 @ w3 - 6.0 * (b3 @ w3) + 10.0 * (b4 @ w3)
        + 3.0 * s * (b2 @ w2) - 12.0 * s * (b3 @ w2) + 4.0 * s * s * s
    )
    return 0.5 * (all_pairs - float(n @ same))


@dataclass(frozen=True)
class PearsonNull:
    """The null distribution of Pearson's statistic, from its exact cumulants.

    :meth:`p_value` reads the upper tail from the shifted, scaled chi-square
    ``c + a chi2(nu)`` with the same mean, variance and third cumulant (``a = k3 / (4 k2)``,
    ``nu = 8 k2^3 / k3^2``, ``c = k1 - a nu``). That fit starts at ``c > 0``, which would give
    every statistic below ``c`` a p-value of exactly 1; so below the fit's median the p-value
    follows the scaled chi-square ``a2 chi2(nu2)`` with the same mean and variance
    (Satterthwaite), rescaled to meet the upper part at the median: continuous and
    decreasing.
    """

    mean: float
    variance: float
    third: float

    def p_value(self, statistic: float) -> float:
        """``P(X2 >= statistic)`` under the model; NaN when the statistic cannot vary."""
        if not self.variance > _NO_SPREAD:
            return math.nan
        two_scale = self.variance / (2.0 * self.mean)
        two_dof = 2.0 * self.mean * self.mean / self.variance
        if not self.third > 0:
            return float(special.chdtrc(two_dof, max(statistic, 0.0) / two_scale))
        scale = self.third / (4.0 * self.variance)
        dof = 8.0 * self.variance * self.variance * self.variance / (self.third * self.third)
        shift = self.mean - scale * dof
        median = shift + scale * float(special.chdtri(dof, 0.5))
        if statistic >= median:
            return float(special.chdtrc(dof, (statistic - shift) / scale))
        below = special.chdtr(two_dof, max(statistic, 0.0) / two_scale)
        return float(1.0 - 0.5 * below / special.chdtr(two_dof, max(median, 0.0) / two_scale))


def pearson_null(level_counts: object, grouped_rows: object) -> PearsonNull:
    """:class:`PearsonNull` of the counts ``sum_k Multinomial(n_k, grouped_rows[k])``
    (:func:`pearson_cumulants`).

    >>> null = pearson_null([64], np.array([[0.25, 0.25, 0.5]]))  # one multinomial
    >>> round(null.mean, 12), round(null.p_value(0.0), 12)
    (2.0, 1.0)
    """
    return PearsonNull(*pearson_cumulants(level_counts, grouped_rows))


# --------------------------------------------------------------------------- draws


def _sorted_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's categories from the most to the least likely: ``(order, probabilities,
    conditional)``, where ``conditional[k, r]`` is the chance that a pixel of level ``k`` not
    placed in ranks before ``r`` lands in rank ``r`` (1 at each row's last possible rank)."""
    order = np.argsort(-rows, axis=1, kind="stable")
    probabilities = np.take_along_axis(rows, order, axis=1)
    tails = np.cumsum(probabilities[:, ::-1], axis=1)[:, ::-1]  # small terms summed first
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = np.where(tails > 0, probabilities / tails, 0.0)
    last = (probabilities > 0).sum(axis=1) - 1
    conditional[np.arange(rows.shape[0]), last] = 1.0
    return order, probabilities, np.clip(conditional, 0.0, 1.0)


def _expected_visits(n: np.ndarray, probabilities: np.ndarray) -> float:
    """Binomial draws :func:`draw_counts` makes per draw, on average: a level visits its
    categories from the most likely one until its last pixel is placed, so it reaches rank
    ``r`` unless all its pixels landed earlier."""
    tails = np.cumsum(probabilities[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf: rank 0 is always reached
        reached = -np.expm1(n[:, None] * np.log1p(-np.minimum(tails, 1.0)))
    return float(reached.sum())


def draw_counts(
    level_counts: object, rows: object, draws: int = CHANCE_DRAWS, rng=None
) -> np.ndarray:
    """Draws of ``sum_k Multinomial(n_k, rows[k])``, shape (draws, L) int64: exact samples of
    the counts the model gives, one multinomial per level.

    Each multinomial is drawn as a chain of binomials from the row's most likely category to
    its least likely one, for all levels and draws at once, each level and draw stopping once
    its pixels are placed: with narrow noise, after a few categories.
    """
    n, rows = _level_counts_and_rows(level_counts, rows)
    rng = np.random.default_rng(rng)
    draws = validate_draws(draws)
    order, _, conditional = _sorted_rows(rows)
    levels, length = rows.shape
    # One entry per (draw, level), flat; `active` holds those with pixels still to place.
    remaining = np.tile(n.astype(np.int64), draws)
    level_of = np.tile(np.arange(levels), draws)
    draw_of = np.repeat(np.arange(draws), levels)
    active = np.flatnonzero(remaining)
    targets, amounts = [], []
    for rank in range(length):
        if active.size == 0:
            break
        landed = rng.binomial(remaining[active], conditional[level_of[active], rank])
        remaining[active] -= landed
        hit = landed > 0
        targets.append(draw_of[active[hit]] * length + order[level_of[active[hit]], rank])
        amounts.append(landed[hit])
        active = active[remaining[active] > 0]
    counts = np.bincount(np.concatenate(targets), weights=np.concatenate(amounts),
                         minlength=draws * length)
    return counts.reshape(draws, length).astype(np.int64)


def _draw_counts_by_pixel(n: np.ndarray, rows: np.ndarray, draws: int, rng) -> np.ndarray:
    """Exact draws of the counts, pixel by pixel (each pixel's level by inverting its row's CDF):
    cheaper than :func:`draw_counts` when the image has few pixels."""
    levels, length = rows.shape
    cdf = np.cumsum(rows, axis=1)
    cdf[:, -1] = 1.0  # so that every uniform draw below 1 finds its level
    landed = []
    for level, count in enumerate(n.astype(np.int64)):
        uniform = rng.random((draws, int(count)))
        category = np.searchsorted(cdf[level], uniform, side="right")
        landed.append((category + length * np.arange(draws)[:, None]).reshape(-1))
    counts = np.bincount(np.concatenate(landed), minlength=draws * length)
    return counts.reshape(draws, length).astype(np.int64)


def _normal_deviations(
    n: np.ndarray, rows: np.ndarray, expected: np.ndarray, draws: int, rng
) -> np.ndarray:
    """Draws of ``counts - expected`` from the normal with the model's exact covariance."""
    deviations = np.zeros((draws, rows.shape[1]))
    varying = np.flatnonzero(expected > 0)
    if varying.size < 2:
        return deviations
    part = rows[:, varying]
    covariance = np.diag(expected[varying]) - part.T @ (n[:, None] * part)
    # The counts add up to the number of pixels, so the last varying count is minus the sum of
    # the others; the others have a covariance that is (up to rounding) positive definite.
    free = covariance[:-1, :-1]
    try:
        root = np.linalg.cholesky(free)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(free)
        root = vectors * np.sqrt(np.clip(values, 0.0, None))[None, :]
    sample = rng.standard_normal((draws, free.shape[0])) @ root.T
    deviations[:, varying[:-1]] = sample
    deviations[:, varying[-1]] = -sample.sum(axis=1)
    return deviations


@dataclass(frozen=True)
class ChanceRange:
    """What chance alone gives for a statistic: its mean and a 95 % range, whose ends a new
    draw falls below and above with chance 2.5 % each (up to the draws' resolution).

    ``method`` says how: ``"exact draws"`` (``draws`` samples of the exact model) or
    ``"normal approximation"`` (draws of the normal with the model's exact mean and
    covariance: used when exact draws would be slow, which is when every level's count is
    made of many pixels and the normal is accurate).
    """

    mean: float
    low: float
    high: float
    draws: int
    method: str


def total_variation_chance(
    level_counts: object, rows: object, draws: int = CHANCE_DRAWS, rng=None,
    budget: int = EXACT_DRAW_BUDGET,
) -> ChanceRange:
    """The total variation distance between the counts and their expectation ``n @ rows``
    (both as PMFs) under the model: its mean and 95 % range over ``draws`` draws.

    Counts are drawn exactly, pixel by pixel or level by level (:func:`draw_counts`),
    whichever takes fewer random draws, when that is at most ``budget``; else from the normal
    with the model's exact mean and covariance.
    """
    n, rows = _level_counts_and_rows(level_counts, rows)
    rng = np.random.default_rng(rng)
    draws = validate_draws(draws)
    expected = n @ rows
    if draws * n.sum() <= budget:
        deviations = _draw_counts_by_pixel(n, rows, draws, rng) - expected[None, :]
        method = "exact draws"
    elif draws * _expected_visits(n, _sorted_rows(rows)[1]) <= budget:
        deviations = draw_counts(n, rows, draws, rng) - expected[None, :]
        method = "exact draws"
    else:
        deviations = _normal_deviations(n, rows, expected, draws, rng)
        method = "normal approximation"
    distances = np.sort(0.5 * np.abs(deviations).sum(axis=1) / n.sum())
    # The k-th smallest of n draws has a new draw below it with chance k / (n + 1): the ends
    # are the draws with k / (n + 1) nearest 2.5 % and 97.5 % from outside (never interpolated,
    # so a distance that takes few values keeps them).
    low = distances[max(math.floor(0.025 * (draws + 1)), 1) - 1]
    high = distances[min(math.ceil(0.975 * (draws + 1)), draws) - 1]
    return ChanceRange(mean=float(distances.mean()), low=float(low), high=float(high),
                       draws=draws, method=method)


def validate_draws(draws: object) -> int:
    """``draws`` as an int after checking it is an integer of at least 2."""
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise ValueError(f"draws must be an integer >= 2, got {draws!r}")
    return int(draws)
