"""The diffusion page's services give exactly what the numeric core gives for the same image,
schedule, step, seed and prior, and cache it under small keys."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dashboard.app import create_app
from dashboard.core import diffusion, diffusion_colour
from dashboard.core.corpus_stats import equal_weight_mean
from dashboard.core.diffusion_schedules import alpha_bar
from dashboard.core.distributions import channel_pmfs
from dashboard.data.files import encode_jpeg
from dashboard.diffusion import services
from dashboard.diffusion.state import DiffusionState
from dashboard.server import context

STEPS = 100
PROCESS = ("linear", STEPS, False)


@pytest.fixture
def tiny_context(tiny_corpus):
    """An app on the tiny generated corpus (three small paintings), in its app context."""
    app = create_app(tiny_corpus.settings)
    with app.server.app_context():
        yield app


def pixels(source: str) -> np.ndarray:
    return context.store().rgb(source)


def expected_x_t(source: str, t: int, seed: int, process=PROCESS) -> np.ndarray:
    return diffusion.diffuse(pixels(source), alpha_bar(*process)[t], seed)


def test_information_curves_are_the_cores_over_every_step(tiny_context):
    source = "red-field-1884"
    result = services.information(source, *PROCESS, "painting")
    expected = diffusion.information_curves(channel_pmfs(pixels(source)), alpha_bar(*PROCESS))
    np.testing.assert_array_equal(result["alpha_bar"], alpha_bar(*PROCESS))
    for name in ("kl_nats", "mutual_information_bits", "mse_expected"):
        assert result[name].shape == (3, STEPS + 1)
        np.testing.assert_array_equal(result[name], getattr(expected, name))


def test_correlation_theory_over_every_step(tiny_context):
    source = "green-street-1887"
    theory = services.correlation(source, "cosine", STEPS, True)
    matrices = diffusion.correlation_theory(diffusion.channel_covariance(pixels(source)),
                                            alpha_bar("cosine", STEPS, True))
    assert theory.shape == (3, STEPS + 1)
    np.testing.assert_array_equal(theory[0], matrices[:, 0, 1])  # red-green
    np.testing.assert_array_equal(theory[1], matrices[:, 0, 2])  # red-blue
    np.testing.assert_array_equal(theory[2], matrices[:, 1, 2])  # green-blue


@pytest.mark.parametrize("t", [1, 30, STEPS])
def test_step_view_is_the_cores_x_t_and_theory(tiny_context, t):
    source, seed = "blue-night-1888", 11
    view = services.step_view(source, *PROCESS, t, seed)
    ab = alpha_bar(*PROCESS)[t]
    x_t = expected_x_t(source, t, seed)
    pmfs = channel_pmfs(pixels(source))
    assert view["alpha_bar"] == ab
    marginal = view["marginal"]
    edges = marginal["bin_edges"]
    width = edges[1] - edges[0]
    for c in range(3):
        counts, _ = np.histogram(x_t[..., c], bins=edges)
        np.testing.assert_allclose(marginal["density_sample"][c],
                                   counts / (x_t[..., c].size * width), rtol=1e-12)
        np.testing.assert_allclose(marginal["density_theory"][c],
                                   diffusion.marginal_density(marginal["x"], pmfs[c], ab),
                                   rtol=1e-12)
        mean, variance = diffusion.marginal_moments(pmfs[c], ab)
        assert view["mean_theory"][c] == pytest.approx(mean, abs=1e-15)
        assert view["variance_theory"][c] == pytest.approx(variance, abs=1e-15)
    # The grid spans sqrt(ab) [-1, 1] widened by 4.5 noise deviations, finely enough for p_t.
    reach = np.sqrt(ab) + 4.5 * np.sqrt(1 - ab)
    assert (marginal["x"][0], marginal["x"][-1]) == pytest.approx((-reach, reach))
    assert np.diff(marginal["x"]).max() <= np.sqrt(1 - ab) / 3 + 1e-12
    np.testing.assert_allclose(marginal["standard_normal"],
                               np.exp(-marginal["x"] ** 2 / 2) / np.sqrt(2 * np.pi))
    flat = x_t.reshape(-1, 3)
    np.testing.assert_allclose(view["mean_sample"], flat.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(view["variance_sample"], flat.var(axis=0), rtol=1e-12)
    sample = diffusion.correlation_sample(x_t)
    np.testing.assert_allclose(view["correlation_sample"],
                               [sample[0, 1], sample[0, 2], sample[1, 2]], rtol=1e-12)


def test_at_step_zero_x_t_is_the_image_and_its_histogram_its_levels(tiny_context):
    source = "red-field-1884"
    view = services.step_view(source, *PROCESS, 0, 3)
    pmfs = channel_pmfs(pixels(source))
    marginal = view["marginal"]
    # One bin per level, centred on it: the histogram is the PMF per bin width, exactly.
    np.testing.assert_allclose(marginal["bin_edges"][:-1] + 1 / 255,
                               diffusion.to_data_scale(np.arange(256, dtype=np.uint8)))
    np.testing.assert_allclose(marginal["density_sample"] * 2 / 255, pmfs, atol=1e-15)
    np.testing.assert_allclose(marginal["density_theory"] * 2 / 255, pmfs, atol=1e-15)
    # The denoiser returns each pixel's own level (up to the last bit of the level's value).
    np.testing.assert_allclose(services.denoiser_errors(source, *PROCESS, "painting", 0, 3), 0,
                               atol=1e-30)


def test_zero_terminal_snr_ends_in_pure_noise(tiny_context):
    source = "green-street-1887"
    process = ("scaled-linear", STEPS, True)
    view = services.step_view(source, *process, STEPS, 5)
    assert view["alpha_bar"] == 0.0
    np.testing.assert_allclose(view["marginal"]["density_theory"],
                               np.broadcast_to(view["marginal"]["standard_normal"], (3, 201)))
    assert view["mean_theory"].tolist() == [0, 0, 0]
    assert view["variance_theory"].tolist() == [1, 1, 1]
    # The best guess from pure noise is the prior mean: its error is the prior's variance.
    errors = services.denoiser_errors(source, *process, "painting", STEPS, 5)
    x0 = diffusion.to_data_scale(pixels(source)).reshape(-1, 3)
    np.testing.assert_allclose(errors, x0.var(axis=0), rtol=1e-9)


def test_denoiser_errors_are_measured_against_the_exact_denoiser(tiny_context):
    source, t, seed = "blue-night-1888", 40, 2
    ab = alpha_bar(*PROCESS)[t]
    x0 = diffusion.to_data_scale(pixels(source))
    exact = diffusion.posterior_mean_image(expected_x_t(source, t, seed),
                                           channel_pmfs(pixels(source)), ab)
    mse = ((exact - x0) ** 2).reshape(-1, 3).mean(axis=0)
    errors = services.denoiser_errors(source, *PROCESS, "painting", t, seed)
    # Each pixel's mean is within the tolerance e of the exact one, so the mean square of the
    # errors moves by at most 2 e sqrt(mse) + e^2 (by Cauchy-Schwarz).
    e = services.DENOISER_TOLERANCE
    assert np.all(np.abs(errors - mse) <= 2 * e * np.sqrt(mse) + e * e)
    assert np.all(mse > 1e-3)  # a step where the bound is a statement about real errors


def test_the_artist_prior_pools_every_painting_with_equal_weights(tiny_context, tiny_corpus):
    assert services.artist_prior_offered()
    key = services.prior_key("artist")
    assert key.startswith("artist:") and key == services.prior_key("artist")
    pooled = services.artist_prior()
    assert pooled.paintings == len(tiny_corpus.present_ids) == 3
    expected = equal_weight_mean(np.stack([channel_pmfs(pixels(i))
                                           for i in tiny_corpus.present_ids]))
    np.testing.assert_allclose(services.prior_pmfs("red-field-1884", key), expected, atol=1e-15)
    # The denoiser's expected error is then that of the pooled levels; the theory of x_t
    # (KL, information) stays the painting's own, which the sample is drawn from.
    result = services.information("red-field-1884", *PROCESS, key)
    curves = diffusion.information_curves(expected, alpha_bar(*PROCESS))
    np.testing.assert_allclose(result["mse_expected"], curves.mse_expected, rtol=1e-12)
    painting = services.information("red-field-1884", *PROCESS, "painting")
    assert not np.allclose(result["mse_expected"], painting["mse_expected"])
    own = diffusion.information_curves(channel_pmfs(pixels("red-field-1884")),
                                       alpha_bar(*PROCESS))
    for name in ("kl_nats", "mutual_information_bits"):
        np.testing.assert_array_equal(result[name], painting[name])
        np.testing.assert_allclose(result[name], getattr(own, name), rtol=1e-12)
    assert not np.allclose(curves.mutual_information_bits[:, 1:],
                           own.mutual_information_bits[:, 1:])  # the pooled theory differs


def test_without_the_corpus_the_artist_prior_is_not_offered(app_context):
    assert not services.artist_prior_offered()
    assert services.artist_prior() is None
    assert services.prior_key("painting") == "painting"
    with pytest.raises(services.PriorUnavailableError, match="corpus"):
        services.prior_key("artist")
    with pytest.raises(ValueError, match="prior must be"):
        services.prior_key("everyone")


def test_colour_denoiser_errors_are_the_cores(tiny_context):
    source, t, seed = "red-field-1884", 20, 4
    ab = alpha_bar(*PROCESS)[t]
    prior = diffusion_colour.colour_prior(pixels(source), bins=16)
    denoised = diffusion_colour.colour_posterior_mean(expected_x_t(source, t, seed), prior, ab)
    mse = ((denoised - diffusion.to_data_scale(pixels(source))) ** 2).reshape(-1, 3).mean(axis=0)
    result = services.colour_denoiser_errors(source, *PROCESS, t, seed)
    np.testing.assert_allclose(result["mse_sample"], mse, rtol=1e-12)
    assert result["mse_mean"] == pytest.approx(mse.mean())
    assert (result["atoms"], result["bins"]) == (prior.size, 16)


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(float)


def picture_levels(state: DiffusionState) -> dict[str, np.ndarray]:
    """The levels each picture of ``state`` shows, from the core's functions."""
    source, t, seed = state.source, state.t, state.seed
    ab = alpha_bar(*PROCESS)[t]
    x_t = expected_x_t(source, t, seed)
    denoised = diffusion.posterior_mean_image(x_t, channel_pmfs(pixels(source)), ab, 1e-9)
    return {
        "x0": pixels(source),
        "xt": diffusion.display_levels(x_t),
        "denoised": diffusion.display_levels(denoised),
        "structure-free": diffusion_colour.structure_free_sample(pixels(source), seed),
    }


