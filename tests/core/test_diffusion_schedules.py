"""Noise schedules against their published formulas and reference values; the explorer link."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.core.diffusion import diffuse, display_levels, to_data_scale
from dashboard.core.diffusion_schedules import (
    SCHEDULES,
    alpha_bar,
    betas,
    explorer_sigma,
    log_snr,
    rescale_zero_terminal_snr,
    snr,
    step_for_explorer_variance,
    validate_step,
)
from dashboard.core.noise import apply_noise, standard_normal_field

NAMES = tuple(SCHEDULES)


# ------------------------------------------------------------------ published formulas


def test_linear_betas_are_evenly_spaced_from_1e4_to_002():
    b = betas("linear", steps=1000)
    assert b.shape == (1000,)
    assert (b[0], b[-1]) == (1e-4, 0.02)
    np.testing.assert_allclose(np.diff(b), (0.02 - 1e-4) / 999, rtol=1e-9)


def test_scaled_linear_betas_have_evenly_spaced_square_roots():
    b = betas("scaled-linear", steps=1000)
    np.testing.assert_allclose([b[0], b[-1]], [0.00085, 0.012], rtol=1e-14)
    step = (math.sqrt(0.012) - math.sqrt(0.00085)) / 999
    np.testing.assert_allclose(np.diff(np.sqrt(b)), step, rtol=1e-9)


def test_cosine_alpha_bar_is_the_ratio_of_squared_cosines_until_the_cap():
    steps, s = 1000, 0.008
    t = np.arange(steps + 1)
    f = np.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2
    ab = alpha_bar("cosine", steps)
    b = betas("cosine", steps)
    capped = b >= 0.999
    # Only the very last step reaches the cap with T = 1000.
    assert capped.tolist() == [False] * (steps - 1) + [True]
    np.testing.assert_allclose(ab[:-1], f[:-1] / f[0], rtol=1e-12)
    # The last alpha_bar comes from the capped beta, not from f(T) / f(0) = 0.
    assert ab[-1] == pytest.approx(ab[-2] * 0.001, rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("steps", [1, 2, 50, 1000])
def test_alpha_bar_is_the_running_product_of_one_minus_beta(name, steps):
    ab = alpha_bar(name, steps)
    b = betas(name, steps)
    assert ab.shape == (steps + 1,) and b.shape == (steps,)
    assert ab[0] == 1.0
    assert ((b > 0) & (b <= 1)).all()
    np.testing.assert_allclose(ab[1:], np.cumprod(1 - b), rtol=1e-14)
    assert (np.diff(ab) < 0).all()


# ------------------------------------------------------------------ reference values


@pytest.mark.parametrize(
    ("name", "last", "first_below_half"),
    [("linear", 4.04e-5, 260), ("scaled-linear", 4.66e-3, 355), ("cosine", 2.4e-9, 497)],
)
def test_reference_values_for_1000_steps(name, last, first_below_half):
    ab = alpha_bar(name, 1000)
    # The quoted values have two or three significant digits.
    assert ab[-1] == pytest.approx(last, rel=0.02)
    # Step t (ab[0] = 1 is t = 0); a 0-based array starting at step 1 has it at t - 1,
    # which is how the values 259, 354 and 496 are usually quoted.
    assert ab[first_below_half - 1] >= 0.5 > ab[first_below_half]


# ------------------------------------------------------------------ zero terminal SNR


@pytest.mark.parametrize("name", NAMES)
def test_zero_terminal_snr_ends_at_zero_and_keeps_the_first_step(name):
    original = alpha_bar(name, 1000)
    rescaled = alpha_bar(name, 1000, zero_snr=True)
    assert rescaled[0] == 1.0 and rescaled[-1] == 0.0
    assert rescaled[1] == pytest.approx(original[1], rel=1e-14)
    # sqrt(alpha_bar) for t >= 1 is an affine function of the original's.
    slope, intercept = np.polyfit(np.sqrt(original[1:]), np.sqrt(rescaled[1:]), 1)
    np.testing.assert_allclose(
        np.sqrt(rescaled[1:]), slope * np.sqrt(original[1:]) + intercept, atol=1e-13
    )
    b = betas(name, 1000, zero_snr=True)
    assert b[-1] == 1.0
    np.testing.assert_allclose(np.cumprod(1 - b), rescaled[1:], atol=1e-15)
    assert snr(rescaled[-1]) == 0.0 and log_snr(rescaled[-1]) == -math.inf


def test_rescale_by_hand():
    rescaled = rescale_zero_terminal_snr(np.array([1.0, 0.81, 0.25, 0.01]))
    np.testing.assert_allclose(rescaled, [1.0, 0.81, 0.45**2, 0.0], atol=1e-15)


def test_snr_and_log_snr():
    np.testing.assert_array_equal(snr(np.array([1.0, 0.5, 0.2, 0.0])), [math.inf, 1.0, 0.25, 0])
    assert log_snr(0.5) == 0.0
    assert log_snr(1e-3) == pytest.approx(math.log(1e-3 / (1 - 1e-3)), rel=1e-15)
    assert isinstance(snr(0.5), float)


# ------------------------------------------------------------------ the explorer link


def test_explorer_sigma_formula():
    ab = np.array([1.0, 0.8, 0.5, 0.2, 0.0])
    expected = [0.0, 0.5 * math.sqrt(0.25), 0.5, 1.0, math.inf]
    np.testing.assert_allclose(explorer_sigma(ab), expected, rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("zero_snr", [False, True])
def test_sigma_link_both_ways(name, zero_snr):
    ab = alpha_bar(name, 1000, zero_snr)
    for t in [0, 1, 10, 259, 500, 998]:
        variance = float(explorer_sigma(ab[t])) ** 2
        assert step_for_explorer_variance(variance, name, 1000, zero_snr) == t
    # Between two steps, the nearer sigma wins.
    sigma = 0.25 * float(explorer_sigma(ab[100])) + 0.75 * float(explorer_sigma(ab[101]))
    assert step_for_explorer_variance(sigma**2, name, 1000, zero_snr) == 101


def test_same_seed_gives_the_explorers_noisy_picture():
    """x_t / sqrt(ab), mapped to levels, is the explorer's picture at the matching variance
    with the same seed: same field, same rounding."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
    for t in [3, 40, 200]:
        ab = float(alpha_bar("linear", 1000)[t])
        variance = float(explorer_sigma(ab)) ** 2
        explorer = apply_noise(image, 0.0, variance, standard_normal_field(image.shape, 11))
        x_t = diffuse(image, ab, seed=11)
        # The same eps, written on the data scale: x_t / sqrt(ab) = x_0 + 2 sigma eps.
        eps = standard_normal_field(image.shape, 11).astype(np.float64)
        np.testing.assert_allclose(
            x_t / math.sqrt(ab), to_data_scale(image) + 2 * math.sqrt(variance) * eps, atol=1e-12
        )
        np.testing.assert_array_equal(display_levels(x_t / math.sqrt(ab)), explorer)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: alpha_bar("quadratic"), "schedule"),
        (lambda: alpha_bar("Linear"), "schedule"),
        (lambda: alpha_bar("linear", steps=0), "steps"),
        (lambda: alpha_bar("linear", steps=10_001), "steps"),
        (lambda: alpha_bar("linear", steps=2.0), "steps"),
        (lambda: alpha_bar("linear", steps=True), "steps"),
        (lambda: alpha_bar("linear", steps=1, zero_snr=True), "steps"),
        (lambda: alpha_bar("linear", zero_snr="yes"), "zero_snr"),
        (lambda: betas("cosine", steps=-3), "steps"),
        (lambda: validate_step(-1, 1000), "t"),
        (lambda: validate_step(1001, 1000), "t"),
        (lambda: validate_step(5, 0), "steps"),
        (lambda: snr(1.5), "alpha_bar"),
        (lambda: explorer_sigma(np.nan), "alpha_bar"),
        (lambda: step_for_explorer_variance(-0.1), "variance"),
        (lambda: step_for_explorer_variance(math.inf), "variance"),
        (lambda: rescale_zero_terminal_snr(np.array([1.0, 0.5, 0.5])), "alpha_bar_curve"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        call()


def test_unknown_schedule_lists_the_choices():
    with pytest.raises(ValueError) as info:
        alpha_bar("quadratic")
    assert str(info.value) == (
        "schedule must be one of 'linear', 'scaled-linear', 'cosine'; got 'quadratic'"
    )


def test_validate_step_accepts_the_ends():
    assert validate_step(0, 1000) == 0 and validate_step(np.int64(1000), 1000) == 1000
