"""The diffusion page's callbacks called directly: what they draw, that only the visible tab
is sent, that a step move's ``Patch`` turns a tab's figure of one step into exactly that of
the next, and that the denoiser's measured errors follow the record of what was drawn."""

from __future__ import annotations

import base64
import math
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import Patch, no_update

from dashboard.app import create_app
from dashboard.core.diffusion_schedules import SCHEDULES, alpha_bar, explorer_sigma
from dashboard.diffusion import callbacks, ids, services
from dashboard.diffusion.callbacks import (
    COLOUR_TRACE,
    MEASURED_TRACE,
    colour_outputs,
    error_outputs,
    schedule_marker_traces,
    step_range_outputs,
    view_outputs,
)
from dashboard.diffusion.state import VIEWS, DiffusionState
from dashboard.diffusion.summaries import channel_texts, explorer_link
from dashboard.figures.diffusion import schedule_figure
from tests.support.typed_arrays import unpacked

PAINTING = "red-field-1884"
STATE = DiffusionState(PAINTING, "linear", 200, 50, False, 3, "painting")
FIGURES = slice(0, 4)


@pytest.fixture
def tiny_context(tiny_corpus):
    app = create_app(tiny_corpus.settings)
    with app.server.app_context():
        yield app


def values(value) -> np.ndarray:
    """A trace property as float64: a packed typed array, a list (None as NaN) or an array."""
    if isinstance(value, dict):
        if value["dtype"] == "f8":
            return unpacked(value)
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype="<" + value["dtype"]
                             ).astype(float)
    return np.array([np.nan if v is None else v for v in np.ravel(value)], dtype=float)


def applied(figure: go.Figure, patch: Patch) -> dict:
    """``figure`` as a dict after the Assign operations of ``patch`` (what Dash does)."""
    result = figure.to_plotly_json()
    result = {"data": [dict(trace) for trace in result["data"]], "layout": result["layout"]}
    for operation in patch.to_plotly_json()["operations"]:
        assert operation["operation"] == "Assign", operation
        *path, last = operation["location"]
        target = result
        for part in path:
            target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
        target[last] = operation["params"]["value"]
    return result


def assert_same_figure(patched: dict, full: go.Figure) -> None:
    expected = full.to_plotly_json()
    assert len(patched["data"]) == len(expected["data"])
    for got, want in zip(patched["data"], expected["data"], strict=True):
        for axis in ("x", "y"):
            np.testing.assert_allclose(values(got[axis]), values(want[axis]), rtol=1e-12,
                                       equal_nan=True)
        assert got.get("showlegend") == want.get("showlegend")
    assert patched["layout"]["title"]["text"] == expected["layout"]["title"]["text"]
    got_shapes = [(s["x0"], s["x1"]) for s in patched["layout"].get("shapes", [])]
    want_shapes = [(s["x0"], s["x1"]) for s in expected["layout"].get("shapes", [])]
    assert got_shapes == want_shapes


def both(state: DiffusionState, drawn=None) -> tuple[tuple, tuple]:
    """The outputs of :func:`view_outputs` and of :func:`error_outputs` for ``state``, both
    reading ``drawn`` as the page fires them."""
    return view_outputs(state, drawn), error_outputs(state, drawn)


def figure_of(outputs: tuple, view: str):
    """The output sent to tab ``view``'s graph."""
    return outputs[list(ids.GRAPH_OF_VIEW).index(view)]


def drawn_all(state: DiffusionState) -> tuple[dict, dict]:
    """Every tab drawn in full for ``state``, opened one after the other: (figures by view,
    the record of what is drawn)."""
    figures, drawn = {}, None
    for view in VIEWS:
        outputs, errors = both(replace(state, view=view), drawn)
        figures[view] = figure_of(outputs, view)
        assert errors[-1] is no_update  # drawn in full, with the measured errors
        drawn = outputs[-1]
    return figures, drawn


