"""PMF / CDF per channel, the exact noisy theory, the noise itself and goodness of fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from scipy import stats
from skimage import data
from skimage.util import random_noise

from dashboard.core.distributions import (
    NoiseAnalyser,
    NoiseSample,
    analyse_noise,
    cdf_from_pmf,
    channel_counts,
    channel_pmfs,
    difference_levels,
    effective_noise_counts,
    effective_noise_pmf_theory,
    extreme_counts,
    fit_chance,
    goodness_of_fit,
    noise_cdf,
    noise_fit_chances,
    noise_grid,
    noise_pdf,
    noise_summary,
    noisy_pmf_theory,
    offset_pmf,
    pooled_groups,
    transition_matrix,
)
from dashboard.core.noise import add_gaussian_noise, standard_normal_field
from dashboard.core.vocabulary import CHANNELS

norm = stats.norm


@pytest.fixture(scope="module")
def astronaut():
    """A real photograph (bundled with scikit-image), 512 x 512 RGB."""
    return data.astronaut()


def brute_force_transition(mean, variance):
    """T[k, j] from scipy.stats.norm: offsets n = rint(255 mean + 255 sigma z), clipped."""
    shift, spread = 255 * mean, 255 * math.sqrt(variance)
    k = np.arange(256)[:, None]
    j = np.arange(256)[None, :]
    upper = np.where(j == 255, np.inf, (j - k + 0.5 - shift) / spread)
    lower = np.where(j == 0, -np.inf, (j - k - 0.5 - shift) / spread)
    return norm.cdf(upper) - norm.cdf(lower)


# ----------------------------------------------------------------------- empirical


def test_channel_counts_and_pmfs_by_hand():
    image = np.array([[[0, 10, 255], [0, 10, 254]], [[1, 10, 255], [0, 11, 255]]], dtype=np.uint8)
    counts = channel_counts(image)
    assert counts.shape == (3, 256) and counts.dtype == np.int64
    assert counts[0, 0] == 3 and counts[0, 1] == 1
    assert counts[1, 10] == 3 and counts[1, 11] == 1
    assert counts[2, 255] == 3 and counts[2, 254] == 1
    assert counts.sum() == 12
    pmf = channel_pmfs(image)
    assert pmf[0, 0] == 0.75 and pmf[1, 11] == 0.25 and pmf[2, 254] == 0.25
    cdf = cdf_from_pmf(pmf)
    assert cdf[0, 0] == 0.75 and cdf[0, 1] == 1.0 and cdf[0, 255] == 1.0
    assert cdf[1, 9] == 0.0 and cdf[1, 10] == 0.75
    assert cdf[2, 253] == 0.0 and cdf[2, 254] == 0.25


def test_channel_pmfs_match_np_histogram(astronaut):
    pmf = channel_pmfs(astronaut)
    for index in range(3):
        hist, _ = np.histogram(astronaut[..., index], bins=256, range=(0, 256))
        np.testing.assert_array_equal(pmf[index], hist / hist.sum())


def test_cdf_from_pmf_by_hand_and_errors():
    np.testing.assert_array_equal(cdf_from_pmf([0.25, 0.5, 0.25]), [0.25, 0.75, 1.0])
    np.testing.assert_array_equal(cdf_from_pmf([[0.0, 1.0], [1.0, 0.0]]), [[0, 1], [1, 1]])
    with pytest.raises(ValueError, match="non-negative"):
        cdf_from_pmf([0.5, -0.1, 0.6])
    with pytest.raises(ValueError, match="positive total"):
        cdf_from_pmf([0.0, 0.0])


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((4, 4), np.uint8), r"\(H, W, 3\)"),
        (np.zeros((4, 4, 4), np.uint8), r"\(H, W, 3\)"),
        (np.zeros((4, 4, 3), np.float32), "uint8"),
    ],
)
def test_rgb_images_only(image, message):
    with pytest.raises(ValueError, match=message):
        channel_pmfs(image)


# ---------------------------------------------------------------------- theoretical


@pytest.mark.parametrize(("mean", "variance"), [(0.0, 0.001), (0.1, 0.02), (-0.4, 0.5)])
def test_transition_matrix_equals_cell_by_cell_scipy(mean, variance):
    matrix = transition_matrix(mean, variance)
    np.testing.assert_allclose(matrix, brute_force_transition(mean, variance), atol=1e-15)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    assert np.all(matrix >= 0)


def test_transition_matrix_clipping_masses_by_hand():
    # sigma = 10 levels, mean = 0.
    matrix = transition_matrix(0.0, (10 / 255) ** 2)
    assert matrix[100, 100] == pytest.approx(norm.cdf(0.05) - norm.cdf(-0.05), rel=1e-12)
    assert matrix[100, 112] == pytest.approx(norm.cdf(1.25) - norm.cdf(1.15), rel=1e-12)
    # Level 0 keeps everything that rounds to <= 0; level 3 falls to 0 when z < -0.25.
    assert matrix[0, 0] == pytest.approx(norm.cdf(0.05), rel=1e-12)
    assert matrix[3, 0] == pytest.approx(norm.cdf(-0.25), rel=1e-12)
    # Level 250 reaches 255 when 250 + 10 z >= 254.5.
    assert matrix[250, 255] == pytest.approx(norm.sf(0.45), rel=1e-12)
    assert matrix[255, 255] == pytest.approx(norm.sf(-0.05), rel=1e-12)
    # Far tails keep their relative precision (no 1 - (1 - tiny) cancellation).
    assert matrix[100, 255] == pytest.approx(norm.sf(15.45), rel=1e-9)
    assert matrix[100, 200] == pytest.approx(norm.sf(9.95) - norm.sf(10.05), rel=1e-9)


def test_transition_matrix_is_toeplitz_inside_the_clipped_columns():
    matrix = transition_matrix(0.03, 0.004)
    for difference in (-7, 0, 5):
        rows = np.array([k for k in range(256) if 1 <= k + difference <= 254])
        values = matrix[rows, rows + difference]
        np.testing.assert_array_equal(values, values[0])


def test_variance_zero_theory_is_the_deterministic_shift():
    matrix = transition_matrix(12 / 255, 0.0)
    expected = np.zeros((256, 256))
    expected[np.arange(256), np.minimum(np.arange(256) + 12, 255)] = 1
    np.testing.assert_array_equal(matrix, expected)
    # Half-level ties go to the even offset, as np.rint does in the noise model.
    np.testing.assert_array_equal(offset_pmf(1.5 / 255, 0.0, [1, 2]), [0.0, 1.0])
    np.testing.assert_array_equal(offset_pmf(2.5 / 255, 0.0, [2, 3]), [1.0, 0.0])


def test_offset_pmf_sums_to_one_and_matches_scipy():
    offsets = np.arange(-300, 301)
    probabilities = offset_pmf(0.02, 0.01, offsets)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-14)
    shift, spread = 255 * 0.02, 255 * 0.1
    expected = norm.cdf((offsets + 0.5 - shift) / spread) - norm.cdf(
        (offsets - 0.5 - shift) / spread
    )
    np.testing.assert_allclose(probabilities, expected, atol=1e-16)


def test_noisy_pmf_theory_is_original_times_transition():
    original = np.zeros((3, 256))
    original[0, 0] = original[1, 128] = original[2, 255] = 1.0
    theory = noisy_pmf_theory(original, 0.0, 0.01)
    matrix = transition_matrix(0.0, 0.01)
    np.testing.assert_array_equal(theory[0], matrix[0])
    np.testing.assert_array_equal(theory[1], matrix[128])
    np.testing.assert_array_equal(theory[2], matrix[255])
    np.testing.assert_allclose(theory.sum(axis=1), 1.0, atol=1e-14)


# ------------------------------------------------------- empirical converges to theory


@pytest.mark.parametrize(("mean", "variance", "seed"), [(0.0, 0.01, 1), (0.1, 0.05, 2)])
def test_noisy_pmf_converges_to_theory_on_a_photograph(astronaut, mean, variance, seed):
    analyser = NoiseAnalyser(astronaut, seed=seed)
    result = analyser.move(mean, variance)
    fits = analyser.goodness_of_fit(result)
    for name in CHANNELS:
        fit = fits[name]
        assert fit.count == 512 * 512
        assert fit.total_variation < 0.02
        assert fit.kolmogorov < 0.005
        assert fit.p_value > 1e-3, (name, fit)


def test_scikit_image_random_noise_follows_the_same_theory(astronaut):
    # An independent implementation of the convention (float64 draws, var on [0, 1]).
    noisy = random_noise(astronaut, mode="gaussian", mean=-0.05, var=0.02, rng=123)
    rounded = np.round(noisy * 255).astype(np.uint8)
    theory = noisy_pmf_theory(channel_pmfs(astronaut), -0.05, 0.02)
    counts = channel_counts(rounded)
    for index in range(3):
        fit = goodness_of_fit(counts[index], theory[index])
        assert fit.total_variation < 0.02 and fit.p_value > 1e-3, fit


def test_wrong_variance_is_rejected_by_the_test(astronaut):
    result = NoiseAnalyser(astronaut, seed=5).move(0.0, 0.01)
    wrong = noisy_pmf_theory(result.original_pmf, 0.0, 0.012)
    fit = goodness_of_fit(result.noisy_counts[0], wrong[0])
    assert fit.p_value < 1e-6


# -------------------------------------------------------------------- effective noise


def test_effective_noise_on_mid_grey_is_the_rounded_gaussian():
    image = np.full((200, 300, 3), 128, dtype=np.uint8)
    pmf = np.zeros((3, 256))
    pmf[:, 128] = 1.0
    theory = effective_noise_pmf_theory(pmf, 0.0, (5 / 255) ** 2)
    levels = difference_levels()
    assert levels[0] == -255 and levels[-1] == 255 and theory.shape == (3, 511)
    expected = norm.cdf((levels + 0.5) / 5) - norm.cdf((levels - 0.5) / 5)
    np.testing.assert_allclose(theory[0], expected, atol=1e-15)
    noisy = add_gaussian_noise(image, 0.0, (5 / 255) ** 2, seed=3)
    counts = effective_noise_counts(image, noisy)
    for index in range(3):
        fit = goodness_of_fit(counts[index], theory[index])
        assert fit.total_variation < 0.01 and fit.p_value > 1e-3


def test_effective_noise_on_black_is_clipped_by_hand():
    pmf = np.zeros((1, 256))
    pmf[0, 0] = 1.0
    theory = effective_noise_pmf_theory(pmf, 0.0, (10 / 255) ** 2)[0]
    assert theory[255] == pytest.approx(norm.cdf(0.05), rel=1e-12)  # d = 0
    assert theory[255 + 3] == pytest.approx(norm.cdf(0.35) - norm.cdf(0.25), rel=1e-12)
    assert np.all(theory[:255] == 0)  # never below the original
    assert theory.sum() == pytest.approx(1.0, abs=1e-14)


def test_extreme_counts_by_hand():
    image = np.array([[[0, 10, 255], [255, 0, 1], [254, 255, 255]]], dtype=np.uint8)
    # Red: 0, 255 -> 2; green: 0, 255 -> 2; blue: 255, 255 -> 2 (1 and 254 do not count).
    np.testing.assert_array_equal(extreme_counts(image), [2, 2, 2])
    image = np.full((40, 40, 3), 128, dtype=np.uint8)
    image[0, 0] = (0, 255, 7)
    image[5, 9, 2] = 255
    np.testing.assert_array_equal(extreme_counts(image), [1, 1, 1])


def test_describe_matches_move(astronaut):
    analyser = NoiseAnalyser(astronaut[:48, :64], seed=4)
    moved = analyser.move(-0.1, 0.03)
    described = analyser.describe(analyser.renderer.render(-0.1, 0.03), -0.1, 0.03)
    for name in ("noisy", "noisy_counts", "noisy_pmf", "noisy_cdf", "noisy_pmf_theory",
                 "noisy_cdf_theory"):
        np.testing.assert_array_equal(getattr(described, name), getattr(moved, name))


def test_effective_noise_counts_by_hand():
    original = np.array([[[0, 10, 255], [200, 10, 0]]], dtype=np.uint8)
    noisy = np.array([[[3, 10, 250], [255, 9, 0]]], dtype=np.uint8)
    counts = effective_noise_counts(original, noisy)
    assert counts[0, 255 + 3] == 1 and counts[0, 255 + 55] == 1
    assert counts[1, 255] == 1 and counts[1, 255 - 1] == 1
    assert counts[2, 255 - 5] == 1 and counts[2, 255] == 1
    assert counts.sum() == 6
    with pytest.raises(ValueError, match="shape"):
        effective_noise_counts(original, noisy[:, :1])


def test_analyser_effective_noise_matches_the_functions(astronaut):
    analyser = NoiseAnalyser(astronaut[:64, :64], seed=9)
    result = analyser.move(0.2, 0.05)
    effective = analyser.effective_noise(result.noisy, 0.2, 0.05)
    counts = effective_noise_counts(analyser.image, result.noisy)
    np.testing.assert_array_equal(effective.counts, counts)
    np.testing.assert_array_equal(effective.pmf, counts / (64 * 64))
    np.testing.assert_allclose(
        effective.pmf_theory, effective_noise_pmf_theory(result.original_pmf, 0.2, 0.05)
    )


# -------------------------------------------------------------------- the noise itself


def test_noise_pdf_and_cdf_match_scipy_on_both_scales():
    grid = np.linspace(-0.5, 0.5, 11)
    np.testing.assert_allclose(noise_pdf(grid, 0.1, 0.04), norm.pdf(grid, 0.1, 0.2), rtol=1e-12)
    np.testing.assert_allclose(noise_cdf(grid, 0.1, 0.04), norm.cdf(grid, 0.1, 0.2), rtol=1e-12)
    levels = grid * 255
    np.testing.assert_allclose(
        noise_pdf(levels, 0.1, 0.04, scale="levels"), norm.pdf(levels, 25.5, 51), rtol=1e-12
    )
    np.testing.assert_allclose(
        noise_cdf(levels, 0.1, 0.04, scale="levels"), norm.cdf(levels, 25.5, 51), rtol=1e-12
    )
    np.testing.assert_array_equal(noise_cdf([-0.1, 0.1, 0.2], 0.1, 0.0), [0.0, 1.0, 1.0])
    assert noise_pdf([0.1], 0.1, 0.0)[0] == np.inf
    with pytest.raises(ValueError, match="scale must be one of"):
        noise_pdf(grid, 0.0, 0.01, scale="percent")


def test_noise_grid_spans_four_sigma():
    grid = noise_grid(0.1, 0.01, num=5)
    np.testing.assert_allclose(grid, [-0.3, -0.1, 0.1, 0.3, 0.5])
    np.testing.assert_allclose(noise_grid(0.0, 0.0, num=3, scale="levels"), [-1, 0, 1])


def test_noise_sample_ecdf_histogram_and_moments_equal_brute_force():
    field = standard_normal_field((50, 40, 3), seed=8)
    sample = NoiseSample(field)
    mean, variance = 0.05, 0.03
    eps = mean + math.sqrt(variance) * field.astype(np.float64).ravel()
    grid = np.linspace(-0.6, 0.7, 57)
    np.testing.assert_array_equal(
        sample.ecdf(grid, mean, variance), (eps[None, :] <= grid[:, None]).mean(axis=1)
    )
    edges = np.linspace(-0.5, 0.6, 23)
    inside = (eps[None, :] > edges[:-1, None]) & (eps[None, :] <= edges[1:, None])
    expected_density = inside.sum(axis=1) / (eps.size * np.diff(edges))
    np.testing.assert_allclose(sample.histogram(edges, mean, variance), expected_density)
    sample_mean, sample_variance = sample.moments(mean, variance)
    assert sample_mean == pytest.approx(eps.mean(), rel=1e-9)
    assert sample_variance == pytest.approx(eps.var(), rel=1e-9)
    levels_mean, levels_variance = sample.moments(mean, variance, scale="levels")
    assert levels_mean == pytest.approx(255 * eps.mean(), rel=1e-9)
    assert levels_variance == pytest.approx(255**2 * eps.var(), rel=1e-9)
    # variance 0: every draw sits on the mean.
    np.testing.assert_array_equal(sample.ecdf([0.04, 0.05, 0.06], 0.05, 0.0), [0, 1, 1])


def test_noise_sample_counts_draws_exactly_at_and_beside_a_value():
    # Values equal to a draw and one float64 step either side of it, in z units
    # (mean 0, variance chosen so that sigma * 255 = 255: eps = z).
    field = standard_normal_field((40, 30, 3), seed=4)
    sample = NoiseSample(field)
    draws = field.astype(np.float64).ravel()
    picked = draws[::97]
    values = np.concatenate([picked, np.nextafter(picked, np.inf),
                             np.nextafter(picked, -np.inf), [np.inf, -np.inf]])
    expected = (draws[None, :] <= values[:, None]).sum(axis=1) / draws.size
    np.testing.assert_array_equal(sample.ecdf(values, 0.0, 1.0), expected)


def test_noise_summary_sample_tracks_theory():
    sample = NoiseSample(standard_normal_field((300, 400, 3), seed=2))
    summary = noise_summary(sample, -0.1, 0.02, num=101, bins=40)
    assert summary.grid.shape == (101,) and summary.edges.shape == (41,)
    assert np.max(np.abs(summary.ecdf - summary.cdf_theory)) < 0.003
    centres = (summary.edges[1:] + summary.edges[:-1]) / 2
    bin_probability = np.diff(noise_cdf(summary.edges, -0.1, 0.02)) / np.diff(summary.edges)
    np.testing.assert_allclose(summary.density, bin_probability, rtol=0.05, atol=0.02)
    assert centres[0] > -0.1 - 4 * math.sqrt(0.02)
    assert summary.sample_mean == pytest.approx(-0.1, abs=1e-3)
    assert summary.sample_variance == pytest.approx(0.02, rel=0.01)


# -------------------------------------------------------------------- goodness of fit


def test_pooling_by_hand():
    np.testing.assert_array_equal(pooled_groups([1, 2, 3, 10, 1, 1]), [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(pooled_groups([5, 5, 0.5]), [0, 1, 1])
    np.testing.assert_array_equal(pooled_groups([6, 0, 0, 7]), [0, 1, 1, 1])
    np.testing.assert_array_equal(pooled_groups([1, 1]), [0, 0])


def test_goodness_of_fit_against_scipy_chisquare():
    expected_pmf = np.array([2, 3, 5, 24, 16, 14, 0, 0]) / 64
    observed = np.array([3, 1, 6, 25, 14, 15, 0, 0])
    fit = goodness_of_fit(observed, expected_pmf)
    # Expected counts 2, 3 | 5 | 24 | 16 | 14, 0, 0 (the empty tail joins the last group).
    reference = stats.chisquare([4, 6, 25, 14, 15], [5, 5, 24, 16, 14])
    assert fit.groups == 5 and fit.degrees_of_freedom == 4 and fit.count == 64
    assert fit.chi_square == pytest.approx(reference.statistic, rel=1e-12)
    assert fit.p_value_iid == pytest.approx(reference.pvalue, rel=1e-12)
    # One multinomial of 64 pixels: the exact null mean of the statistic is groups - 1.
    assert fit.chi_square_null_mean == pytest.approx(4.0, rel=1e-12)
    assert fit.p_value == pytest.approx(reference.pvalue, abs=0.01)
    assert fit.total_variation == pytest.approx(0.5 * np.abs(observed / 64 - expected_pmf).sum())
    assert fit.kolmogorov == pytest.approx(1 / 64)
    perfect = goodness_of_fit(np.array([20, 30, 50]), np.array([0.2, 0.3, 0.5]))
    assert perfect.chi_square == 0 and perfect.p_value == 1.0 and perfect.total_variation == 0
    assert perfect.p_value_iid == 1.0


def test_goodness_of_fit_errors_and_single_group():
    with pytest.raises(ValueError, match="same length"):
        goodness_of_fit(np.ones(3), np.ones(4) / 4)
    with pytest.raises(ValueError, match="at least one pixel"):
        goodness_of_fit(np.zeros(2), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="expected_pmf"):
        goodness_of_fit(np.ones(2), np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="expected_pmf"):
        goodness_of_fit(np.ones(2), np.array([np.nan, 1.0]))
    tiny = goodness_of_fit(np.array([1, 1]), np.array([0.5, 0.5]))
    assert tiny.groups == 1 and tiny.degrees_of_freedom == 0 and math.isnan(tiny.p_value)
    assert math.isnan(tiny.p_value_iid) and math.isnan(tiny.chi_square_null_mean)


def test_fit_chance_pools_levels_and_feeds_goodness_of_fit():
    rows = np.array([[0.7, 0.2, 0.1, 0.0], [0.0, 0.1, 0.2, 0.7]])
    chance = fit_chance(np.array([40, 10]), rows, draws=50)
    np.testing.assert_allclose(chance.expected_counts, [28, 9, 6, 7])
    np.testing.assert_array_equal(chance.labels, [0, 1, 2, 3])
    fit = goodness_of_fit(np.array([30, 8, 5, 7]), chance.expected_counts / 50, chance)
    assert fit.chi_square == pytest.approx(4 / 28 + 1 / 9 + 1 / 6)
    assert fit.chi_square_null_mean == pytest.approx(chance.chi_square.mean)
    assert fit.p_value == pytest.approx(chance.chi_square.p_value(fit.chi_square))
    assert fit.total_variation_chance_mean == chance.total_variation.mean
    assert fit.total_variation_chance_method == "exact draws"


def test_chance_for_other_counts_is_refused():
    chance = fit_chance(np.array([100]), np.array([[0.5, 0.5]]), draws=10)
    with pytest.raises(ValueError, match="same expected counts"):
        goodness_of_fit(np.array([60, 60]), np.array([0.5, 0.5]), chance)
    with pytest.raises(ValueError, match="original_counts must be"):
        noise_fit_chances(np.ones(256), 0.0, 0.01)


def test_noisy_image_p_value_does_not_treat_pixels_as_identically_distributed(astronaut):
    # At a small variance the textbook p-value is near 1 for almost every seed (it assumes one
    # multinomial, which varies far more); the p-value under the noise model is not.
    image = np.asarray(Image.fromarray(astronaut).resize((64, 64), Image.LANCZOS))
    chances = NoiseAnalyser(image, seed=0).fit_chances(0.0, 1e-4)
    exact, iid = [], []
    for seed in range(40):
        analyser = NoiseAnalyser(image, seed=seed)
        for fit in analyser.goodness_of_fit(analyser.move(0.0, 1e-4), chances).values():
            exact.append(fit.p_value)
            iid.append(fit.p_value_iid)
    assert np.median(iid) > 0.85
    assert 0.35 < np.median(exact) < 0.65


def _painting_like(side: int) -> np.ndarray:
    return np.asarray(Image.fromarray(data.astronaut()).resize((side, side), Image.LANCZOS))


def _flat_grey(side: int) -> np.ndarray:
    return np.full((side, side, 3), 128, dtype=np.uint8)


@pytest.mark.slow
@pytest.mark.parametrize("variance", [1e-6, 1e-4, 5e-4, 1e-3, 1e-2, 0.1])
@pytest.mark.parametrize("side", [32, 64])
@pytest.mark.parametrize("make_image", [_painting_like, _flat_grey])
def test_fit_is_calibrated_when_the_model_is_right(make_image, side, variance):
    # 400 seeds x 3 channels with the model exactly right: p < 0.05 in 5 % of them, within
    # the binomial 99 % band, and p-values uniform. The total variation is above its range in
    # 2.5 % of them; each channel's upper end comes from 200 draws, so the share above it
    # varies by about 0.012 from channel to channel on top of the binomial spread: the 99 %
    # band is about +-0.022.
    image = make_image(side)
    chances = NoiseAnalyser(image, seed=0).fit_chances(0.0, variance)
    p_values, above = [], []
    for seed in range(400):
        analyser = NoiseAnalyser(image, seed=seed)
        fits = analyser.goodness_of_fit(analyser.move(0.0, variance), chances)
        p_values.extend(fit.p_value for fit in fits.values())
        above.extend(fit.total_variation > fit.total_variation_chance_high
                     for fit in fits.values())
    p_values = np.array(p_values)
    share = np.mean(p_values < 0.05)
    half_band = 2.576 * math.sqrt(0.05 * 0.95 / p_values.size)
    assert abs(share - 0.05) <= half_band, share
    assert stats.kstest(p_values, "uniform").pvalue > 0.001
    assert abs(np.mean(above) - 0.025) <= 0.022, np.mean(above)


# ----------------------------------------------------------------- one slider move


def test_analyse_noise_one_call_agrees_with_the_parts(astronaut):
    image = astronaut[100:160, 200:280]
    result = analyse_noise(image, 0.05, 0.01, seed=4)
    np.testing.assert_array_equal(result.noisy, add_gaussian_noise(image, 0.05, 0.01, seed=4))
    np.testing.assert_array_equal(result.original_pmf, channel_pmfs(image))
    np.testing.assert_array_equal(result.noisy_pmf, channel_pmfs(result.noisy))
    np.testing.assert_array_equal(result.noisy_cdf, cdf_from_pmf(channel_pmfs(result.noisy)))
    np.testing.assert_allclose(
        result.noisy_pmf_theory, channel_pmfs(image) @ transition_matrix(0.05, 0.01)
    )
    assert result.seed == 4 and result.mean == 0.05 and result.variance == 0.01
    assert not result.original_pmf.flags.writeable


def test_analyser_accepts_a_shared_field_and_rejects_a_wrong_one():
    image = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 21)
    shared = NoiseAnalyser(image, seed=None, field=field).move(0.0, 0.02)
    seeded = NoiseAnalyser(image, seed=21).move(0.0, 0.02)
    np.testing.assert_array_equal(shared.noisy, seeded.noisy)
    assert shared.seed is None
    with pytest.raises(ValueError, match="shape"):
        NoiseAnalyser(image, field=field[:5])


@settings(max_examples=40, deadline=None)
@given(
    image=hnp.arrays(np.uint8, st.tuples(st.integers(1, 8), st.integers(1, 8), st.just(3))),
    mean=st.floats(-1.0, 1.0),
    variance=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_pmfs_sum_to_one_and_cdfs_end_at_one(image, mean, variance, seed):
    result = analyse_noise(image, mean, variance, seed=seed)
    for pmf in (result.original_pmf, result.noisy_pmf, result.noisy_pmf_theory):
        assert np.all(pmf >= 0)
        np.testing.assert_allclose(pmf.sum(axis=1), 1.0, atol=1e-12)
    for cdf in (result.original_cdf, result.noisy_cdf, result.noisy_cdf_theory):
        assert np.all(np.diff(cdf, axis=1) >= 0)
        np.testing.assert_array_equal(cdf[:, -1], 1.0)
        assert np.all(cdf <= 1.0)


@settings(max_examples=40, deadline=None)
@given(
    image=hnp.arrays(np.uint8, st.tuples(st.integers(1, 8), st.integers(1, 8), st.just(3))),
    mean=st.floats(-1.0, 1.0),
)
def test_property_variance_zero_theory_equals_empirical_exactly(image, mean):
    result = analyse_noise(image, mean, 0.0, seed=0)
    # In counts the 0/1 matrix is exact; in probabilities only up to summation rounding.
    counts_theory = channel_counts(image) @ transition_matrix(mean, 0.0)
    np.testing.assert_array_equal(counts_theory, result.noisy_counts)
    np.testing.assert_allclose(result.noisy_pmf_theory, result.noisy_pmf, rtol=0, atol=1e-15)
    np.testing.assert_allclose(result.noisy_cdf_theory, result.noisy_cdf, rtol=0, atol=1e-15)