PICTURE_STATE = DiffusionState("green-street-1887", schedule="linear", steps=STEPS, t=25, seed=9)


def test_pictures_show_the_arrays_mapped_to_levels(tiny_context):
    for kind, levels in picture_levels(PICTURE_STATE).items():
        data = services.picture_jpeg(kind, PICTURE_STATE)
        assert data == encode_jpeg(levels, quality=services.JPEG_QUALITY), kind
        assert decoded(data).shape == levels.shape
    with pytest.raises(ValueError, match="picture must be one of"):
        services.picture_jpeg("noisy", PICTURE_STATE)


def test_screen_pictures_keep_every_kth_pixel_of_the_full_ones(tiny_context, monkeypatch):
    shape = pixels(PICTURE_STATE.source).shape
    # A picture column of 5 pixels: every k-th pixel with k = long side // 5.
    monkeypatch.setattr(services, "SCREEN_MIN_SIDE", 5)
    k = max(shape[:2]) // 5
    assert k >= 2 and services.screen_stride(shape) == k
    for kind, levels in picture_levels(PICTURE_STATE).items():
        screen = services.picture_jpeg(kind, PICTURE_STATE, "screen")
        assert screen == encode_jpeg(np.ascontiguousarray(levels[::k, ::k]),
                                     quality=services.JPEG_QUALITY), kind
        assert decoded(screen).shape == levels[::k, ::k].shape
    with pytest.raises(ValueError, match="size must be one of"):
        services.picture_jpeg("xt", PICTURE_STATE, "huge")