def test_a_first_draw_gives_the_visible_figure_and_every_text(tiny_context):
    outputs = view_outputs(STATE)
    assert len(outputs) == len(callbacks.VIEW_OUTPUTS)
    assert isinstance(figure_of(outputs, "marginal"), go.Figure)
    assert all(figure_of(outputs, view) is no_update for view in VIEWS[1:])
    figures, drawn = drawn_all(STATE)
    assert all(isinstance(f, go.Figure) for f in figures.values())
    schedule, information = figures["schedules"], figures["information"]
    assert len(schedule.data) == 3 * len(SCHEDULES) + 3  # a marker per panel at t = 50
    assert len(information.data) == 11
    assert values(information.data[MEASURED_TRACE].y).shape == (3,)
    colour = information.data[COLOUR_TRACE]
    assert colour.showlegend is False and np.isnan(values(colour.y)).all()
    assert len(figures["marginal"].data) == 9 and len(figures["correlation"].data) == 6
    step_text, explorer_text, href, label = outputs[4:8]
    *channels, patch = error_outputs(STATE)
    assert patch is no_update
    assert step_text.startswith("Step t = 50 of 200 (linear schedule)")
    sigma = explorer_sigma(alpha_bar("linear", 200)[50])
    assert f"σ = {sigma:.4g}" in explorer_text
    assert href == f"/?artwork={PAINTING}&mean=0&variance={round(sigma**2, 4):g}&seed=3"
    assert label.startswith("Open in the explorer at σ² = ")
    errors = services.denoiser_errors(*services.keys_of(STATE), 50, 3)
    np.testing.assert_allclose(values(information.data[MEASURED_TRACE].y), errors)
    for line, error in zip(channels, errors, strict=True):
        assert "nats" in line and "bits" in line
        assert line.endswith(f"expected, {error:.3g} measured on this image")
    key = repr(services.keys_of(STATE))
    assert outputs[-1] == {"key": key, "tabs": {"marginal": 50}}
    assert drawn == {"key": key, "tabs": dict.fromkeys(VIEWS, 50)}


def test_a_move_on_the_information_tab_gets_its_measured_errors_from_the_second_callback(
        tiny_context):
    state = replace(STATE, view="information")
    drawn = view_outputs(state)
    moved = replace(state, t=51)
    outputs, errors = both(moved, drawn[-1])
    patch = figure_of(outputs, "information")
    assert isinstance(patch, Patch)
    locations = {tuple(op["location"][:3]) for op in patch.to_plotly_json()["operations"]}
    assert ("data", MEASURED_TRACE, "y") not in locations  # not waited for
    measured = applied(figure_of(drawn, "information"), errors[-1])["data"][MEASURED_TRACE]
    assert measured["x"] == [51, 51, 51]
    np.testing.assert_allclose(values(measured["y"]),
                               services.denoiser_errors(*services.keys_of(moved), 51, 3),
                               rtol=1e-15)
    # Another tab visible: no patch of the information figure.
    assert error_outputs(replace(moved, view="marginal"), drawn[-1])[-1] is no_update


def test_no_usable_image_clears_the_channel_lines(tiny_context, tiny_corpus):
    (tiny_corpus.artworks_dir / "blue-night-1888.jpg").write_bytes(b"not a jpeg at all")
    for state in (DiffusionState(""), DiffusionState("blue-night-1888")):
        assert error_outputs(state, {}) == (None, None, None, no_update)


@pytest.mark.parametrize(("t_from", "t_to", "seed_to"), [(50, 51, 3), (50, 200, 3), (7, 7, 9),
                                                          (1, 150, 0)])
