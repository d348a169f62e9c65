"""The statistics in words: goodness of fit against what chance gives at this size, mutual
information against independent channels, and the noise model stated exactly."""

from __future__ import annotations

import math

from skimage import data as skdata

from dashboard.core.distributions import NoiseAnalyser, goodness_of_fit, noisy_pmf_theory
from dashboard.explorer import callbacks as cb
from dashboard.explorer import services
from dashboard.explorer.state import ViewState
from dashboard.explorer.summaries import (
    fit_summary_slots,
    fit_summary_texts,
    joint_summary,
    noise_model_words,
)
from tests.support.apps import SAMPLE


def _fit(**values) -> dict:
    fit = {"total_variation": 0.011, "total_variation_chance_mean": 0.0115,
           "total_variation_chance_low": 0.0104, "total_variation_chance_high": 0.0127,
           "total_variation_chance_method": "normal approximation", "kolmogorov": 0.001,
           "chi_square": 217.2, "chi_square_null_mean": 252.5, "chi_square_null_std": 22.4,
           "degrees_of_freedom": 255, "p_value": 0.948, "p_value_iid": 0.96, "groups": 256,
           "count": 262144}
    return {**fit, **values}


def test_a_fit_within_the_chance_range_is_as_close_as_chance_allows():
    _, line, *_ = fit_summary_texts({c: _fit() for c in ("red", "green", "blue")}, (512, 512))
    assert "differ on 1.10% of the pixels' probability mass" in line
    assert "chance alone at this size gives 1.15% on average (95% range 1.04%–1.27%)" in line
    assert "as close to the theory as chance alone at this size allows" in line
    assert "Chi-square 217.2 over 256 pooled groups of levels" in line
    assert "(chance alone gives 252.5 ± 22.4), p = 0.948" in line


def test_a_fit_beyond_the_chance_range_says_so_without_cut_offs():
    far = _fit(total_variation=0.0131, p_value=1e-4)
    line = fit_summary_texts({c: far for c in ("red", "green", "blue")}, (512, 512))[1]
    assert "further from the theory than chance at this size would put it" in line
    assert "p = 0.0001" in line


def test_a_distance_just_above_the_range_reads_above_it():
    edge = _fit(total_variation=0.006509, total_variation_chance_mean=0.0059,
                total_variation_chance_low=0.0053, total_variation_chance_high=0.006502)
    line = fit_summary_texts({c: edge for c in ("red", "green", "blue")}, (811, 1024))[1]
    assert "differ on 0.651% of" in line and "(95% range 0.530%–0.650%)" in line
    assert "further from the theory than chance at this size would put it" in line


def test_no_noise_leaves_nothing_to_chance():
    exact = _fit(total_variation=0.0, total_variation_chance_mean=0.0,
                 total_variation_chance_low=0.0, total_variation_chance_high=0.0,
                 chi_square=0.0, p_value=math.nan)
    line = fit_summary_texts({c: exact for c in ("red", "green", "blue")}, (4, 4))[1]
    assert "nothing is left to chance, and the noisy image is exactly the theory" in line
    assert "Chi-square test: n/a (nothing is random to test)" in line
    tiny = _fit(groups=1, p_value=math.nan)
    assert "too few pixels to pool" in fit_summary_texts({c: tiny for c in
                                                          ("red", "green", "blue")}, (1, 1))[2]


def test_a_high_p_value_is_no_evidence_against_the_theory_not_chance_alone():
    note = str(fit_summary_slots())
    assert "no evidence against the theory" in note
    assert "what chance alone would give" not in note


def test_the_screen_fit_is_the_engine_fit_under_the_exact_model(app_context):
    data = services.goodness_of_fit(SAMPLE, 0.0, 1e-4, 3)
    analyser = NoiseAnalyser(skdata.astronaut(), seed=3)
    result = analyser.move(0.0, 1e-4)
    expected = analyser.goodness_of_fit(result)
    for channel, fit in expected.items():
        shown = data["fit"][channel]
        assert shown["p_value"] == fit.p_value
        assert shown["total_variation_chance_high"] == fit.total_variation_chance_high
        # The textbook p-value, which treats pixels as identically distributed, differs.
        assert shown["p_value_iid"] != shown["p_value"]


def test_a_wrong_variance_is_found_beyond_chance(app_context):
    analyser = NoiseAnalyser(skdata.astronaut(), seed=3)
    result = analyser.move(0.0, 0.01)
    wrong = noisy_pmf_theory(result.original_pmf, 0.0, 0.013)[0]
    fit = goodness_of_fit(result.noisy_counts[0], wrong)
    assert fit.total_variation > fit.total_variation_chance_high and fit.p_value < 1e-6


def test_noise_model_is_stated_exactly_with_half_levels():
    words = noise_model_words(0.0)
    assert "clip(x + rint(255·μ + 255·σ·z), 0, 255)" in words
    assert "round(255·clip(x/255 + ε, 0, 1))" in words and "except at exact half levels" in words
    assert "half level:" not in words
    half = noise_model_words(0.1)
    assert "255·μ = 25.5 levels is exactly a half level" in half
    assert "rounds to the even 26 levels" in half
    assert "rounds to the even 76 levels" in noise_model_words(0.3)


def test_noise_tab_states_the_model(app_context):
    state = ViewState(source=SAMPLE, view="noise", mean=0.1, variance=0.01, seed=0)
    *_, clipping = cb.noise_outputs(state)
    assert "clip(x + rint(255·μ + 255·σ·z), 0, 255)" in clipping
    assert "25.5 levels is exactly a half level" in clipping


def _joint_text(picture: str, x: str, y: str, mean=None, variance=None, seed=None) -> str:
    data = services.joint_view(SAMPLE, picture, mean, variance, seed, x, y, 256, None)
    return str(joint_summary(data, x, y, picture, None)), data


def test_photograph_channels_show_dependence_beyond_independent_ones(app_context):
    text, data = _joint_text("original", "red", "green")
    assert data["dependence_detected"] and data["shuffles"] == 8
    assert data["mutual_information"] > data["independent_bound"] > data["independent_mean"]
    assert f"exceeds that by {data['mutual_information'] - data['independent_mean']:.3f} bits, " \
        "so the channels depend on each other" in text
    assert "no detectable dependence" not in text
    # MI is symmetric: the baseline of a pair is computed once, whichever channel is x.
    _, swapped = _joint_text("original", "green", "red")
    assert swapped["independent_mean"] == data["independent_mean"]


def test_heavy_noise_leaves_little_dependence_beyond_chance(app_context):
    _, original = _joint_text("original", "red", "blue")
    _, noisy = _joint_text("noisy", "red", "blue", 0.0, 1.0, 0)
    beyond = noisy["mutual_information"] - noisy["independent_mean"]
    assert 0 < beyond < 0.01 * (original["mutual_information"] - original["independent_mean"])


def test_an_estimate_within_the_baseline_is_no_detectable_dependence():
    data = {"correlation": 0.004, "mutual_information": 0.0590, "independent_mean": 0.0591,
            "independent_bound": 0.0597, "shuffles": 8, "dependence_detected": False,
            "given_pixels": 0}
    text = str(joint_summary(data, "red", "green", "noisy", None))
    assert "mutual information of 0.059 bits" in text
    assert "That is no detectable dependence" in text
    assert "0.059 bits on average over 8 shuffles of the green pixels" in text
    assert "an estimate above 0.060 would show dependence" in text
