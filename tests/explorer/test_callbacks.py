"""Explorer callbacks called directly, with hand-checked outputs."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import numpy as np
import plotly.graph_objects as go
import pytest
from dash import Patch, no_update
from PIL import Image
from skimage import data as skdata

from dashboard.core.distributions import NoiseAnalyser
from dashboard.explorer import callbacks as cb
from dashboard.explorer import ids
from dashboard.explorer.state import ViewState
from dashboard.figures.distributions import trace_index
from dashboard.ui.upload import handle_upload, upload_outputs
from tests.support.apps import SAMPLE
from tests.support.typed_arrays import unpacked


def _state(view: str, mean=0.0, variance=0.01, seed=0, **fields) -> ViewState:
    """The astronaut sample in ``view`` with this noise and otherwise default controls."""
    return ViewState(source=SAMPLE, view=view, mean=mean, variance=variance, seed=seed,
                     **fields)


def test_source_caption_and_link(app_context):
    caption, href, style = cb.source_outputs(SAMPLE)
    assert caption == "512 × 512 px analysed · "
    assert style == {"display": "none"}  # a sample is not a painting: no comparison link


def test_source_caption_for_unknown_source(app_context):
    caption, _, _ = cb.source_outputs("no-such-artwork")
    assert "Choose an artwork" in caption


def test_selection_text_from_its_key(app_context):
    assert cb.update_selection_text(None).startswith("Tip:")
    text = cb.update_selection_text({"selection": "levels:red:original:0-99", "source": SAMPLE})
    expected = int((skdata.astronaut()[..., 0] <= 99).sum())
    assert f"{expected:,} pixels" in text


def test_hidden_tabs_compute_nothing(app_context):
    assert cb.noise_outputs(_state("joint")) == (no_update,) * 4
    assert cb.distribution_outputs(_state("noise")) == (no_update,) * 2
    assert cb.fit_outputs(_state("noise")) == (no_update,) * 4
    assert cb.joint_outputs(_state("noise", joint_x="red", joint_y="green")) == (no_update,) * 3
    assert cb.colour_outputs(_state("noise")) == (no_update,) * 3


def test_distribution_figures_carry_the_engine_numbers(app_context):
    pmf, cdf = cb.distribution_outputs(_state("distributions", seed=5))
    header, *lines = cb.fit_outputs(_state("distributions", seed=5))
    expected = NoiseAnalyser(skdata.astronaut(), seed=5).move(0.0, 0.01)
    for ci, channel in enumerate(("red", "green", "blue")):
        np.testing.assert_allclose(pmf.data[trace_index(channel, "noisy")].y,
                                   expected.noisy_pmf[ci])
        np.testing.assert_allclose(pmf.data[trace_index(channel, "theory")].y,
                                   expected.noisy_pmf_theory[ci])
        np.testing.assert_allclose(cdf.data[trace_index(channel, "original")].y,
                                   expected.original_cdf[ci])
    assert header == "Theory against sample on 262,144 pixels per channel:"
    for ci, line in enumerate(lines):
        total_variation = 0.5 * np.abs(expected.noisy_pmf[ci] - expected.noisy_pmf_theory[ci]).sum()
        assert isinstance(line, str)
        assert f"differ on {100 * total_variation:.2f}% of the pixels' probability mass" in line


def test_the_fit_summary_has_its_own_callback_after_the_figures(app_context):
    state = _state("distributions", 0.1, 0.03, 2)
    texts = cb.fit_outputs(state)
    assert cb.update_fit([SAMPLE, 0.1, 0.03, 2], "distributions", SAMPLE, 0.1, 0.03, 2) == texts
    assert all(isinstance(text, str) for text in texts)
    assert cb.update_fit(None, "noise", SAMPLE, 0.1, 0.03, 2) == (no_update,) * 4
    assert cb.update_fit(None, "distributions", "no-such-artwork", 0.1, 0.03, 2) == (None,) * 4
    state = ViewState(source=SAMPLE, mean=0.1, variance=0.03, seed=2, view="distributions")
    assert cb.fit_trigger(state) == [SAMPLE, 0.1, 0.03, 2]
    assert cb.fit_trigger(ViewState(source=SAMPLE, view="joint")) is no_update
    # The figures' callback no longer carries the texts.
    assert len(cb.distribution_outputs(state, patch_only=True)) == 2


def test_slider_move_sends_a_patch_of_the_noisy_traces_only(app_context):
    pmf, cdf, *_ = cb.distribution_outputs(_state("distributions", 0.0, 0.09, 5),
                                           patch_only=True)
    assert isinstance(pmf, Patch) and isinstance(cdf, Patch)
    operations = cdf.to_plotly_json()["operations"]
    touched = {tuple(op["location"]) for op in operations}
    expected = NoiseAnalyser(skdata.astronaut(), seed=5).move(0.0, 0.09)
    assert touched == {("data", trace_index(c, k), "y") for c in ("red", "green", "blue")
                       for k in ("noisy", "theory")}
    by_location = {tuple(op["location"]): op["params"]["value"] for op in operations}
    sent = by_location[("data", trace_index("green", "noisy"), "y")]
    assert sent["dtype"] == "f8"  # float64 bytes, not JSON numbers
    np.testing.assert_array_equal(unpacked(sent), expected.noisy_cdf[1])


def test_noise_outputs(app_context):
    noise, effective, moments, clipping = cb.noise_outputs(_state("noise", 0.0, 0.04, 1))
    assert all(isinstance(f, go.Figure) for f in (noise, effective))
    theory = noise.data[1]
    peak = 1 / np.sqrt(2 * np.pi * 0.04)  # N(0, 0.04) density at its mean
    assert max(theory.y) == pytest.approx(peak, rel=1e-3)
    assert moments.startswith("786,432 noise values drawn.")  # 512 * 512 * 3
    assert "(asked for 0.20000)" in moments  # sigma = sqrt(0.04)
    assert clipping.startswith("After clipping to 0–255 and rounding")
    moved = cb.noise_outputs(_state("noise", 0.0, 0.04, 1), patch_only=True)
    assert moved[2:] == (moments, clipping)


def test_noise_service_counts_pure_black_and_white_pixels(app_context):
    from dashboard.explorer import services

    data = services.noise(SAMPLE, 0.0, 0.09, 3)
    noisy = NoiseAnalyser(skdata.astronaut(), seed=3).move(0.0, 0.09).noisy
    expected = ((noisy == 0) | (noisy == 255)).reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(data["extreme_share"], expected, rtol=0, atol=1e-15)
    original = skdata.astronaut()
    before = ((original == 0) | (original == 255)).reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(data["extreme_share_original"], before, atol=1e-15)


def test_joint_outputs_with_conditioning(app_context):
    heatmap, conditional, stats = cb.joint_outputs(
        _state("joint", joint_x="red", joint_y="green", joint_bins=32, given=(100, 120)))
    rgb = skdata.astronaut()
    chosen = (rgb[..., 0] >= 100) & (rgb[..., 0] <= 120)
    expected = np.bincount(rgb[..., 1][chosen], minlength=256) / chosen.sum()
    np.testing.assert_allclose(conditional.data[1].y, expected)
    r = np.corrcoef(rgb[..., 0].ravel(), rgb[..., 1].ravel())[0, 1]
    assert f"{r:+.3f}" in str(stats)
    assert f"{int(chosen.sum()):,} pixels" in str(stats)


def test_joint_outputs_skip_original_when_only_noise_moved(app_context):
    assert cb.joint_outputs(_state("joint", 0.2, joint_x="red", joint_y="green"),
                            noise_only=True) == (no_update,) * 3


def test_same_channel_twice_shows_a_message(app_context):
    heatmap, conditional, stats = cb.joint_outputs(
        _state("joint", joint_x="red", joint_y="red"))
    assert "two different channels" in heatmap.layout.annotations[0].text


def test_colour_outputs(app_context):
    original, noisy, palettes = cb.colour_outputs(_state("colour3d", bins=8))
    rgb = skdata.astronaut().astype(np.int64)
    flat = ((rgb[..., 0] // 32) * 64 + (rgb[..., 1] // 32) * 8 + rgb[..., 2] // 32).ravel()
    counts = np.bincount(flat, minlength=512)
    shares = np.sort(counts[counts > 0])[::-1] / flat.size
    np.testing.assert_allclose(np.sort(original.data[0].customdata[:, 1])[::-1], 100 * shares)
    assert "Original" in str(palettes) and "With noise" in str(palettes)


def test_level_selection_from_a_drag():
    selected = {"range": {"x": [99.6, 140.2]},
                "points": [{"curveNumber": trace_index("blue", "noisy")}]}
    assert cb.selection_from_levels(selected) == "levels:blue:noisy:100-140"
    selected["points"] = [{"curveNumber": trace_index("red", "original")}]
    assert cb.selection_from_levels(selected) == "levels:red:original:100-140"
    assert cb.selection_from_levels(None) is None
    assert cb.selection_from_levels({"range": {"x": [300, 400]}}) is None


def test_bin_selection_from_a_click():
    click = {"points": [{"customdata": [4095, 1.5]}]}
    assert cb.selection_from_bin(click, "noisy", "lab", 16) == "bin:lab:16:4095:noisy"
    assert cb.selection_from_bin(click, "noisy", "lab", 8) is None  # 8**3 bins: 0..511
    assert cb.selection_from_bin({}, "noisy", "rgb", 16) is None


def test_selection_text_counts_pixels(app_context):
    text = cb.selection_text_outputs("levels:red:original:0-99", SAMPLE, 0, 0.01, 0)
    expected = int((skdata.astronaut()[..., 0] <= 99).sum())
    assert f"{expected:,} pixels" in text


def _data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_upload_is_validated_stored_and_selected(app_context):
    pixels = np.zeros((40, 60, 3), dtype=np.uint8)
    pixels[:, :30] = (250, 10, 10)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    data = buffer.getvalue()
    options, value, message = upload_outputs(_data_url(data), "red.png", [])
    sha = hashlib.sha256(data).hexdigest()
    assert value == f"upload:{sha}"
    assert options[0] == {"label": "Your upload: red.png", "value": value}
    assert "60 × 40 px" in str(message)
    stored = app_context.server.extensions["dashboard"]["store"]
    np.testing.assert_array_equal(stored.rgb(value), pixels)


def test_bad_upload_explains_itself(app_context):
    _, value, message = upload_outputs(_data_url(b"not an image at all"), "notes.txt", [])
    assert value is no_update
    assert "notes.txt" in str(message) and "JPEG" in str(message)
    _, value, message = upload_outputs("data:image/png;base64,@@@", "x.png", [])
    assert value is no_update and "garbled" in str(message)


def test_export_format_switches_every_graph(app_context):
    configs = cb.update_export_format("svg")
    assert len(configs) == len(ids.GRAPHS)
    assert {c["toImageButtonOptions"]["format"] for c in configs} == {"svg"}


def test_given_levels_from_click_and_drag():
    click = {"points": [{"x": 101.5, "y": 40}]}  # the cell of levels 100..103 at 64 bins
    assert cb.given_outputs(click, None, "64", False) == [100, 103]
    assert cb.given_outputs({"points": [{"x": 7}]}, None, 256, False) == [7, 7]
    drag = {"range": {"x": [20.2, 60.7]}}
    assert cb.given_outputs(click, drag, 64, True) == [20, 61]
    # A click in select mode also sends a selection without a range: the click wins.
    assert cb.given_outputs(click, {"points": []}, 64, True) == [100, 103]
    assert cb.given_outputs(None, None, 64, True) is no_update


def test_a_painting_links_to_its_comparison_with_the_artist(tiny_corpus):
    from dashboard.app import create_app

    app = create_app(tiny_corpus.settings)
    with app.server.app_context():
        _, href, style = cb.source_outputs("blue-night-1888")
    assert href == "/artist?view=painting&artwork=blue-night-1888"
    assert style == {}


#: Where the PMF figure sits among update_view's outputs.
PMF_AT = [output.component_id for outputs in cb.TAB_OUTPUTS.values()
          for output in outputs].index(ids.PMF_GRAPH)


def _view(active_tab, source, noise_only=False, drawn=None, variance=0.01):
    state = ViewState(source=source, view=active_tab, variance=variance, joint_x="red",
                      joint_y="green")
    return cb.view_outputs(state, drawn, noise_only=noise_only)


def test_a_corrupt_artwork_explains_itself_instead_of_failing(tiny_corpus):
    from dashboard.app import create_app

    (tiny_corpus.artworks_dir / "blue-night-1888.jpg").write_bytes(b"\xff\xd8\xff garbage")
    app = create_app(tiny_corpus.settings)
    with app.server.app_context():
        outputs = _view("distributions", "blue-night-1888")
        pmf = outputs[PMF_AT]
        assert "cannot be shown" in pmf.layout.annotations[0].text
        assert outputs[0] is no_update  # hidden tabs untouched
        caption, *_ = cb.source_outputs("blue-night-1888")
        assert caption.startswith("This image cannot be shown")
    response = app.server.test_client().get("/image/original.jpg?src=blue-night-1888")
    assert response.status_code == 404 and b"cannot be shown" in response.data
    assert b"Traceback" not in response.data


def test_a_replaced_artwork_is_not_served_from_a_stale_cache(tiny_corpus):
    from dashboard.app import create_app
    from tests.support.tiny_corpus import jpeg_bytes

    app = create_app(tiny_corpus.settings)
    path = tiny_corpus.artworks_dir / "red-field-1884.jpg"
    with app.server.app_context():
        before = _view("distributions", "red-field-1884")[PMF_AT]
        path.write_bytes(jpeg_bytes(np.full((32, 48, 3), (10, 20, 240), dtype=np.uint8)))
        os.utime(path, ns=(1, 1))  # a different modification time as well as a new size
        after = _view("distributions", "red-field-1884")[PMF_AT]
    red = trace_index("red", "original")
    assert np.argmax(before.data[red].y) > 150  # a red painting
    assert np.argmax(after.data[red].y) < 30  # now blue: red levels near 10


def test_slider_moves_patch_only_figures_known_to_be_drawn(app_context):
    first = _view("distributions", SAMPLE)
    drawn = first[-1]
    assert isinstance(first[PMF_AT], go.Figure) and drawn["distributions"]
    moved = _view("distributions", SAMPLE, noise_only=True, drawn=drawn, variance=0.02)
    assert isinstance(moved[PMF_AT], Patch)
    assert moved[-1] is no_update  # the record of what is drawn stays as it was
    # Nothing recorded (say the first draw's request failed): the move redraws in full.
    redrawn = _view("distributions", SAMPLE, noise_only=True, drawn={}, variance=0.03)
    assert isinstance(redrawn[PMF_AT], go.Figure)
    # Drawn for another image: full redraw too.
    other = _view("distributions", SAMPLE, noise_only=True,
                  drawn={"distributions": "something else"}, variance=0.04)
    assert isinstance(other[PMF_AT], go.Figure)
    assert other[-1]["distributions"] == drawn["distributions"]


def test_cached_services_do_not_share_entries(app_context):
    from dashboard.explorer import services

    distributions = services.distributions(SAMPLE, 0.0, 0.01, 0)
    noise = services.noise(SAMPLE, 0.0, 0.01, 0)  # same arguments, another function
    assert "noisy_pmf" in distributions and "noisy_pmf" not in noise
    assert "ecdf" in noise
    again = services.distributions(SAMPLE, 0.0, 0.01, 0)
    np.testing.assert_array_equal(again["noisy_pmf"], distributions["noisy_pmf"])


def test_noise_tab_slider_move_sends_patches_with_the_new_values(app_context):
    state = _state("noise", 0.1, 0.04, 1)
    noise, effective, *_ = cb.noise_outputs(state, patch_only=True)
    assert all(isinstance(p, Patch) for p in (noise, effective))
    full_noise, full_effective, *_ = cb.noise_outputs(state)

    def assigned(patch):
        return {tuple(op["location"]): (unpacked(op["params"]["value"])
                                        if isinstance(op["params"]["value"], dict)
                                        and "bdata" in op["params"]["value"]
                                        else op["params"]["value"])
                for op in patch.to_plotly_json()["operations"]}

    noise_ops = assigned(noise)
    for index in range(4):  # histogram, PDF, ECDF, CDF
        for axis in ("x", "y"):
            np.testing.assert_allclose(noise_ops[("data", index, axis)],
                                       full_noise.data[index][axis])
    assert noise_ops[("data", 1, "name")] == full_noise.data[1].name
    assert noise_ops[("layout", "title", "text")] == full_noise.layout.title.text
    assert noise_ops[("layout", "shapes")] == []  # a σ = 0 marker line would be cleared
    assert [a["text"] for a in noise_ops[("layout", "annotations")]] == [
        a.text for a in full_noise.layout.annotations]  # the panel titles stay
    effective_ops = assigned(effective)
    expected = np.asarray(full_effective.data[3].y, dtype=float)  # green theory
    np.testing.assert_array_equal(effective_ops[("data", 3, "y")], expected)  # NaN gaps too
    assert effective_ops[("layout", "xaxis", "range")] == list(full_effective.layout.xaxis.range)


def test_zero_variance_is_always_drawn_in_full(app_context):
    noise, *_ = cb.noise_outputs(_state("noise", 0.1, 0.0, 1), patch_only=True)
    assert isinstance(noise, go.Figure)
    assert "σ = 0" in noise.layout.annotations[-1].text
    assert len(noise.layout.shapes) == 2  # the mean, in both panels


def test_a_redrawn_figure_does_not_clear_the_highlight():
    assert not cb.is_drag({"points": []})  # what a figure sends after a redraw
    assert not cb.is_drag(None)
    assert cb.is_drag({"points": [], "range": {"x": [1, 2]}})


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("click, bins", [
    ({"points": [{"x": INF}]}, 64), ({"points": [{"x": NAN}]}, 64), ({"points": [5]}, 64),
    ({"points": {"x": 3}}, 64), ({"points": [{"x": "3"}]}, 64), ([{"x": 3}], 64),
])
def test_a_click_that_cannot_be_read_changes_nothing(click, bins):
    assert cb.given_outputs(click, None, bins, False) is no_update


@pytest.mark.parametrize("bins", [INF, -INF, NAN, 0, "x", {"a": 1}, 7])
def test_a_click_with_unreadable_bins_uses_the_default_cells(bins):
    # 64 bins by default: the cell of levels 0..3.
    assert cb.given_outputs({"points": [{"x": 1.5}]}, None, bins, False) == [0, 3]


@pytest.mark.parametrize("selected", [
    {"range": {"x": [INF, NAN]}}, {"range": {"x": "ab"}}, {"range": {"x": [[1], [2]]}},
    {"range": 5}, [1, 2], {"range": {"x": [1, 2, 3]}}, {"range": {"x": [True, 2]}},
])
def test_a_drag_that_cannot_be_read_changes_nothing(selected):
    assert cb.given_outputs(None, selected, 64, True) is no_update
    assert cb.selection_from_levels(selected) is None


@pytest.mark.parametrize("points", [
    [{"curveNumber": 999}], [{"curveNumber": INF}], [{"curveNumber": NAN}],
    [{"curveNumber": -4}], [{"curveNumber": "red"}], [{"curveNumber": True}], [5], 5,
])
def test_a_drag_on_no_trace_of_the_figure_selects_nothing(points):
    assert cb.selection_from_levels({"range": {"x": [1, 20]}, "points": points}) is None


@pytest.mark.parametrize("click", [
    {"points": [{"customdata": [INF]}]}, {"points": [{"customdata": [NAN]}]},
    {"points": [{"customdata": [2.5]}]}, {"points": [5]}, {"points": [{"customdata": 3}]},
])
def test_a_3d_click_that_cannot_be_read_selects_nothing(click):
    assert cb.selection_from_bin(click, "noisy", "rgb", 16) is None


def test_a_3d_click_reads_space_and_bins_as_the_figure_was_drawn():
    click = {"points": [{"customdata": [3]}]}
    # Unreadable controls were drawn with the defaults: RGB, 16 bins per axis.
    assert cb.selection_from_bin(click, "original", {"a": 1}, INF) == "bin:rgb:16:3:original"


@pytest.mark.parametrize("upload", [
    {"contents": 5, "filename": "a.png"}, {"contents": ["data:,AA"], "filename": "a.png"},
    {"contents": {"a": 1}}, 5, ["data:,AA", "a.png"],
])
def test_an_upload_of_the_wrong_shape_is_refused_with_a_message(app_context, upload):
    outputs = handle_upload(upload, [])
    assert outputs[:2] == (no_update, no_update)
    assert outputs[2] is no_update or "garbled" in str(outputs[2])


def test_an_upload_with_odd_options_and_name_still_loads(app_context):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buffer, "PNG")
    for filename, options in (({"a": 1}, 5), (["a.png"], [5, {"value": "x", "label": "X"}])):
        options_out, value, message = upload_outputs(_data_url(buffer.getvalue()),
                                                        filename, options)
        assert value.startswith("upload:")
        assert "Loaded the file" in str(message)
        assert all(isinstance(option, dict) for option in options_out)


def test_upload_messages_quote_only_a_short_piece_of_the_file_name(app_context):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buffer, "PNG")
    name = "n" * 100_000 + ".png"
    for contents in (_data_url(buffer.getvalue()), "data:image/png;base64,@@@",
                     _data_url(b"not an image")):
        options, _, message = upload_outputs(contents, name, [])
        assert len(str(message)) < 400
        assert "nnnnn..." in str(message)
        if options is not no_update:
            assert len(options[0]["label"]) <= 80