@pytest.mark.parametrize("view", VIEWS)
def test_a_step_move_patches_a_tab_into_the_figure_of_the_new_step(tiny_context, t_from, t_to,
                                                                    seed_to, view):
    before = DiffusionState(PAINTING, "cosine", 200, t_from, True, 3, view=view)
    after = replace(before, t=t_to, seed=seed_to)
    drawn = view_outputs(before)
    moved, moved_errors = both(after, drawn[-1])
    full, full_errors = both(after)
    patch = figure_of(moved, view)
    assert isinstance(patch, Patch)
    patched = applied(figure_of(drawn, view), patch)
    if view == "information":  # with the measured errors, as the page shows them
        patched = applied(go.Figure(patched), moved_errors[-1])
    assert_same_figure(patched, figure_of(full, view))
    assert moved[4:-1] == full[4:-1]
    assert moved_errors[:3] == full_errors[:3]
    assert moved[-1]["tabs"] == {view: t_to}


def test_a_tab_opened_after_steps_moved_is_patched_from_the_step_it_shows(tiny_context):
    first = view_outputs(replace(STATE, view="correlation"))
    moved = view_outputs(replace(STATE, t=60), first[-1])     # on the marginal tab
    assert moved[-1]["tabs"] == {"correlation": 50, "marginal": 60}
    opened = view_outputs(replace(STATE, t=60, view="correlation"), moved[-1])
    full = view_outputs(replace(STATE, t=60, view="correlation"))
    assert_same_figure(applied(figure_of(first, "correlation"),
                               figure_of(opened, "correlation")), figure_of(full, "correlation"))


@pytest.mark.parametrize(("drawn", "state"), [
    ({"key": "another image", "tabs": {"marginal": 50}}, STATE),
    (None, STATE),
    ("forged", STATE),
    ({"key": "same", "tabs": {"marginal": "50"}}, STATE),
    ({"key": "same", "tabs": {"marginal": True}}, STATE),
    ({"key": "same", "tabs": ["marginal"]}, STATE),
    ({"key": "same", "tabs": {"information": 50}}, STATE),  # another tab drawn, not this one
    ({"key": "same", "tabs": {"marginal": 50}}, replace(STATE, t=0)),  # to t = 0
    ({"key": "same", "tabs": {"marginal": 50}}, replace(STATE, schedule="cosine")),
])
def test_a_tab_not_drawn_for_this_image_and_process_is_drawn_in_full(tiny_context, drawn,
                                                                     state):
    if isinstance(drawn, dict) and drawn["key"] == "same":
        drawn = {**drawn, "key": repr(services.keys_of(STATE))}
    outputs = view_outputs(state, drawn)
    assert isinstance(figure_of(outputs, state.view), go.Figure)


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("t", [0, 1, 30])
def test_schedule_markers_are_where_the_figure_draws_them(schedule, t):
    curves = {name: alpha_bar(name, 30) for name in SCHEDULES}
    figure = schedule_figure(curves, curves, {name: curves[name][1:] for name in SCHEDULES},
                             selected=schedule, t=t)
    markers = [i for i, trace in enumerate(figure.data) if trace.mode == "markers"]
    assert schedule_marker_traces(schedule, t) == markers


def test_an_unknown_or_undecodable_image_gives_figures_with_the_reason(tiny_context, tiny_corpus):
    for view in VIEWS:
        outputs = view_outputs(DiffusionState("", view=view))
        assert "Choose an artwork" in str(figure_of(outputs, view).layout.annotations[0].text)
        assert sum(f is no_update for f in outputs[FIGURES]) == 3
        assert outputs[-1] == {}
    (tiny_corpus.artworks_dir / "blue-night-1888.jpg").write_bytes(b"not a jpeg at all")
    outputs = view_outputs(DiffusionState("blue-night-1888"))
    assert "cannot be shown" in str(outputs[0].layout.annotations[0].text)


def test_the_artist_prior_falls_back_to_the_painting_where_it_is_not_offered(app_context):
    state = DiffusionState("sample-astronaut", prior="artist")
    assert callbacks.offered_state(state).prior == "painting"
    outputs = view_outputs(state)  # a forged control value: the reason, not a crash
    assert "corpus" in str(outputs[0].layout.annotations[0].text)