def test_screen_stride_keeps_the_long_side_at_the_screen_size():
    side = services.SCREEN_MIN_SIDE
    assert services.screen_stride((300, 200, 3)) == 1
    assert services.screen_stride((2 * side - 1, 10, 3)) == 1
    assert services.screen_stride((811, 1024, 3)) == 1024 // side
    assert services.screen_stride((10, 3 * side, 3)) == 3


def test_results_are_cached_under_their_small_keys(tiny_context, monkeypatch):
    source = "red-field-1884"
    first = services.step_view(source, *PROCESS, 10, 1)
    calls = []
    real = services.diffusion_sample.sample_moments
    monkeypatch.setattr(services.diffusion_sample, "sample_moments",
                        lambda moments, ab: calls.append(ab) or real(moments, ab))
    again = services.step_view(source, *PROCESS, 10, 1)
    assert calls == []
    np.testing.assert_array_equal(again["correlation_sample"], first["correlation_sample"])
    services.step_view(source, *PROCESS, 11, 1)
    assert len(calls) == 1


def test_keys_of_a_state(tiny_context):
    state = DiffusionState("red-field-1884", "cosine", 50, 10, True, 3, "painting")
    assert services.keys_of(state) == ("red-field-1884", "cosine", 50, True, "painting")
    assert services.alpha_bar_at("cosine", 50, True, 50) == 0.0
    curves = services.schedules(50, True)
    assert set(curves) == {"alpha_bar", "log_snr", "beta"}
    assert all(len(curves["beta"][name]) == 50 for name in curves["beta"])
