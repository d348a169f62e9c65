"""Diffusion figures: they draw exactly the core's arrays, mark the step, and show infinities as
gaps."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.core.diffusion import (
    channel_covariance,
    correlation_sample,
    correlation_theory,
    diffuse,
    information_curves,
    marginal_density,
)
from dashboard.core.diffusion_schedules import SCHEDULES, alpha_bar, betas, log_snr
from dashboard.figures.diffusion import (
    CHANNEL_PAIRS,
    correlation_figure,
    information_figure,
    marginal_figure,
    schedule_figure,
)
from tests.support.typed_arrays import unpacked

STEPS = 200


def values_of(trace_values) -> np.ndarray:
    """A trace's x or y as float64, whether plotly kept an array or a packed typed array."""
    if isinstance(trace_values, dict):
        return unpacked(trace_values)
    return np.array([np.nan if v is None else v for v in trace_values], dtype=float)


def image():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 200, size=(30, 40))
    return np.stack([base + 40, base // 2, rng.integers(0, 256, base.shape)], -1).astype(np.uint8)


def pmfs_of(picture):
    counts = np.stack([np.bincount(picture[..., c].ravel(), minlength=256) for c in range(3)])
    return counts / counts.sum(axis=1, keepdims=True)


def test_schedule_figure_draws_every_schedule_and_marks_the_step():
    curves = {name: alpha_bar(name, STEPS) for name in SCHEDULES}
    fig = schedule_figure(curves, {n: log_snr(c) for n, c in curves.items()},
                          {n: betas(n, STEPS) for n in SCHEDULES}, selected="cosine", t=40)
    assert isinstance(fig, go.Figure)
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    assert len(lines) == 3 * len(SCHEDULES)
    first = lines[0]
    np.testing.assert_array_equal(values_of(first.y), curves["linear"])
    # log SNR is +inf at t = 0: a gap, not a number plotly cannot draw.
    snr_line = next(trace for trace in lines if trace.xaxis == "x2" and trace.name == "linear")
    assert math.isnan(values_of(snr_line.y)[0])
    # beta starts at step 1.
    beta_line = next(trace for trace in lines if trace.xaxis == "x3" and trace.name == "linear")
    assert values_of(beta_line.x)[0] == 1
    widths = {trace.name: trace.line.width for trace in lines if trace.xaxis == "x"}
    assert widths["cosine"] > widths["linear"]
    markers = [trace for trace in fig.data if trace.mode == "markers"]
    assert [values_of(m.x)[0] for m in markers] == [40, 40, 40]
    assert values_of(markers[0].y)[0] == pytest.approx(curves["cosine"][40])
    assert {shape.x0 for shape in fig.layout.shapes} == {40}
    assert len(fig.layout.shapes) == 3
    assert_three_panels(fig)


def assert_three_panels(fig):
    layout = fig.layout
    domains = [tuple(axis.domain) for axis in (layout.xaxis, layout.xaxis2, layout.xaxis3)]
    assert domains[0][0] == 0 and domains[2][1] == 1
    assert domains[0][1] < domains[1][0] < domains[1][1] < domains[2][0]
    assert (layout.yaxis2.anchor, layout.yaxis3.anchor) == ("x2", "x3")
    assert (layout.xaxis2.anchor, layout.xaxis3.anchor) == ("y2", "y3")
    assert all(axis.title.text for axis in (layout.yaxis, layout.yaxis2, layout.yaxis3))
    assert layout.xaxis3.gridcolor == layout.xaxis.gridcolor  # the shared look on every panel


def test_information_figure_draws_the_curves_and_the_measured_errors():
    pmfs = pmfs_of(image())
    ab = alpha_bar("linear", STEPS)
    info = information_curves(pmfs, ab)
    fig = information_figure(info.kl_nats, info.mutual_information_bits, info.mse_expected,
                             t=25, mse_sample=[0.01, 0.02, 0.03], mse_colour_prior=0.015)
    assert len(fig.data) == 9 + 2
    kl_red = fig.data[0]
    assert kl_red.name == "red" and math.isnan(values_of(kl_red.y)[0])  # KL is +inf at t = 0
    np.testing.assert_allclose(values_of(kl_red.y)[1:], info.kl_nats[0, 1:])
    np.testing.assert_allclose(values_of(fig.data[5].y), info.mutual_information_bits[2])
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis3.type == "log"
    measured = fig.data[9]
    np.testing.assert_array_equal(values_of(measured.y), [0.01, 0.02, 0.03])
    assert measured.xaxis == "x3" and values_of(fig.data[10].y)[0] == 0.015
    assert all(shape.x0 == 25 for shape in fig.layout.shapes)
    assert_three_panels(fig)


def test_information_figure_without_measurements():
    info = information_curves(pmfs_of(image()), alpha_bar("cosine", 50))
    fig = information_figure(info.kl_nats, info.mutual_information_bits, info.mse_expected, t=0)
    assert len(fig.data) == 9


def test_marginal_figure_draws_histogram_theory_and_standard_normal_per_channel():
    picture = image()
    pmfs = pmfs_of(picture)
    ab = 0.6
    x = np.linspace(-4, 4, 201)
    theory = np.stack([marginal_density(x, pmfs[c], ab) for c in range(3)])
    x_t = diffuse(picture, ab, seed=1)
    edges = np.linspace(-4, 4, 41)
    sample = np.stack([np.histogram(x_t[..., c], edges, density=True)[0] for c in range(3)])
    normal = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    fig = marginal_figure(x, theory, edges, sample, normal, t=120, alpha_bar_t=ab)
    assert len(fig.data) == 9
    for c in range(3):
        histogram, exact, reference = fig.data[3 * c: 3 * c + 3]
        np.testing.assert_allclose(values_of(histogram.y)[:-1], sample[c])
        np.testing.assert_allclose(values_of(exact.y), theory[c])
        np.testing.assert_allclose(values_of(reference.y), normal)
        assert exact.xaxis == ("x" if c == 0 else f"x{c + 1}")
        assert {trace.yaxis for trace in (histogram, exact, reference)} == {"y"}
    assert sum(trace.showlegend is not False for trace in fig.data) == 3
    assert "0.6" in fig.layout.title.text and not fig.layout.shapes
    # Three panels on one density axis, each named by its x axis.
    layout = fig.layout
    domains = [tuple(axis.domain) for axis in (layout.xaxis, layout.xaxis2, layout.xaxis3)]
    assert domains[0][0] == 0 and domains[2][1] == 1
    assert domains[0][1] < domains[1][0] < domains[1][1] < domains[2][0]
    assert (layout.xaxis.anchor, layout.xaxis2.anchor, layout.xaxis3.anchor) == ("y",) * 3
    assert "yaxis2" not in layout.to_plotly_json() and layout.yaxis.title.text == "density"
    assert [axis.title.text for axis in (layout.xaxis, layout.xaxis2, layout.xaxis3)] == [
        "x_t, red channel", "x_t, green channel", "x_t, blue channel"]
    assert not layout.annotations and layout.xaxis3.gridcolor == layout.xaxis.gridcolor


def test_correlation_figure_draws_theory_over_steps_and_sample_at_t():
    picture = image()
    ab = alpha_bar("linear", STEPS)
    rho = correlation_theory(channel_covariance(picture), ab)
    pairs = [(("red", "green", "blue").index(a), ("red", "green", "blue").index(b))
             for a, b in CHANNEL_PAIRS]
    theory = np.stack([rho[:, i, j] for i, j in pairs])
    sampled = correlation_sample(diffuse(picture, float(ab[30]), seed=2))
    sample = np.array([sampled[i, j] for i, j in pairs])
    fig = correlation_figure(theory, sample, t=30)
    assert len(fig.data) == 6
    np.testing.assert_allclose(values_of(fig.data[0].y), theory[0])
    assert values_of(fig.data[3].y)[0] == pytest.approx(sample[1])
    assert tuple(fig.layout.yaxis.range) == (-1.02, 1.02)
    assert fig.layout.shapes[0].x0 == 30
