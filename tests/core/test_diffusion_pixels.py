"""The chunked per-pixel passes of a diffusion step against the whole-array functions."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.core import diffusion_pixels
from dashboard.core.diffusion import (
    channel_prior,
    denoiser_table,
    display_levels,
    forward_sample,
    posterior_mean,
    to_data_scale,
)
from dashboard.core.diffusion_pixels import denoise_channel, noisy_levels
from dashboard.core.noise import standard_normal_field


def image_and_noise(shape, seed=4, levels=(0, 256)):
    image = np.random.default_rng(seed).integers(*levels, size=shape, dtype=np.uint8)
    return image, standard_normal_field(shape, seed)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 37 values: several rows each, one long row each, a short last chunk."""
    monkeypatch.setattr(diffusion_pixels, "CHUNK_VALUES", 37)


@pytest.mark.parametrize("shape", [(23, 19, 3), (5, 50), (301,), (1, 1)])
@pytest.mark.parametrize("ab", [1.0, 0.97, 0.3, 0.0])
def test_noisy_levels_are_the_whole_array_formula_bit_for_bit(small_chunks, shape, ab):
    image, eps = image_and_noise(shape)
    expected = display_levels(forward_sample(to_data_scale(image), ab, eps))
    np.testing.assert_array_equal(noisy_levels(image, eps, ab), expected)


def test_noisy_levels_of_strided_views(small_chunks):
    image, eps = image_and_noise((30, 40, 3))
    view, noise = image[::2, 1::3], eps[::2, 1::3]
    expected = display_levels(forward_sample(to_data_scale(view), 0.4, noise))
    np.testing.assert_array_equal(noisy_levels(view, noise, 0.4), expected)


def test_noisy_levels_by_hand():
    # x_t = 0.6 x0 + 0.8 eps: level 255 (x0 = 1) with eps = -0.5 is 0.2 -> round(153) = 153;
    # level 0 with eps = 2 is 1.0 -> 255; level 0 with eps = -1 is -1.4, clipped to 0.
    image = np.array([255, 0, 0], dtype=np.uint8)
    eps = np.array([-0.5, 2.0, -1.0], dtype=np.float32)
    assert noisy_levels(image, eps, 0.36).tolist() == [153, 255, 0]


def exact_levels_and_mse(image, eps, pmf, ab):
    x0 = to_data_scale(image)
    mean = posterior_mean(forward_sample(x0, ab, eps), pmf, ab)
    return mean, display_levels(mean), float(np.mean((mean - x0) ** 2))


def pmf_of(image):
    return np.bincount(image.ravel(), minlength=256) / image.size


@pytest.mark.parametrize("ab", [0.999, 0.9, 0.5, 0.02])
def test_denoised_channel_is_the_exact_denoiser_within_the_tolerance(small_chunks, ab):
    image, eps = image_and_noise((60, 70), levels=(40, 200))
    pmf = pmf_of(image)
    tolerance = 1e-9
    mean, levels, mse = exact_levels_and_mse(image, eps, pmf, ab)
    result = denoise_channel(image, eps, pmf, ab, tolerance)
    # A level may differ only where the exact mean is within the tolerance of a rounding edge.
    scaled = 255 * (mean + 1) / 2
    near_edge = np.abs(scaled - np.floor(scaled) - 0.5) <= 255 / 2 * tolerance
    assert np.array_equal(result.levels[~near_edge], levels[~near_edge])
    assert np.abs(result.levels.astype(int) - levels).max() <= 1
    # Mean square of errors each within the tolerance: off by at most 2 e sqrt(mse) + e^2.
    assert abs(result.mse - mse) <= 2 * tolerance * np.sqrt(mse) + tolerance**2
    assert mse > 1e-4


def test_denoised_levels_at_black_and_white_need_no_clipping(small_chunks):
    # Levels 0 and 255 with a little noise: means at (or an ulp beyond) -1 and 1 must give
    # levels 0 and 255 exactly, through the table (not the exact fallback).
    image = np.random.default_rng(5).choice([0, 1, 254, 255], size=(200, 300)).astype(np.uint8)
    eps = standard_normal_field(image.shape, 6)
    pmf = pmf_of(image)
    atoms, weights, ab = channel_prior(pmf, 0.9)
    a, s = np.sqrt(ab), np.sqrt(1 - ab)  # the range denoise_channel tabulates over
    low, high = a * atoms[0] + s * eps.min(), a * atoms[-1] + s * eps.max()
    assert denoiser_table(atoms, weights, ab, low, high, 1e-9, image.size // 4) is not None
    mean, levels, _ = exact_levels_and_mse(image, eps, pmf, 0.9)
    result = denoise_channel(image, eps, pmf, 0.9)
    scaled = 255 * (mean + 1) / 2
    near_edge = np.abs(scaled - np.floor(scaled) - 0.5) <= 255 / 2 * 1e-9
    assert np.array_equal(result.levels[~near_edge], levels[~near_edge])
    assert {0, 255} <= set(np.unique(result.levels).tolist())


@pytest.mark.parametrize("ab", [1.0, 0.0])
def test_denoised_channel_at_the_ends_is_exact(ab):
    image, eps = image_and_noise((20, 30))
    pmf = pmf_of(image)
    _, levels, mse = exact_levels_and_mse(image, eps, pmf, ab)
    result = denoise_channel(image, eps, pmf, ab)
    np.testing.assert_array_equal(result.levels, levels)
    assert result.mse == pytest.approx(mse, rel=1e-12, abs=1e-30)
    if ab == 0.0:  # pure noise: the best guess is the prior mean, its error the variance
        assert result.mse == pytest.approx(float(to_data_scale(image).var()), rel=1e-12)


def test_denoised_channel_of_one_level_is_that_level():
    # One occupied level: the posterior is certain at any step, the error is zero.
    image = np.full((40, 40), 77, dtype=np.uint8)
    eps = standard_normal_field(image.shape, 3)
    result = denoise_channel(image, eps, pmf_of(image), 0.2)
    assert np.all(result.levels == 77)
    assert result.mse == pytest.approx(0.0, abs=1e-24)


def test_denoised_channel_writes_into_a_strided_view(small_chunks):
    image, eps = image_and_noise((25, 30, 3))
    out = np.zeros(image.shape, dtype=np.uint8)
    for c in range(3):
        pmf = pmf_of(image[..., c])
        result = denoise_channel(image[..., c], eps[..., c], pmf, 0.6, eps_range=(
            float(eps[..., c].min()), float(eps[..., c].max())), out=out[..., c])
        assert result.levels is out[..., c] or np.shares_memory(result.levels, out)
        np.testing.assert_array_equal(out[..., c], denoise_channel(
            image[..., c], eps[..., c], pmf, 0.6).levels)


def test_bad_input_is_refused_with_the_reason():
    image, eps = image_and_noise((8, 8))
    pmf = pmf_of(image)
    with pytest.raises(ValueError, match="uint8"):
        denoise_channel(image.astype(float), eps, pmf, 0.5)
    with pytest.raises(ValueError, match="shape of levels"):
        denoise_channel(image, eps[:4], pmf, 0.5)
    with pytest.raises(ValueError, match="out must be a uint8 array"):
        denoise_channel(image, eps, pmf, 0.5, out=np.zeros((8, 8)))
    with pytest.raises(ValueError, match="tolerance"):
        denoise_channel(image, eps, pmf, 0.5, tolerance=0.0)
    with pytest.raises(ValueError, match="alpha_bar"):
        noisy_levels(image, eps, 1.5)
