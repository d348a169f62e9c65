"""The seeded Gaussian noise model: exact values, rounding, determinism, validation."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dashboard.core.noise import (
    NoiseRenderer,
    add_gaussian_noise,
    apply_noise,
    reference_offsets,
    standard_normal_field,
    validate_mean,
    validate_seed,
    validate_variance,
)


def skimage_style_reference(image, mean, variance, field):
    """round(255 * clip(u + eps, 0, 1)) in float64, eps = mean + sigma * z: the spec."""
    u = image / 255.0
    eps = mean + math.sqrt(variance) * field.astype(np.float64)
    return np.round(255.0 * np.clip(u + eps, 0.0, 1.0)).astype(np.uint8)


# ---------------------------------------------------------------- hand-made values


def test_two_by_two_by_hand():
    image = np.array([[0, 100], [200, 250]], dtype=np.uint8)
    field = np.array([[1.0, -1.0], [0.52, 2.0]], dtype=np.float32)
    # sigma = 10/255 -> 10 levels per unit of z; mean = 3/255 -> +3 levels.
    noisy = apply_noise(image, mean=3 / 255, variance=(10 / 255) ** 2, field=field)
    # 0+3+10=13; 100+3-10=93; 200+3+5.2=208.2 -> 208; 250+3+20=273 -> 255.
    np.testing.assert_array_equal(noisy, [[13, 93], [208, 255]])
    assert noisy.dtype == np.uint8


def test_clipping_at_black_by_hand():
    image = np.array([[5, 0]], dtype=np.uint8)
    field = np.array([[-1.0, -0.02]], dtype=np.float32)
    noisy = apply_noise(image, mean=0.0, variance=(20 / 255) ** 2, field=field)
    # 5 - 20 -> 0; 0 - 0.4 rounds to 0.
    np.testing.assert_array_equal(noisy, [[0, 0]])


def test_rounds_to_nearest_where_the_original_script_truncated():
    image = np.array([[10, 20, 254]], dtype=np.uint8)
    zero = np.zeros(image.shape, dtype=np.float32)
    mean = 0.6 / 255  # +0.6 of a level
    noisy = apply_noise(image, mean, 0.0, zero)
    np.testing.assert_array_equal(noisy, [[11, 21, 255]])
    truncated = (255 * np.clip(image / 255 + mean, 0, 1)).astype(np.uint8)
    np.testing.assert_array_equal(truncated, [[10, 20, 254]])  # what the old script did


def test_variance_zero_is_the_exact_shift():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (17, 13, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 9)
    for levels in (-255, -40, -1, 0, 1, 37, 255):
        mean = levels / 255
        expected = np.clip(image.astype(int) + levels, 0, 255)
        np.testing.assert_array_equal(apply_noise(image, mean, 0.0, field), expected)


@pytest.mark.parametrize(("half_levels", "offset"), [(0.5, 0), (1.5, 2), (2.5, 2), (-0.5, 0)])
def test_variance_zero_half_level_ties_go_to_even(half_levels, offset):
    mean = half_levels / 255
    assert 255.0 * mean == half_levels  # an exact tie in float64
    image = np.array([[0, 1, 2, 100]], dtype=np.uint8)
    noisy = apply_noise(image, mean, 0.0, np.zeros(image.shape, np.float32))
    np.testing.assert_array_equal(noisy, np.clip(image.astype(int) + offset, 0, 255))


# ------------------------------------------------------------ fields and determinism


def test_field_is_default_rng_standard_normal_float32():
    field = standard_normal_field((4, 5, 3), seed=42)
    expected = np.random.default_rng(42).standard_normal((4, 5, 3), dtype=np.float32)
    assert field.dtype == np.float32
    np.testing.assert_array_equal(field, expected)


def test_same_seed_gives_identical_bytes_and_other_seeds_differ():
    image = np.random.default_rng(0).integers(0, 256, (32, 24, 3), dtype=np.uint8)
    first = add_gaussian_noise(image, 0.0, 0.01, seed=7)
    again = add_gaussian_noise(image, 0.0, 0.01, seed=7)
    other = add_gaussian_noise(image, 0.0, 0.01, seed=8)
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()


def test_variance_change_rescales_the_same_field():
    image = np.full((40, 30, 3), 128, dtype=np.uint8)
    seed = 3
    z = np.random.default_rng(seed).standard_normal(image.shape, dtype=np.float32)
    for variance in (0.0001, 0.0004, 0.0025):
        noisy = add_gaussian_noise(image, 0.0, variance, seed)
        sigma_levels = 255 * math.sqrt(variance)
        expected = np.clip(128 + np.rint(sigma_levels * z.astype(np.float64)), 0, 255)
        np.testing.assert_array_equal(noisy, expected)
    # A larger variance moves every pixel away from 128 in the same direction.
    small = add_gaussian_noise(image, 0.0, 0.0004, seed).astype(int) - 128
    large = add_gaussian_noise(image, 0.0, 0.0025, seed).astype(int) - 128
    assert np.all(np.sign(small) * np.sign(large) >= 0)
    assert np.all(np.abs(large) >= np.abs(small))


def test_renderer_matches_one_shot_function_and_keeps_no_state_between_moves():
    image = np.random.default_rng(1).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 11)
    renderer = NoiseRenderer(image, field)
    moves = [(0.0, 0.01), (0.3, 0.2), (-0.5, 0.0), (0.0, 0.01)]
    results = [renderer.render(m, v) for m, v in moves]
    for (mean, variance), noisy in zip(moves, results, strict=True):
        np.testing.assert_array_equal(noisy, apply_noise(image, mean, variance, field))
    np.testing.assert_array_equal(results[0], results[-1])


def test_render_counts_match_per_channel_bincount():
    image = np.random.default_rng(2).integers(0, 256, (25, 19, 3), dtype=np.uint8)
    renderer = NoiseRenderer(image, standard_normal_field(image.shape, 4))
    noisy, counts = renderer.render(0.1, 0.05, counts=True)
    assert counts.shape == (3, 256)
    for channel in range(3):
        expected = np.bincount(noisy[..., channel].ravel(), minlength=256)
        np.testing.assert_array_equal(counts[channel], expected)


def test_renderer_is_safe_to_share_between_threads():
    image = np.random.default_rng(3).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 5)
    renderer = NoiseRenderer(image, field)
    params = [(0.01 * i, 0.002 * i) for i in range(12)]
    expected = [apply_noise(image, m, v, field) for m, v in params]
    got: dict[int, np.ndarray] = {}

    def work(index):
        got[index] = renderer.render(*params[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(params))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, noisy in enumerate(expected):
        np.testing.assert_array_equal(got[index], noisy)


# ------------------------------------------------------------------------ rounding


@pytest.mark.parametrize(
    ("mean", "variance"),
    [(0.0, 0.01), (0.05, 0.001), (-0.2, 0.3), (0.7, 1.0), (-1.0, 1.0), (0.3 / 255, 1e-9)],
)
def test_equals_float64_skimage_style_reference_on_a_large_image(mean, variance):
    image = np.random.default_rng(10).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 12)
    noisy = apply_noise(image, mean, variance, field)
    np.testing.assert_array_equal(noisy, skimage_style_reference(image, mean, variance, field))


def near_tie_field(spread, shift, count=4000):
    """z values whose float64 offset lies within float32 error of a half level."""
    halves = np.arange(-40, 41) + 0.5
    centres = ((halves - shift) / spread).astype(np.float32)
    steps = np.arange(-3, 4, dtype=np.float32)
    z = centres[:, None] + steps[None, :] * np.spacing(np.abs(centres))[:, None]
    z = z.ravel()
    return np.resize(z, count).astype(np.float32)


@pytest.mark.parametrize(("mean", "variance"), [(0.123, 0.0037), (-0.31, 0.2), (0.0, 0.77)])
def test_offsets_equal_float64_definition_even_next_to_half_levels(mean, variance):
    shift, spread = 255 * mean, 255 * math.sqrt(variance)
    field = near_tie_field(spread, shift)
    image = np.zeros(field.shape, dtype=np.uint8)
    offsets = NoiseRenderer(image, field).offsets(mean, variance)
    expected = reference_offsets(field, mean, variance)
    np.testing.assert_array_equal(offsets, expected)
    # The test bites: plain float32 arithmetic gets some of these pixels wrong.
    naive = np.rint(field * np.float32(spread) + np.float32(shift))
    assert np.any(np.clip(naive, -256, 256) != expected)


def test_half_level_mean_with_tiny_variance_takes_the_float64_path_everywhere():
    image = np.random.default_rng(4).integers(0, 256, (30, 30, 3), dtype=np.uint8)
    field = standard_normal_field(image.shape, 1)
    mean, variance = 0.5 / 255, 1e-20
    noisy = apply_noise(image, mean, variance, field)
    expected = np.clip(image + np.where(field > 0, 1, 0), 0, 255)
    np.testing.assert_array_equal(noisy, expected)


@settings(max_examples=60, deadline=None)
@given(
    image=hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=3, max_side=9)),
    mean=st.floats(-1.0, 1.0),
    variance=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_equals_reference_and_stays_in_range(image, mean, variance, seed):
    field = standard_normal_field(image.shape, seed)
    noisy = apply_noise(image, mean, variance, field)
    assert noisy.dtype == np.uint8 and noisy.shape == image.shape
    expected = np.clip(image + reference_offsets(field, mean, variance), 0, 255)
    np.testing.assert_array_equal(noisy, expected)


@settings(max_examples=40, deadline=None)
@given(
    image=hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=3, max_side=9)),
    mean=st.floats(-1.0, 1.0),
)
def test_property_variance_zero_is_a_shift(image, mean):
    noisy = add_gaussian_noise(image, mean, 0.0, seed=0)
    np.testing.assert_array_equal(noisy, np.clip(image + np.rint(255.0 * mean), 0, 255))


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "bad", [float("nan"), float("inf"), -float("inf"), 1.5, -1.01, "0.1", True]
)
def test_mean_out_of_range_names_parameter_value_and_range(bad):
    with pytest.raises(ValueError, match=r"mean must be a finite number in \[-1, 1\]") as info:
        validate_mean(bad)
    assert repr(bad) in str(info.value)
    image = np.zeros((2, 2), np.uint8)
    with pytest.raises(ValueError, match="mean"):
        add_gaussian_noise(image, bad, 0.01)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.001, 1.0001, None])
def test_variance_out_of_range(bad):
    with pytest.raises(ValueError, match=r"variance must be a finite number in \[0, 1\]") as info:
        validate_variance(bad)
    assert repr(bad) in str(info.value)
    with pytest.raises(ValueError, match="variance"):
        NoiseRenderer(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.float32)).render(0.0, bad)


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "3", True, None])
def test_seed_out_of_range(bad):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
        validate_seed(bad)
    with pytest.raises(ValueError, match="seed"):
        standard_normal_field((2, 2), bad)


def test_seed_accepts_numpy_integers_and_the_bounds():
    assert validate_seed(np.uint32(2**32 - 1)) == 2**32 - 1
    assert validate_seed(0) == 0
    assert validate_mean(np.float32(-1.0)) == -1.0
    assert validate_variance(1) == 1.0


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((2, 2), np.float64), "dtype uint8"),
        (np.zeros((0, 3), np.uint8), "at least one pixel"),
        ([[1, 2]], "numpy uint8 array"),
    ],
)
def test_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        add_gaussian_noise(image, 0.0, 0.01)


def test_bad_fields():
    image = np.zeros((2, 3), np.uint8)
    with pytest.raises(ValueError, match="float32"):
        apply_noise(image, 0.0, 0.01, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        apply_noise(image, 0.0, 0.01, np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="finite"):
        apply_noise(image, 0.0, 0.01, np.full((2, 3), np.nan, np.float32))
    with pytest.raises(ValueError, match="shape"):
        standard_normal_field((2, -1), 0)


def test_counts_need_a_channel_axis():
    renderer = NoiseRenderer(np.zeros((2, 3), np.uint8), np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        renderer.render(0.0, 0.01, counts=True)
