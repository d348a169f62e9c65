"""Sums of independent multinomials: exact cumulants of Pearson's statistic, its null
distribution, exact draws of the counts and the chance range of the total variation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import special

from dashboard.core.multinomial_sums import (
    PearsonNull,
    draw_counts,
    pearson_cumulants,
    pearson_null,
    total_variation_chance,
)


def enumerated_cumulants(level_counts, rows):
    """Mean, variance and third central moment of Pearson's statistic by listing every way the
    pixels can land (tiny cases only)."""
    levels = [k for k, count in enumerate(level_counts) for _ in range(count)]
    expected = np.asarray(level_counts) @ rows
    values, weights = [], []
    for landing in itertools.product(range(rows.shape[1]), repeat=len(levels)):
        weights.append(math.prod(rows[k, g] for k, g in zip(levels, landing, strict=True)))
        observed = np.bincount(landing, minlength=rows.shape[1])
        values.append(float(((observed - expected) ** 2 / expected).sum()))
    values, weights = np.array(values), np.array(weights)
    mean = weights @ values
    return mean, weights @ (values - mean) ** 2, weights @ (values - mean) ** 3


@pytest.mark.parametrize(
    ("level_counts", "groups", "seed"),
    [([1, 1], 3, 0), ([3, 2], 3, 1), ([4], 3, 2), ([1, 1, 1, 2], 3, 3), ([2, 3], 4, 4),
     ([2, 0, 2], 2, 5)],
)
def test_cumulants_equal_the_enumerated_ones(level_counts, groups, seed):
    rng = np.random.default_rng(seed)
    rows = rng.random((len(level_counts), groups)) ** 2
    rows /= rows.sum(axis=1, keepdims=True)
    exact = enumerated_cumulants(level_counts, rows)
    np.testing.assert_allclose(pearson_cumulants(level_counts, rows), exact, rtol=1e-12)


def test_one_multinomial_has_the_textbook_moments():
    # Pearson's statistic on one multinomial: mean G - 1 and variance
    # 2 (G - 1) + (sum 1/p - G^2 - 2G + 2) / N.
    p = np.array([0.1, 0.2, 0.3, 0.4])
    n = 50
    mean, variance, _ = pearson_cumulants([n], p[None, :])
    groups = p.size
    assert mean == pytest.approx(groups - 1, rel=1e-12)
    textbook = 2 * (groups - 1) + ((1 / p).sum() - groups**2 - 2 * groups + 2) / n
    assert variance == pytest.approx(textbook, rel=1e-12)


def test_many_levels_make_the_counts_less_variable_than_one_multinomial():
    # Every level sends its pixels to one group only: nothing can vary.
    rows = np.eye(3)
    assert pearson_cumulants([5, 7, 9], rows) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)
    null = pearson_null([5, 7, 9], rows)
    assert math.isnan(null.p_value(0.0))


def test_tiny_probabilities_neither_change_the_cumulants_nor_slow_them():
    rows = np.array([[1 - 2e-300, 1e-300, 1e-300], [0.5, 0.25, 0.25]])
    clean = np.array([[1.0, 0.0, 0.0], [0.5, 0.25, 0.25]])
    assert pearson_cumulants([10, 10], rows) == pytest.approx(
        pearson_cumulants([10, 10], clean), rel=1e-12)


def test_p_value_of_a_chi_square_is_the_chi_square_tail():
    for dof in (1.0, 3.0, 40.0):
        null = PearsonNull(mean=dof, variance=2 * dof, third=8 * dof)
        for x in (0.0, 0.3, dof, 2 * dof + 5):
            assert null.p_value(x) == pytest.approx(special.chdtrc(dof, x), rel=1e-9, abs=1e-15)


def test_p_value_is_continuous_and_decreasing():
    null = pearson_null([30, 20, 10], np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1],
                                                  [0.2, 0.2, 0.6]]))
    grid = np.linspace(0, 40, 4001)
    values = np.array([null.p_value(x) for x in grid])
    assert values[0] == 1.0
    assert np.all(np.diff(values) <= 1e-15)
    # No jump where the lower part meets the three-moment fit, at that fit's median.
    scale = null.third / (4 * null.variance)
    dof = 8 * null.variance**3 / null.third**2
    median = null.mean - scale * dof + scale * special.chdtri(dof, 0.5)
    assert null.p_value(median) == pytest.approx(0.5, rel=1e-12)
    assert null.p_value(median - 1e-9) == pytest.approx(0.5, abs=1e-7)


def test_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match="one row per level"):
        pearson_cumulants([1, 2], np.ones((3, 2)) / 2)
    with pytest.raises(ValueError, match="sum to 1"):
        pearson_cumulants([1], np.array([[0.5, 0.4]]))
    with pytest.raises(ValueError, match="whole numbers"):
        draw_counts([1.5], np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="every group must expect"):
        pearson_cumulants([3], np.array([[1.0, 0.0]]))
    with pytest.raises(ValueError, match="draws must be an integer >= 2"):
        total_variation_chance([3], np.array([[0.5, 0.5]]), draws=1)


# ----------------------------------------------------------------------------- draws


def test_draws_keep_every_pixel_and_have_the_model_mean_and_covariance():
    rng = np.random.default_rng(0)
    rows = rng.random((4, 6)) ** 3
    rows /= rows.sum(axis=1, keepdims=True)
    n = np.array([30, 0, 12, 50])
    counts = draw_counts(n, rows, draws=40_000, rng=1)
    assert counts.shape == (40_000, 6) and counts.dtype == np.int64
    assert np.all(counts.sum(axis=1) == n.sum())
    expected = n @ rows
    covariance = np.diag(expected) - rows.T @ (n[:, None] * rows)
    standard_error = np.sqrt(np.diag(covariance) / 40_000)
    assert np.all(np.abs(counts.mean(axis=0) - expected) < 5 * standard_error + 1e-12)
    np.testing.assert_allclose(np.cov(counts.T), covariance, atol=0.05 * covariance.max())


def test_draws_of_a_deterministic_model_are_its_expectation():
    rows = np.eye(4)[[2, 0, 3, 1]]
    counts = draw_counts([1, 2, 3, 4], rows, draws=3, rng=0)
    np.testing.assert_array_equal(counts, [[2, 4, 1, 3]] * 3)
    chance = total_variation_chance([1, 2, 3, 4], rows, draws=3, rng=0)
    assert (chance.mean, chance.low, chance.high) == (0.0, 0.0, 0.0)


def test_total_variation_chance_agrees_between_exact_and_normal_draws():
    rng = np.random.default_rng(3)
    rows = rng.random((50, 40))
    rows /= rows.sum(axis=1, keepdims=True)
    n = rng.integers(100, 300, 50)
    exact = total_variation_chance(n, rows, draws=400, rng=0, budget=10**7)
    normal = total_variation_chance(n, rows, draws=400, rng=0, budget=0)
    assert exact.method == "exact draws" and normal.method == "normal approximation"
    assert normal.mean == pytest.approx(exact.mean, rel=0.03)
    assert normal.low == pytest.approx(exact.low, rel=0.1)
    assert normal.high == pytest.approx(exact.high, rel=0.1)
    assert exact.low < exact.mean < exact.high


def test_total_variation_chance_of_one_multinomial_by_hand():
    # Two categories, p = 1/2, N = 2: TV = |k/2 - 1/2| with k ~ Binomial(2, 1/2), so TV is
    # 0.5 with probability 1/2 and 0 otherwise; its mean is 0.25.
    chance = total_variation_chance([2], np.array([[0.5, 0.5]]), draws=20_000, rng=0)
    assert chance.mean == pytest.approx(0.25, abs=0.01)
    assert (chance.low, chance.high) == (0.0, 0.5)


def test_pixel_by_pixel_and_level_by_level_draws_agree():
    rng = np.random.default_rng(4)
    rows = rng.random((6, 9)) ** 4
    rows /= rows.sum(axis=1, keepdims=True)
    n = np.array([3, 1, 0, 5, 2, 4])
    # 15 pixels x 4000 draws fit a budget of 60,000, so the chance range is drawn pixel by
    # pixel; draw_counts draws the same model level by level.
    by_pixel = total_variation_chance(n, rows, draws=4000, rng=1, budget=60_000)
    counts = draw_counts(n, rows, draws=4000, rng=2)
    distances = 0.5 * np.abs(counts - n @ rows).sum(axis=1) / n.sum()
    assert by_pixel.method == "exact draws"
    assert by_pixel.mean == pytest.approx(distances.mean(), rel=0.03)
    assert by_pixel.high == pytest.approx(np.quantile(distances, 0.975), rel=0.1)
