"""Figure builders: structure, trace order, and that they only draw what they are given."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.core.colours import SPACE_AXES
from dashboard.figures.colour3d import colour_3d_figure
from dashboard.figures.distributions import (
    TRACE_KINDS,
    cdf_figure,
    clip_spike_layout,
    pmf_figure,
    trace_identity,
    trace_index,
)
from dashboard.figures.joint import conditional_figure, joint_figure
from dashboard.figures.noise import effective_noise_figure, noise_figure
from dashboard.figures.theme import graph_config, packed
from tests.support.typed_arrays import unpacked


def _uniform(n=3):
    return np.full((n, 256), 1 / 256)


def test_trace_index_and_identity_are_inverse():
    for index in range(9):
        channel, kind = trace_identity(index)
        assert trace_index(channel, kind) == index
    assert TRACE_KINDS == ("original", "noisy", "theory")


def test_pmf_figure_draws_the_given_arrays_in_order():
    rng = np.random.default_rng(0)
    arrays = [rng.dirichlet(np.ones(256), size=3) for _ in range(3)]
    fig = pmf_figure(*arrays, selection=(10, 20))
    for ci, channel in enumerate(("red", "green", "blue")):
        for kind, values in zip(TRACE_KINDS, arrays, strict=True):
            np.testing.assert_allclose(fig.data[trace_index(channel, kind)].y, values[ci])
    assert fig.data[trace_index("red", "theory")].line.dash == "dash"
    assert fig.layout.shapes[0].x0 == 9.5 and fig.layout.shapes[0].x1 == 20.5
    assert fig.layout.dragmode == "select"


def test_clip_spikes_are_labelled_not_drawn_off_scale():
    pmf = _uniform()
    pmf[:, 0] = 0.5  # a clipping spike at black
    spikes = clip_spike_layout((pmf,))
    assert spikes["range"] == [0, pytest.approx(1.15 / 256)]
    assert len(spikes["annotations"]) == 1 and "0.500 at level 0" in spikes["annotations"][0][
        "text"]
    assert clip_spike_layout((_uniform(),))["annotations"] == []


def test_cdf_figure_axis():
    fig = cdf_figure(*(np.cumsum(_uniform(), axis=1),) * 3)
    assert tuple(fig.layout.yaxis.range) == (0, 1.02)


def test_noise_figure():
    grid = np.linspace(-0.4, 0.4, 11)
    pdf, cdf, ecdf = np.ones(11), np.linspace(0, 1, 11), np.linspace(0, 1, 11) ** 2
    fig = noise_figure(grid, pdf, cdf, ecdf, np.linspace(-0.4, 0.4, 5), np.ones(4), mean=0,
                       variance=0.01)
    # The histogram's outline: each bin's density from its left edge, 0 after the last edge.
    np.testing.assert_allclose(fig.data[0].x, [-0.4, -0.2, 0.0, 0.2, 0.4])
    np.testing.assert_allclose(fig.data[0].y, [1, 1, 1, 1, 0])
    assert fig.data[0].line.shape == "hv"
    # Density panel on the left, cumulative panel on the right.
    assert [t.xaxis or "x" for t in fig.data] == ["x", "x", "x2", "x2"]
    np.testing.assert_allclose(fig.data[2].y, ecdf)
    np.testing.assert_allclose(fig.data[3].y, cdf)
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]
    assert tuple(fig.layout.yaxis2.range) == (0, 1.02)
    assert "25.5 levels" in fig.layout.title.text  # 255 * sqrt(0.01)
    assert len(fig.layout.annotations) == 2 and not fig.layout.shapes  # the panel titles
    degenerate = noise_figure(grid, pdf, cdf, ecdf, np.linspace(-0.4, 0.4, 5), np.ones(4),
                              mean=0.1, variance=0)
    assert "σ = 0" in degenerate.layout.annotations[-1].text
    assert [(s.xref, s.x0) for s in degenerate.layout.shapes] == [("x", 0.1), ("x2", 0.1)]


def test_effective_noise_figure_hides_impossible_values():
    levels = np.arange(-255, 256)
    empirical = np.zeros((3, 511))
    empirical[:, 255] = 1.0
    theory = np.zeros((3, 511))
    theory[:, 254:257] = [0.25, 0.5, 0.25]
    fig = effective_noise_figure(levels, empirical, theory)
    assert np.isnan(fig.data[0].y[0]) and fig.data[0].y[255] == 1.0
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.range == (-3, 3)


def test_joint_and_conditional_figures():
    pmf = np.full((4, 4), 1 / 16)
    fig = joint_figure(pmf, np.array([0, 64, 128, 192, 256]), x_channel="red",
                       y_channel="blue", selection=(64, 127))
    np.testing.assert_allclose(fig.data[0].x, [31.5, 95.5, 159.5, 223.5])
    np.testing.assert_allclose(fig.data[0].z, np.log10(pmf))
    empty = conditional_figure(range(256), None, np.ones(256) / 256, given_channel="red",
                               other_channel="blue", given_range=(5, 5))
    assert "No pixel has red = 5" in empty.layout.annotations[0].text


def test_colour_3d_marker_sizes_follow_shares():
    fig = colour_3d_figure([[0, 0, 0], [1, 1, 1]], [0.75, 0.25], [[0, 0, 0], [255, 0, 0]],
                           space="lab", title="t", bin_ids=[0, 5])
    sizes = np.asarray(fig.data[0].marker.size)
    assert sizes[0] > sizes[1]
    assert list(fig.data[0].marker.color) == ["rgb(0,0,0)", "rgb(255,0,0)"]
    assert fig.layout.scene.xaxis.title.text.startswith("L*")


def test_graph_config_export_sizes():
    config = graph_config("svg", "pmf")
    assert config["toImageButtonOptions"]["format"] == "svg"
    assert config["toImageButtonOptions"]["width"] == 1200
    assert graph_config("bmp")["toImageButtonOptions"]["format"] == "png"


def test_colour_3d_axes_can_be_fixed_to_the_space():
    fig = colour_3d_figure([[50, 0, 0]], [1.0], [[120, 120, 120]], space="lab", title="t",
                           axis_ranges=((0, 100), (-87, 99), (-108, 95)))
    assert tuple(fig.layout.scene.zaxis.range) == (-108, 95)
    assert tuple(fig.layout.scene.xaxis.tickvals) == (0, 50, 100)
    assert fig.layout.scene.xaxis.title.text == "L* (0–100)"


@pytest.mark.parametrize("space", ["rgb", "hsv", "lab"])
def test_colour_3d_ticks_lie_inside_the_space(space):
    fig = colour_3d_figure([[0.5, 0.5, 0.5]], [1.0], [[120, 120, 120]], space=space, title="t",
                           axis_ranges=SPACE_AXES[space].ranges)
    for axis, (lo, hi) in zip(("xaxis", "yaxis", "zaxis"), SPACE_AXES[space].ranges, strict=True):
        ticks = fig.layout.scene[axis].tickvals
        assert len(ticks) == 3 and all(lo <= tick <= hi for tick in ticks)


def test_packed_values_round_trip_exactly_with_gaps():
    values = np.array([0.1, 1 / 3, np.nan, -2.5e-300, 7.0])
    sent = packed(values)
    assert sent["dtype"] == "f8" and isinstance(sent["bdata"], str)
    np.testing.assert_array_equal(unpacked(sent), values)
    assert len(sent["bdata"]) == 4 * ((5 * 8 + 2) // 3)  # base64 of 40 bytes
    with pytest.raises(ValueError, match="1-D"):
        packed(np.zeros((2, 2)))
