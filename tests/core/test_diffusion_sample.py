"""x_t's moments and histogram at any step from per-seed sums and sorted noise, against the
same statistics computed pixel by pixel."""

import math

import numpy as np
import pytest

from dashboard.core.diffusion import correlation_sample, forward_sample, to_data_scale
from dashboard.core.diffusion_sample import (
    correlation_from_covariance,
    noise_moments,
    sample_histogram,
    sample_moments,
    search_keys,
    sorted_noise,
)
from dashboard.core.noise import standard_normal_field


def _painting_like(seed: int, shape=(48, 64)) -> np.ndarray:
    """Correlated channels with clumped levels, like a painting's."""
    rng = np.random.default_rng(seed)
    base = rng.integers(40, 200, size=shape)
    image = np.stack([base, base // 2 + rng.integers(0, 30, size=shape),
                      rng.choice([0, 17, 255], size=shape)], axis=-1)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("ab", [1.0, 0.999, 0.5, 0.01, 0.0])
@pytest.mark.parametrize("seed", [0, 7])
def test_moments_equal_those_of_x_t_pixel_by_pixel(ab, seed):
    image = _painting_like(seed)
    eps = standard_normal_field(image.shape, seed)
    x_t = forward_sample(to_data_scale(image), ab, eps).reshape(-1, 3)
    mean, cov = sample_moments(noise_moments(image, eps), ab)
    np.testing.assert_allclose(mean, x_t.mean(axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cov, np.cov(x_t, rowvar=False, bias=True), rtol=0, atol=1e-12)
    if ab < 1.0:
        np.testing.assert_allclose(correlation_from_covariance(cov), correlation_sample(x_t),
                                   rtol=0, atol=1e-11)


def test_moments_by_hand():
    # One channel, two pixels: x_0 = -1 and 1, eps = 2 and 0; at ab = 0.5 (a = s = 1/sqrt 2)
    # x_t = (-1 + 2) / sqrt 2 and 1 / sqrt 2: mean 1/sqrt 2, variance 0.
    image = np.array([[[0], [255]]], dtype=np.uint8)
    eps = np.array([[[2.0], [0.0]]])
    mean, cov = sample_moments(noise_moments(image, eps), 0.5)
    assert mean[0] == pytest.approx(1 / math.sqrt(2), abs=1e-15)
    assert cov[0, 0] == pytest.approx(0.0, abs=1e-15)


def test_a_constant_channel_has_no_correlation_at_step_zero():
    image = _painting_like(3)
    image[..., 1] = 77
    eps = standard_normal_field(image.shape, 3)
    _, cov = sample_moments(noise_moments(image, eps), 1.0)
    assert cov[1, 1] == 0.0
    rho = correlation_from_covariance(cov)
    assert np.isnan(rho[0, 1]) and np.isnan(rho[1, 2]) and np.isfinite(rho[0, 2])


@pytest.mark.parametrize("ab", [0.9999, 0.7, 0.05, 1e-6, 0.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_histogram_equals_numpy_on_x_t(ab, seed):
    image = _painting_like(seed, shape=(96, 128))
    eps = standard_normal_field(image.shape, seed)
    x_t = forward_sample(to_data_scale(image), ab, eps).reshape(-1, 3)
    reach = math.sqrt(ab) + 4.5 * math.sqrt(1 - ab)
    edges = np.linspace(-reach, reach, 161)
    counts = sample_histogram(sorted_noise(image, eps), ab, edges)
    for c in range(3):
        expected, _ = np.histogram(x_t[:, c], bins=160, range=(-reach, reach))
        np.testing.assert_array_equal(counts[c], expected)
    # Far tails are outside the range, nothing else is lost.
    outside = ((x_t < -reach) | (x_t > reach)).sum(axis=0)
    np.testing.assert_array_equal(counts.sum(axis=1) + outside, [x_t.shape[0]] * 3)


def test_histogram_counts_the_last_edge_and_not_beyond():
    image = np.array([[[0], [0], [255], [255]]], dtype=np.uint8)
    eps = np.array([[[0.0], [1.0], [0.0], [3.0]]])
    # ab = 0.36: a = 0.6, s = 0.8; x_t = -0.6, 0.2, 0.6, 3.0.
    counts = sample_histogram(sorted_noise(image, eps), 0.36, np.array([-0.6, 0.2, 0.6]))
    assert counts.tolist() == [[1, 2]]          # -0.6 in the first; 0.2 and 0.6 (last edge)


@pytest.mark.parametrize("noise_dtype", [np.float64, np.float32])
def test_histogram_counts_the_last_edge_in_either_noise_dtype(noise_dtype):
    image = np.array([[[0], [0], [255], [255]]], dtype=np.uint8)
    eps = np.array([[[0.0], [1.0], [0.0], [3.0]]], dtype=noise_dtype)
    counts = sample_histogram(sorted_noise(image, eps), 0.36, np.array([-0.6, 0.2, 0.6]))
    assert counts.tolist() == [[1, 2]]


def test_search_keys_split_values_as_the_float64_thresholds_do():
    rng = np.random.default_rng(5)
    values = np.sort(np.concatenate([
        rng.standard_normal(2000).astype(np.float32),
        np.array([0.0, 0.7, -0.7, 1.0, 3.4e38, -3.4e38], dtype=np.float32)]))
    wide = values.astype(np.float64)
    up = np.nextafter(values, np.float32(np.inf)).astype(np.float64)
    thresholds = np.concatenate([
        wide[::7],                      # exactly a float32 value
        (wide[::7] + up[::7]) / 2,      # strictly between two neighbouring float32 values
        np.nextafter(wide[::11], np.inf), np.nextafter(wide[::11], -np.inf),
        [0.7, -0.7, 0.1, 1e39, -1e39, 0.0]])   # 0.7f < 0.7 < 0.1f; beyond float32's range
    keys = search_keys(thresholds, np.dtype(np.float32))
    assert keys.dtype == np.float32
    expected = (wide[:, None] < thresholds[None, :]).sum(axis=0)
    np.testing.assert_array_equal(values.searchsorted(keys), expected)
    np.testing.assert_array_equal(wide.searchsorted(thresholds), expected)
    np.testing.assert_array_equal(search_keys(thresholds, np.dtype(np.float64)), thresholds)


def test_sorted_noise_keeps_the_field_dtype_and_groups_levels():
    image = np.array([[[3], [1], [3], [1]]], dtype=np.uint8)
    eps = np.array([[[0.5], [0.25], [-1.0], [2.0]]], dtype=np.float32)
    noise = sorted_noise(image, eps)
    assert noise.values.dtype == np.float32 and noise.pixels == 4
    assert noise.values[0].tolist() == [0.25, 2.0, -1.0, 0.5]
    assert noise.starts[0, :5].tolist() == [0, 0, 2, 2, 4]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: noise_moments(np.zeros((2, 2), np.uint8), np.zeros((2, 2))), "shape"),
    (lambda: noise_moments(np.zeros((1, 2, 3), np.uint8), np.zeros((1, 2, 2))), "eps must"),
    (lambda: sorted_noise(np.zeros((1, 2, 3), np.uint8), np.zeros((1, 2, 3), int)), "floating"),
    (lambda: sample_histogram(sorted_noise(np.zeros((1, 1, 1), np.uint8), np.zeros((1, 1, 1))),
                              1.0, np.array([0.0, 1.0])), "below 1"),
    (lambda: sample_histogram(sorted_noise(np.zeros((1, 1, 1), np.uint8), np.zeros((1, 1, 1))),
                              0.5, np.array([1.0, 0.0])), "increasing"),
])
def test_bad_input_is_refused_with_a_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