def test_the_artist_prior_draws_with_the_pooled_levels(tiny_context):
    state = DiffusionState(PAINTING, steps=50, t=10, prior="artist")
    assert callbacks.offered_state(state) == state
    outputs = view_outputs(replace(state, view="information"))
    information = services.information(*services.keys_of(state))
    np.testing.assert_allclose(values(figure_of(outputs, "information").data[6].y),
                               information["mse_expected"][0])
    # The prior is the denoiser's: the marginal's exact density (and KL, information) stay
    # those of the painting's own levels, which the sample beside them is drawn from.
    own = replace(state, prior="painting")
    for view, traces in (("marginal", (1, 4, 7)), ("information", (0, 3))):
        ours, painting = (figure_of(view_outputs(replace(s, view=view)), view)
                          for s in (state, own))
        for i in traces:
            np.testing.assert_array_equal(values(ours.data[i].y), values(painting.data[i].y))


def test_the_explorer_link_clamps_sigma_squared_to_the_explorers_range():
    state = DiffusionState("starry", steps=100, t=100, zero_snr=True, seed=5)
    link = explorer_link(state, 0.0)
    assert math.isinf(link.sigma) and link.variance == 1.0
    assert link.href == "/?artwork=starry&mean=0&variance=1&seed=5"
    assert "beyond the explorer's range" in link.sentence
    at_zero = explorer_link(DiffusionState("starry", t=0), 1.0)
    assert (at_zero.variance, at_zero.href) == (0.0, "/?artwork=starry&mean=0&variance=0&seed=0")
    upload = explorer_link(DiffusionState("upload:" + "a" * 64), 0.5)
    assert upload.href == "/?upload=" + "a" * 64 + "&mean=0&variance=0.25&seed=0"
    assert upload.label == "Open in the explorer at σ² = 0.25 →"


def test_the_step_slider_follows_the_number_of_steps():
    assert step_range_outputs(100, 250) == (100, {0: "0", 25: "25", 50: "50", 75: "75",
                                                  100: "100"}, 100, no_update)
    assert step_range_outputs(5000, 250) == (2000, {0: "0", 500: "500", 1000: "1000",
                                                    1500: "1500", 2000: "2000"}, no_update, 2000)
    assert step_range_outputs(None, 10)[0] == 1000


def test_the_colour_denoiser_on_request(tiny_context):
    state = DiffusionState(PAINTING, steps=100, t=20, seed=1, view="information")
    drawn = view_outputs(state)[-1]
    src, sentence, hidden, patch = colour_outputs(state, drawn)
    assert src.startswith("/diffusion/image/colour-denoised.jpg?src=red-field-1884")
    assert hidden is False
    colour = services.colour_denoiser_errors(PAINTING, "linear", 100, False, 20, 1)
    assert "Step t = 20: the 3D colour prior (16³ bins" in sentence
    operations = {tuple(op["location"]): op["params"]["value"]
                  for op in patch.to_plotly_json()["operations"]}
    assert operations[("data", COLOUR_TRACE, "y")] == [colour["mse_mean"]]
    assert operations[("data", COLOUR_TRACE, "showlegend")] is True
    # The information figure not drawn, or drawn for another step: the sentence only.
    for record in (None, {"key": drawn["key"], "tabs": {"information": 21}}):
        src, again, hidden, patch = colour_outputs(state, record)
        assert (again, hidden, patch) == (sentence, False, no_update)
    assert colour_outputs(DiffusionState(""))[0] is no_update


def test_measured_errors_read_zero_below_rounding():
    information = {name: np.zeros((3, 1)) for name in
                   ("kl_nats", "mutual_information_bits", "mse_expected")}
    step = {name: np.zeros(3) for name in
            ("mean_theory", "mean_sample", "variance_theory", "variance_sample")}
    lines = channel_texts(information, step, np.array([1.6e-34, 0.0, 0.01234]), 0)
    assert [line.rsplit(", ", 1)[1] for line in lines] == [
        "0 measured on this image", "0 measured on this image", "0.0123 measured on this image"]
