"""The forward process and its exact per-channel theory, against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from dashboard.core.diffusion import (
    _grid_terms,
    channel_covariance,
    correlation_sample,
    correlation_theory,
    diffuse,
    display_levels,
    entropy_bits,
    expected_denoiser_mse,
    forward_sample,
    information_curves,
    kl_to_standard_normal,
    marginal_density,
    marginal_log_density,
    marginal_moments,
    marginal_score,
    mutual_information_bits,
    posterior_mean,
    posterior_mean_image,
    posterior_mean_tabulated,
    posterior_moments,
    to_data_scale,
    validate_pmf,
)
from dashboard.core.diffusion_schedules import alpha_bar
from dashboard.core.noise import standard_normal_field

ATOMS = 2 * np.arange(256) / 255 - 1


def pmf_of(levels, weights=None):
    pmf = np.zeros(256)
    np.add.at(pmf, np.asarray(levels), 1.0 if weights is None else np.asarray(weights, float))
    return pmf / pmf.sum()


def random_pmf(seed, n_levels):
    rng = np.random.default_rng(seed)
    levels = rng.choice(256, size=n_levels, replace=False)
    return pmf_of(levels, rng.random(n_levels) + 0.05)


# Priors of different shapes: a few separated levels, a narrow band, a full spread.
PRIORS = {
    "two-levels": pmf_of([10, 200], [0.3, 0.7]),
    "band": pmf_of(np.arange(100, 110), np.linspace(1, 2, 10)),
    "scattered": random_pmf(3, 12),
}


def brute_force_posterior(x, pmf, ab):
    """Posterior of x_0 given x_t = x, one level at a time, in plain Python floats."""
    a, s2 = math.sqrt(ab), 1 - ab
    logs = [
        (math.log(p) - (x - a * x0) ** 2 / (2 * s2), x0)
        for p, x0 in zip(pmf, ATOMS, strict=True)
        if p > 0
    ]
    top = max(v for v, _ in logs)
    w = [(math.exp(v - top), x0) for v, x0 in logs]
    total = math.fsum(wi for wi, _ in w)
    mean = math.fsum(wi * x0 for wi, x0 in w) / total
    variance = math.fsum(wi * (x0 - mean) ** 2 for wi, x0 in w) / total
    return mean, variance


def mixture_density(x, pmf, ab):
    a, s = math.sqrt(ab), math.sqrt(1 - ab)
    occupied = pmf > 0
    return float(np.sum(pmf[occupied] * stats.norm.pdf(x, a * ATOMS[occupied], s)))


def quad_reference(pmf, ab):
    """KL (nats), MI (bits) and expected MSE by adaptive quadrature, split at every atom."""
    a, s = math.sqrt(ab), math.sqrt(1 - ab)
    centres = a * ATOMS[pmf > 0]
    edges = np.concatenate(([centres[0] - 12 * s], centres, [centres[-1] + 12 * s]))

    def integral(f):
        pieces = [
            integrate.quad(f, lo, hi, epsabs=1e-15, epsrel=1e-12, limit=400)[0]
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            if hi > lo
        ]
        return math.fsum(pieces)

    def kl_term(x):
        p = mixture_density(x, pmf, ab)
        return p * (math.log(p) - stats.norm.logpdf(x)) if p > 0 else 0.0

    def entropy_term(x):
        p = mixture_density(x, pmf, ab)
        return -p * math.log(p) if p > 0 else 0.0

    def mse_term(x):
        return mixture_density(x, pmf, ab) * brute_force_posterior(x, pmf, ab)[1]

    mi_bits = (integral(entropy_term) - 0.5 * math.log(2 * math.pi * math.e * s * s)) / math.log(2)
    return integral(kl_term), mi_bits, integral(mse_term)


# ------------------------------------------------------------------ data scale, forward


def test_data_scale_and_display_levels_round_trip():
    levels = np.arange(256, dtype=np.uint8)
    x0 = to_data_scale(levels)
    assert (x0[0], x0[255], x0.dtype) == (-1.0, 1.0, np.float64)
    np.testing.assert_allclose(x0, 2 * np.arange(256) / 255 - 1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(display_levels(x0), levels)
    np.testing.assert_array_equal(display_levels(np.array([-7.0, 9.0])), [0, 255])


def test_forward_sample_formula_and_ends():
    x0 = np.array([-1.0, 0.2, 1.0])
    eps = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    np.testing.assert_allclose(
        forward_sample(x0, 0.36, eps), 0.6 * x0 + 0.8 * eps.astype(np.float64), rtol=1e-15
    )
    np.testing.assert_array_equal(forward_sample(x0, 1.0, eps), x0)
    np.testing.assert_array_equal(forward_sample(x0, 0.0, eps), eps.astype(np.float64))


def test_the_same_seed_reuses_one_noise_field_at_every_step():
    image = np.random.default_rng(0).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    x0 = to_data_scale(image)
    field = standard_normal_field(image.shape, 42).astype(np.float64)
    for ab in [0.999, 0.5, 1e-3]:
        eps = (diffuse(image, ab, seed=42) - math.sqrt(ab) * x0) / math.sqrt(1 - ab)
        np.testing.assert_allclose(eps, field, atol=1e-10)
    assert not np.array_equal(diffuse(image, 0.5, 42), diffuse(image, 0.5, 43))


# ------------------------------------------------------------------ the marginal


@pytest.mark.parametrize("ab", [0.999, 0.9, 0.3])
def test_marginal_against_monte_carlo(ab):
    """x_t from 40 seeds of a 30 x 40 picture (48,000 draws) against the mixture's CDF."""
    rng = np.random.default_rng(1)
    levels = np.array([20, 90, 91, 240], dtype=np.uint8)
    image = rng.choice(levels, size=(30, 40), p=[0.1, 0.3, 0.2, 0.4])
    pmf = np.bincount(image.ravel(), minlength=256) / image.size
    draws = np.concatenate([diffuse(image, ab, seed).ravel() for seed in range(40)])
    a, s = math.sqrt(ab), math.sqrt(1 - ab)

    def cdf(x):
        occupied = pmf > 0
        return stats.norm.cdf((np.asarray(x)[..., None] - a * ATOMS[occupied]) / s) @ pmf[occupied]

    # Kolmogorov-Smirnov: with 48,000 draws the statistic is about 0.006 (p = 0.001 at 0.0089).
    assert stats.kstest(draws, cdf).pvalue > 1e-3
    # The density integrates to the CDF's increments over 40 histogram bins.
    edges = np.linspace(draws.min(), draws.max(), 41)
    centres = a * ATOMS[pmf > 0]

    def mass(lo, hi):
        inside = centres[(centres > lo) & (centres < hi)]
        return integrate.quad(
            lambda x: float(marginal_density(np.array(x), pmf, ab)), lo, hi,
            points=inside if inside.size else None, epsabs=1e-13, limit=200,
        )[0]

    masses = [mass(lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    np.testing.assert_allclose(masses, np.diff(cdf(edges)), atol=1e-9)
    observed = np.histogram(draws, edges)[0] / draws.size
    # Each bin's frequency within 5 binomial standard deviations of the theory.
    expected = np.diff(cdf(edges))
    assert (np.abs(observed - expected) <= 5 * np.sqrt(expected / draws.size) + 1e-4).all()


@pytest.mark.parametrize("name", PRIORS)
@pytest.mark.parametrize("ab", [0.99, 0.6, 0.05])
def test_marginal_density_integrates_to_one_with_the_theoretical_moments(name, ab):
    pmf = PRIORS[name]
    mean, variance = marginal_moments(pmf, ab)
    lo, hi = mean - 12 * math.sqrt(variance), mean + 12 * math.sqrt(variance)
    x = np.linspace(lo, hi, 200_001)
    p = marginal_density(x, pmf, ab)
    assert integrate.trapezoid(p, x) == pytest.approx(1.0, abs=1e-9)
    assert integrate.trapezoid(x * p, x) == pytest.approx(mean, abs=1e-9)
    assert integrate.trapezoid((x - mean) ** 2 * p, x) == pytest.approx(variance, rel=1e-7)
    np.testing.assert_allclose(np.exp(marginal_log_density(x[::997], pmf, ab)), p[::997])


def test_marginal_at_the_ends():
    pmf = PRIORS["band"]
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(marginal_density(x, pmf, 0.0), stats.norm.pdf(x), rtol=1e-14)
    with pytest.raises(ValueError, match="^alpha_bar_t must be < 1"):
        marginal_density(x, pmf, 1.0)


# ------------------------------------------------------------------ KL, MI, MSE


@pytest.mark.parametrize("name", PRIORS)
@pytest.mark.parametrize("ab", [0.9999, 0.999, 0.97, 0.7, 0.2, 1e-3])
def test_information_against_adaptive_quadrature(name, ab):
    pmf = PRIORS[name]
    kl, mi, mse = quad_reference(pmf, ab)
    assert kl_to_standard_normal(pmf, ab) == pytest.approx(kl, rel=1e-8)
    assert mutual_information_bits(pmf, ab) == pytest.approx(mi, rel=1e-8, abs=1e-12)
    assert expected_denoiser_mse(pmf, ab) == pytest.approx(mse, rel=1e-8, abs=1e-15)


@pytest.mark.parametrize("level", [0, 77, 255])
def test_one_level_is_one_gaussian_in_closed_form(level):
    pmf = pmf_of([level])
    ab = alpha_bar("cosine", 1000)
    info = information_curves(pmf, ab)
    # 1/2 (mu^2 + s^2 - 1 - ln s^2) with mu^2 = ab x_0^2, s^2 = 1 - ab, written without
    # cancellation where ab is tiny.
    with np.errstate(divide="ignore"):
        closed = 0.5 * (ab * ATOMS[level] ** 2 - ab - np.log1p(-ab))
    np.testing.assert_allclose(info.kl_nats[1:], closed[1:], rtol=1e-12, atol=1e-300)
    # The quadrature grid, used for any prior with several levels, gives the same.
    kl, mse = _grid_terms(ATOMS[[level]], np.ones(1), ab[1:])
    np.testing.assert_allclose(kl, closed[1:], rtol=1e-9)
    np.testing.assert_allclose(mse, 0.0, atol=1e-15)
    assert info.kl_nats[0] == math.inf
    np.testing.assert_array_equal(info.mutual_information_bits, 0.0)
    np.testing.assert_array_equal(info.mse_expected, 0.0)


def test_two_levels_half_each_through_the_grid():
    """Black and white, half each: the marginal is symmetric and E[x_0 | x] = tanh(a x / s^2)."""
    pmf = pmf_of([0, 255])
    for ab in [0.9, 0.5, 0.1]:
        a, s2 = math.sqrt(ab), 1 - ab
        x = np.linspace(-4, 4, 81)
        np.testing.assert_allclose(posterior_mean(x, pmf, ab), np.tanh(a * x / s2), atol=1e-14)
        # MMSE = 1 - E[tanh(a x / s^2)^2], by quadrature over the symmetric mixture.
        def tanh_squared(v, a=a, s2=s2):
            return stats.norm.pdf(v, a, math.sqrt(s2)) * math.tanh(a * v / s2) ** 2

        mmse = 1 - integrate.quad(tanh_squared, -12, 12, epsabs=1e-14)[0]
        assert expected_denoiser_mse(pmf, ab) == pytest.approx(mmse, rel=1e-9)


def test_limits_at_the_first_and_last_step():
    pmf = PRIORS["scattered"]
    info = information_curves(pmf, np.array([1.0, 0.0]))
    variance = pmf @ (ATOMS - pmf @ ATOMS) ** 2
    assert info.kl_nats.tolist() == [math.inf, 0.0]
    assert info.mutual_information_bits.tolist() == [pytest.approx(entropy_bits(pmf)), 0.0]
    assert info.mse_expected.tolist() == [0.0, pytest.approx(variance, rel=1e-14)]
    entropy = -np.sum(pmf[pmf > 0] * np.log2(pmf[pmf > 0]))
    assert entropy_bits(pmf) == pytest.approx(entropy, rel=1e-14)


def test_mutual_information_approaches_the_entropy_and_zero():
    pmf = PRIORS["scattered"]
    near = information_curves(pmf, np.array([1 - 1e-9, 1e-12]))
    assert near.mutual_information_bits[0] == pytest.approx(entropy_bits(pmf), rel=1e-12)
    assert near.mse_expected[0] < 1e-100
    assert near.mutual_information_bits[1] < 1e-11 and near.kl_nats[1] < 1e-11


@pytest.mark.parametrize("name", PRIORS)
def test_i_mmse_relation(name):
    """dI/dsnr = mmse / 2 (nats) for the channel x_t / s = sqrt(snr) x_0 + noise."""
    pmf = PRIORS[name]
    for snr in [0.05, 1.0, 30.0]:
        h = 1e-4 * snr
        ab = np.array([snr - h, snr, snr + h])
        ab = ab / (1 + ab)
        info = information_curves(pmf, ab)
        mi_nats = info.mutual_information_bits * math.log(2)
        derivative = (mi_nats[2] - mi_nats[0]) / (2 * h)
        assert derivative == pytest.approx(info.mse_expected[1] / 2, rel=1e-5)


@pytest.mark.parametrize("schedule", ["linear", "scaled-linear", "cosine"])
def test_curves_move_one_way_along_a_schedule(schedule):
    """Data processing: information is only lost, and the optimal MSE only grows."""
    image = np.random.default_rng(2).integers(30, 220, size=(40, 40, 3), dtype=np.uint8)
    pmfs = np.stack([np.bincount(image[..., c].ravel(), minlength=256) for c in range(3)])
    pmfs = pmfs / pmfs.sum(axis=1, keepdims=True)
    ab = alpha_bar(schedule, 1000)
    info = information_curves(pmfs, ab)
    assert info.kl_nats.shape == (3, 1001)
    assert (np.diff(info.kl_nats[:, 1:], axis=1) < 0).all()
    assert (np.diff(info.mutual_information_bits, axis=1) <= 1e-12).all()
    assert (np.diff(info.mse_expected, axis=1) >= -1e-15).all()
    for c in range(3):
        one = information_curves(pmfs[c], ab[[0, 300, 1000]])
        np.testing.assert_allclose(one.kl_nats, info.kl_nats[c, [0, 300, 1000]], rtol=1e-10)


# ------------------------------------------------------------------ the denoiser


def test_denoiser_against_a_brute_force_posterior_on_a_tiny_image():
    image = np.array([[12, 12, 200], [13, 90, 255], [0, 12, 90]], dtype=np.uint8)
    pmf = np.bincount(image.ravel(), minlength=256) / image.size
    for ab in [0.9999, 0.99, 0.7, 0.05]:
        x_t = diffuse(image, ab, seed=7)
        mean, variance = posterior_moments(x_t, pmf, ab)
        expected = np.array([brute_force_posterior(v, pmf, ab) for v in x_t.ravel()])
        np.testing.assert_allclose(mean.ravel(), expected[:, 0], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(variance.ravel(), expected[:, 1], rtol=1e-9, atol=1e-16)
        np.testing.assert_array_equal(posterior_mean(x_t, pmf, ab), mean)
        assert mean.shape == image.shape


@pytest.mark.parametrize("name", PRIORS)
@pytest.mark.parametrize("ab", [0.9999, 0.999, 0.97, 0.6, 0.05, 1e-4])
def test_tabulated_denoiser_is_within_its_tolerance(name, ab):
    pmf = PRIORS[name]
    image = np.random.default_rng(8).choice(np.flatnonzero(pmf), size=(150, 160))
    x_t = diffuse(image.astype(np.uint8), ab, seed=1)
    exact = posterior_mean(x_t, pmf, ab)
    for tolerance in [1e-6, 1e-9]:
        fast = posterior_mean_tabulated(x_t, pmf, ab, tolerance)
        assert np.max(np.abs(fast - exact)) <= tolerance


def test_tabulated_denoiser_of_an_image_and_its_exact_fallbacks():
    image = np.random.default_rng(9).integers(0, 256, size=(40, 50, 3), dtype=np.uint8)
    pmfs = np.stack([np.bincount(image[..., c].ravel(), minlength=256) for c in range(3)])
    pmfs = pmfs / (40 * 50)
    for ab in [1.0, 1 - 1e-9, 0.5, 0.0]:
        x_t = diffuse(image, ab, seed=2)
        exact = posterior_mean_image(x_t, pmfs, ab)
        np.testing.assert_allclose(posterior_mean_image(x_t, pmfs, ab, 1e-8), exact, atol=1e-8)


def test_denoiser_far_from_every_level_stays_finite():
    pmf = pmf_of([0, 255])
    x = np.array([-1e3, -40.0, 0.0, 40.0, 1e3])
    mean, variance = posterior_moments(x, pmf, 0.9999)
    np.testing.assert_array_equal(mean, [-1.0, -1.0, 0.0, 1.0, 1.0])
    assert np.isfinite(variance).all()


def test_denoiser_at_the_ends():
    pmf = PRIORS["scattered"]
    x = np.array([-2.0, ATOMS[pmf > 0][3], 0.1, 5.0])
    mean, variance = posterior_moments(x, pmf, 1.0)
    occupied = ATOMS[pmf > 0]
    nearest = occupied[np.abs(x[:, None] - occupied).argmin(axis=1)]
    np.testing.assert_array_equal(mean, nearest)
    np.testing.assert_array_equal(variance, 0.0)
    mean, variance = posterior_moments(x, pmf, 0.0)
    np.testing.assert_allclose(mean, pmf @ ATOMS, rtol=1e-15)


@pytest.mark.parametrize("name", PRIORS)
@pytest.mark.parametrize("ab", [0.999, 0.8, 0.1])
def test_tweedie_formula(name, ab):
    """E[x_0 | x] = (x + s^2 d/dx log p_t(x)) / a, with the derivative by finite differences."""
    pmf = PRIORS[name]
    a, s2 = math.sqrt(ab), 1 - ab
    mean_t, var_t = marginal_moments(pmf, ab)
    x = np.linspace(mean_t - 3 * math.sqrt(var_t), mean_t + 3 * math.sqrt(var_t), 41)
    h = 1e-5 * math.sqrt(s2)
    above, below = marginal_log_density(x + h, pmf, ab), marginal_log_density(x - h, pmf, ab)
    numeric = (above - below) / (2 * h)
    scale = 1 / s2  # the score is of order (a x_0 - x) / s^2
    np.testing.assert_allclose(marginal_score(x, pmf, ab), numeric, atol=1e-6 * scale)
    np.testing.assert_allclose((x + s2 * numeric) / a, posterior_mean(x, pmf, ab), atol=1e-6)


def test_measured_mse_matches_the_expected_mse():
    rng = np.random.default_rng(4)
    image = rng.choice(np.array([30, 60, 61, 180, 250], dtype=np.uint8), size=(300, 300, 3))
    pmfs = np.stack([np.bincount(image[..., c].ravel(), minlength=256) for c in range(3)])
    pmfs = pmfs / image[..., 0].size
    x0 = to_data_scale(image)
    for ab in [0.99, 0.5]:
        denoised = posterior_mean_image(diffuse(image, ab, seed=9), pmfs, ab)
        errors = ((denoised - x0) ** 2).reshape(-1, 3)
        for c in range(3):
            expected = expected_denoiser_mse(pmfs[c], ab)
            tolerance = 5 * errors[:, c].std() / math.sqrt(errors.shape[0])
            assert errors[:, c].mean() == pytest.approx(expected, abs=tolerance)


# ------------------------------------------------------------------ correlation


def test_correlation_theory_against_a_large_sample():
    rng = np.random.default_rng(6)
    base = rng.integers(0, 200, size=(300, 300))
    image = np.stack(
        [base + rng.integers(0, 56, base.shape), base // 2 + 60, 255 - base], axis=-1
    ).astype(np.uint8)
    cov = channel_covariance(image)
    x0 = to_data_scale(image).reshape(-1, 3)
    np.testing.assert_allclose(cov, np.cov(x0, rowvar=False, bias=True), rtol=1e-12)
    np.testing.assert_allclose(
        correlation_theory(cov, 1.0), np.corrcoef(x0, rowvar=False), atol=1e-12
    )
    for ab in [0.95, 0.5, 0.05]:
        sample = correlation_sample(diffuse(image, ab, seed=1))
        # 90,000 pixels: the sampling error of a correlation is below 0.0034; allow 5 of those.
        np.testing.assert_allclose(sample, correlation_theory(cov, ab), atol=0.017)
    np.testing.assert_allclose(correlation_theory(cov, 0.0), np.eye(3), atol=0)
    curve = correlation_theory(cov, alpha_bar("linear", 1000))
    assert curve.shape == (1001, 3, 3)
    for t in [0, 10, 500, 1000]:
        np.testing.assert_allclose(
            curve[t], correlation_theory(cov, float(alpha_bar("linear", 1000)[t])), rtol=1e-15
        )


def test_correlation_of_a_constant_channel_at_t0_is_undefined():
    image = np.zeros((2, 2, 3), dtype=np.uint8)
    image[..., 0] = [[0, 10], [20, 30]]
    rho = correlation_theory(channel_covariance(image), 1.0)
    assert math.isnan(rho[0, 1]) and rho[0, 0] == 1.0
    assert correlation_theory(channel_covariance(image), 0.5)[0, 1] == 0.0


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: validate_pmf(np.ones(255) / 255), "pmf"),
        (lambda: validate_pmf(np.full(256, 0.5)), "pmf"),
        (lambda: validate_pmf(np.r_[-0.1, 1.1, np.zeros(254)]), "pmf"),
        (lambda: validate_pmf(np.r_[np.nan, np.zeros(255)]), "pmf"),
        (lambda: validate_pmf("uniform"), "pmf"),
        (lambda: kl_to_standard_normal(np.ones((3, 256)) / 256, 0.5), "pmf"),
        (lambda: kl_to_standard_normal(PRIORS["band"], 1.5), "alpha_bar"),
        (lambda: posterior_mean(np.zeros(3), PRIORS["band"], -0.1), "alpha_bar"),
        (lambda: posterior_mean(np.array([0.0, np.inf]), PRIORS["band"], 0.5), "x_t"),
        (lambda: marginal_density(np.array([np.nan]), PRIORS["band"], 0.5), "x"),
        (lambda: information_curves(PRIORS["band"], np.array([0.5, 2.0])), "alpha_bar_values"),
        (lambda: forward_sample(np.zeros(3), 0.5, np.zeros(4)), "eps"),
        (lambda: forward_sample(np.zeros(3), math.nan, np.zeros(3)), "alpha_bar"),
        (lambda: to_data_scale(np.zeros(3)), "levels"),
        (lambda: diffuse(np.zeros((2, 2, 3), np.uint8), 0.5, seed=-1), "seed"),
        (lambda: channel_covariance(np.zeros((2, 2), np.uint8)), "image"),
        (lambda: correlation_theory(np.ones((2, 3)), 0.5), "covariance"),
        (lambda: correlation_theory(np.eye(3), 1.5), "alpha_bar"),
        (lambda: correlation_theory(np.eye(3), np.array([0.5, -1.0])), "alpha_bar_values"),
        (lambda: posterior_mean_image(np.zeros((2, 2)), np.ones((3, 256)) / 256, 0.5), "x_t"),
        (lambda: posterior_mean_tabulated(np.zeros(3), PRIORS["band"], 0.5, 0.0), "tolerance"),
        (lambda: posterior_mean_tabulated(np.zeros(3), PRIORS["band"], 0.5, "1e-9"), "tolerance"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        call()


def test_a_pmf_a_little_off_one_is_renormalised():
    pmf = PRIORS["band"] * (1 + 1e-9)
    assert validate_pmf(pmf).sum() == pytest.approx(1.0, abs=1e-15)


def test_a_constant_channel_has_no_correlation_at_step_zero():
    image = np.zeros((7, 5, 3), dtype=np.uint8)
    image[..., 0] = 77  # constant red
    image[..., 1] = np.arange(35).reshape(7, 5)
    image[..., 2] = 255 - np.arange(35).reshape(7, 5)
    cov = channel_covariance(image)
    assert cov[0, 0] == 0.0 and cov[0, 1] == 0.0
    k = np.arange(35, dtype=np.float64) * 2 / 255
    assert cov[1, 1] == pytest.approx(k.var(), rel=1e-13)
    assert cov[1, 2] == pytest.approx(-k.var(), rel=1e-13)
    theory = correlation_theory(cov, 1.0)
    assert np.isnan(theory[0, 1]) and theory[1, 2] == pytest.approx(-1.0, rel=1e-13)
    sample = correlation_sample(to_data_scale(image))
    assert np.isnan(sample[0, 1]) and np.isnan(sample[0, 2])
    assert sample[1, 2] == pytest.approx(-1.0, rel=1e-12)
