"""The 3D colour prior's denoiser against a brute-force posterior; the structure-free sample."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.core.diffusion import diffuse, posterior_mean_image, to_data_scale
from dashboard.core.diffusion_colour import (
    ColourPrior,
    colour_posterior_mean,
    colour_prior,
    structure_free_sample,
)


def brute_force_colour_posterior(x, prior, ab):
    """Posterior mean of one pixel, atom by atom, in plain Python floats."""
    a, s2 = math.sqrt(ab), 1 - ab
    logs = [
        math.log(p) - sum((xi - a * ci) ** 2 for xi, ci in zip(x, c, strict=True)) / (2 * s2)
        for p, c in zip(prior.weights, prior.colours, strict=True)
    ]
    top = max(logs)
    w = [math.exp(v - top) for v in logs]
    total = math.fsum(w)
    return [
        math.fsum(wi * c[k] for wi, c in zip(w, prior.colours, strict=True)) / total
        for k in range(3)
    ]


def tiny_image():
    rng = np.random.default_rng(0)
    palette = np.array([[10, 20, 30], [12, 22, 33], [200, 40, 40], [90, 180, 250]], np.uint8)
    return palette[rng.integers(0, 4, size=(5, 6))]


def test_prior_atoms_are_bin_means_weighted_by_share():
    image = np.array([[[0, 0, 0], [6, 2, 4], [255, 255, 255], [255, 255, 255]]], np.uint8)
    prior = colour_prior(image, bins=16)
    # [0, 0, 0] and [6, 2, 4] share the first bin (levels 0..15 on every axis).
    np.testing.assert_allclose(
        prior.colours, to_data_scale(np.array([[3, 1, 2], [255, 255, 255]], np.uint8)), atol=1e-15
    )
    np.testing.assert_allclose(prior.weights, [0.5, 0.5])
    assert (prior.size, prior.bins) == (2, 16)
    np.testing.assert_allclose(prior.mean, prior.weights @ prior.colours)


@pytest.mark.parametrize("ab", [0.99999, 0.999, 0.9, 0.3, 0.01])
def test_denoiser_against_brute_force(ab):
    image = tiny_image()
    prior = colour_prior(image, bins=32)
    x_t = diffuse(image, ab, seed=3)
    result = colour_posterior_mean(x_t, prior, ab)
    expected = np.array(
        [brute_force_colour_posterior(x, prior, ab) for x in x_t.reshape(-1, 3)]
    ).reshape(x_t.shape)
    assert result.shape == x_t.shape and result.dtype == np.float64
    # float32 weights from a noise variance of 1e-4 up; float64 below.
    tolerance = 1e-12 if 1 - ab < 0.99e-4 else 1e-4
    np.testing.assert_allclose(result, expected, atol=tolerance)


def test_denoiser_at_the_ends():
    image = tiny_image()
    prior = colour_prior(image, bins=32)
    x = np.array([[0.9, 0.9, 0.9], [-0.93, -0.85, -0.8]])
    np.testing.assert_allclose(colour_posterior_mean(x, prior, 0.0), [prior.mean] * 2)
    nearest = prior.colours[
        np.argmin(((x[:, None, :] - prior.colours[None]) ** 2).sum(-1), axis=1)
    ]
    np.testing.assert_array_equal(colour_posterior_mean(x, prior, 1.0), nearest)


def test_far_from_every_colour_the_denoiser_stays_finite():
    prior = colour_prior(tiny_image(), bins=32)
    x = np.array([[50.0, -50.0, 3.0], [1e4, 1e4, 1e4]])
    for ab in [0.99999, 0.9]:
        assert np.isfinite(colour_posterior_mean(x, prior, ab)).all()


def test_colour_prior_beats_the_channels_when_they_move_together():
    """Grey levels (R = G = B): the 3D prior knows the channels are equal, the per-channel
    priors do not, so its error is lower once noise is strong."""
    rng = np.random.default_rng(1)
    grey = rng.choice(np.array([20, 100, 130, 220], np.uint8), size=(120, 120))
    image = np.repeat(grey[..., None], 3, axis=-1)
    x0 = to_data_scale(image)
    prior = colour_prior(image, bins=32)
    pmfs = np.stack([np.bincount(image[..., c].ravel(), minlength=256) for c in range(3)])
    pmfs = pmfs / grey.size
    for ab in [0.7, 0.2]:
        x_t = diffuse(image, ab, seed=2)
        mse_colour = np.mean((colour_posterior_mean(x_t, prior, ab) - x0) ** 2)
        mse_channels = np.mean((posterior_mean_image(x_t, pmfs, ab) - x0) ** 2)
        assert mse_colour < 0.9 * mse_channels


def test_structure_free_sample_has_the_images_colours_and_no_structure():
    rng = np.random.default_rng(2)
    image = np.zeros((80, 100, 3), np.uint8)
    image[:40] = [200, 30, 30]  # top half red, bottom half blue
    image[40:] = [20, 40, 220]
    image[rng.random((80, 100)) < 0.1] = [250, 250, 0]
    sample = structure_free_sample(image, seed=5)
    assert sample.shape == image.shape and sample.dtype == np.uint8
    np.testing.assert_array_equal(sample, structure_free_sample(image, seed=5))
    assert not np.array_equal(sample, structure_free_sample(image, seed=6))
    colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    drawn, drawn_counts = np.unique(sample.reshape(-1, 3), axis=0, return_counts=True)
    np.testing.assert_array_equal(drawn, colours)
    # Multinomial shares: within 5 standard deviations of the image's.
    n = image.shape[0] * image.shape[1]
    share = counts / n
    assert (np.abs(drawn_counts / n - share) <= 5 * np.sqrt(share * (1 - share) / n)).all()
    # No structure: the top half is no longer mostly red.
    top_red = np.all(sample[:40] == [200, 30, 30], axis=-1).mean()
    assert top_red == pytest.approx(share[np.all(colours == [200, 30, 30], axis=1)][0], abs=0.05)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: colour_prior(np.zeros((2, 2), np.uint8)), "image"),
        (lambda: colour_prior(tiny_image(), bins=7), "bins"),
        (lambda: colour_prior(tiny_image(), bins=16.0), "bins"),
        (lambda: colour_posterior_mean(np.zeros((2, 3)), "prior", 0.5), "prior"),
        (lambda: colour_posterior_mean(np.zeros((2, 2)), colour_prior(tiny_image()), 0.5), "x_t"),
        (
            lambda: colour_posterior_mean(np.full((1, 3), np.nan), colour_prior(tiny_image()), 0.5),
            "x_t",
        ),
        (lambda: colour_posterior_mean(np.zeros((1, 3)), colour_prior(tiny_image()), 2), "alpha"),
        (lambda: structure_free_sample(tiny_image(), seed=-1), "seed"),
        (lambda: structure_free_sample(np.zeros(3, np.uint8), seed=1), "image"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        call()


def test_prior_is_a_plain_value():
    prior = colour_prior(tiny_image(), bins=8)
    assert isinstance(prior, ColourPrior)
    assert prior.weights.sum() == pytest.approx(1.0, abs=1e-15)
