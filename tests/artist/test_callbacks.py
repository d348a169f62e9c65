"""Artist page callbacks, layout, share-link parsing and the thumbnail route, on the tiny
generated corpus (three paintings present, one per period) and on an app without a corpus.

Expected numbers are computed independently from the decoded images with the colour engine.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace

import numpy as np
import pytest
from dash import no_update
from PIL import Image
from skimage import color as skcolor
from skimage import data as skdata

from dashboard.app import create_app
from dashboard.artist import callbacks as cb
from dashboard.artist import ids, page
from dashboard.artist import services as artist_services
from dashboard.artist.state import ArtistState, parse_artist_query
from dashboard.config import Settings
from dashboard.core.colours import (
    channel_pmfs,
    colour_histogram,
    colour_statistics,
    earth_movers_distance,
    js_divergence,
)
from dashboard.data.corpus import CORPUS_HELP
from tests.support.apps import samples_settings

PRESENT = ("red-field-1884", "green-street-1887", "blue-night-1888")


def _state(view, artwork=None, space=None, stat=None, pickers=(), switches=()) -> ArtistState:
    """The state the artist page's controls give (cleaned as the page cleans them)."""
    return ArtistState.from_controls(view, artwork, space, stat, pickers, switches)


@pytest.fixture
def tiny_app(tiny_corpus):
    return create_app(tiny_corpus.settings)


@pytest.fixture
def tiny_context(tiny_app):
    with tiny_app.server.app_context():
        yield tiny_app


@pytest.fixture
def pixels(tiny_corpus):
    """The decoded images of the present paintings, as the index sees them."""
    corpus = tiny_corpus.corpus()
    return {artwork_id: corpus.load(artwork_id) for artwork_id in PRESENT}


def _find(component, predicate):
    """Every component in a Dash tree for which ``predicate`` holds."""
    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(reversed(node))  # document order
            continue
        if node is None or isinstance(node, (str, int, float)):
            continue
        if predicate(node):
            found.append(node)
        stack.append(getattr(node, "children", None))
    return found


def _text(component) -> str:
    parts = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(reversed(node))
        elif isinstance(node, (str, int, float)):
            parts.append(str(node))
        elif node is not None:
            stack.append(getattr(node, "children", None))
    return "".join(parts)


# ------------------------------------------------------------------------- share links

def test_parse_artist_query_reads_a_full_link():
    state, notices = parse_artist_query(
        {"view": "timeline", "artwork": "blue-night-1888", "space": "lab",
         "stat": "blue_share", "colours": "c81e14,#2A4B8D,fc0", "utm_source": "x"},
        is_painting=set(PRESENT).__contains__, default_artwork="red-field-1884")
    assert notices == []
    assert state == ArtistState(artwork="blue-night-1888", view="timeline", space="lab",
                                     stat="blue_share",
                                     colours=("#c81e14", "#2a4b8d", "#ffcc00"))
    assert state.to_query() == ("?view=timeline&artwork=blue-night-1888&space=lab"
                                "&stat=blue_share&colours=c81e14,2a4b8d,ffcc00")


def test_parse_artist_query_turns_bad_values_into_notices():
    state, notices = parse_artist_query(
        {"artwork": "../../etc/passwd", "view": "secret", "space": "cmyk", "stat": "beauty",
         "colours": "zzz,123456,abcdef,fff,000,123456"},
        is_painting=set(PRESENT).__contains__, default_artwork="red-field-1884")
    assert state.artwork == "red-field-1884"
    assert (state.view, state.space, state.stat) == ("corpus", "rgb", "mean_lightness")
    assert state.colours == ("#123456", "#abcdef", "#ffffff")
    text = " ".join(notices)
    for expected in ("Unknown or unavailable painting '../../etc/passwd'", "view='secret'",
                     "space='cmyk'", "stat='beauty'", "ignored 'zzz'",
                     "only 3 colours can be searched"):
        assert expected in text


def test_a_huge_colours_value_is_cut_and_said_in_one_notice():
    raw = "123456," + ",".join(["zz"] * 1_000_000)  # 3 MB
    state, notices = parse_artist_query({"colours": raw}, is_painting=bool,
                                        default_artwork="x")
    assert state.colours == ("#123456",)
    assert len(notices) == 1 and len(notices[0]) < 300
    assert f"first 200 of its {len(raw):,} characters" in notices[0]
    assert "ignored 'zz' and 63 more" in notices[0]


def test_repeated_and_extra_colours_give_one_notice():
    state, notices = parse_artist_query(
        {"colours": "fff,#ffffff,000,abc,fff,123,456,zz"}, is_painting=bool,
        default_artwork="x")
    assert state.colours == ("#ffffff", "#000000", "#aabbcc")
    assert len(notices) == 1
    assert "ignored 'zz'" in notices[0] and "only 3 colours" in notices[0]


def test_pickers_read_only_short_colour_text_that_is_switched_on():
    long_value = "#" + "f" * 100_000
    assert _state("search", pickers=[long_value, "#00ff00", 5],
                  switches=[True, True, True]).colours == ("#00ff00",)
    assert _state("search", pickers=["#ff0000", "#00ff00"],
                  switches=[{"on": True}, "yes"]).colours == ()
    assert _state("search", pickers=5, switches={"a": 1}).colours == ()


def test_empty_colours_in_a_link_mean_no_colour():
    state, notices = parse_artist_query({"colours": ""}, is_painting=bool,
                                             default_artwork="x")
    assert state.colours == () and notices == []
    assert state.to_query().endswith("colours=")


def test_layout_builds_from_a_link(tiny_context):
    tree = page.layout(view="painting", artwork="green-street-1887", space="hsv",
                       colours="c81e14")
    tabs = _find(tree, lambda c: getattr(c, "id", None) == ids.TABS)[0]
    assert tabs.active_tab == "painting"
    select = _find(tree, lambda c: getattr(c, "id", None) == ids.ARTWORK_SELECT)[0]
    assert select.value == "green-street-1887"
    values = [o["value"] for o in select.options if not o.get("disabled")]
    assert values == list(PRESENT)  # the missing painting and the samples are not offered
    switches = [_find(tree, lambda c, i=i: getattr(c, "id", None) == i)[0].value
                for i in ids.COLOUR_SWITCHES]
    assert switches == [True, False, False]
    assert _find(tree, lambda c: getattr(c, "id", None) == ids.NOTICES)[0].children == []


def test_layout_never_crashes_on_a_bad_link(tiny_context):
    tree = page.layout(artwork="yellow-wheat-1890", view="x" * 500)
    notices = _text(_find(tree, lambda c: getattr(c, "id", None) == ids.NOTICES)[0])
    assert "yellow-wheat-1890" in notices  # catalogued, but its file is missing
    assert "Ignored view=" in notices


def test_query_outputs_are_canonical():
    query = cb.query_outputs("search", "red-field-1884", "bogus", "entropy_bits",
                             ["#C81E14", "#00ff00", "not a colour"], [True, False, True])
    assert query == ("?view=search&artwork=red-field-1884&space=rgb&stat=entropy_bits"
                     "&colours=c81e14")


# ------------------------------------------------------------------------- the index

def test_index_is_built_lazily_once(tiny_corpus, tiny_context):
    index_root = tiny_corpus.artworks_dir / ".index"
    page.layout()
    cb.corpus_outputs(_state("periods"))  # a hidden tab touches nothing
    assert not index_root.exists()
    first = artist_services.paintings()
    assert index_root.exists()
    assert artist_services.paintings() is first
    assert first.index.ids == PRESENT  # paintings only, no samples


def test_hidden_tabs_compute_nothing(tiny_context):
    assert cb.corpus_outputs(_state("periods")) == (no_update,) * 5
    assert cb.corpus_3d_outputs(_state("search", space="rgb")) == (no_update,) * 2
    assert cb.period_outputs(_state("corpus")) == (no_update,) * 4
    figure, _, key = cb.timeline_outputs(_state("corpus", None, stat="blue_share"))
    assert figure is no_update and key is no_update
    assert cb.painting_outputs(_state("corpus", PRESENT[0], "rgb")) == (no_update,) * 4
    assert cb.typical_outputs(_state("corpus", PRESENT[0], "rgb")) == (no_update,) * 2
    hidden_search = _state("corpus", pickers=["#ff0000"], switches=[True])
    assert cb.search_outputs(hidden_search) == (no_update,) * 2


def test_one_callback_serves_the_visible_tab_only(tiny_context):
    n_outputs = sum(len(outputs) + 1 for outputs in cb.SECTION_OUTPUTS.values())
    values = cb.view_outputs(_state("periods", PRESENT[0], "rgb", "blue_share", ["#ff0000"],
                                    [True]), {})
    assert len(values) == n_outputs == 22
    computed = [i for i, value in enumerate(values) if value is not no_update]
    start = len(cb.SECTION_OUTPUTS["corpus"]) + len(cb.SECTION_OUTPUTS["corpus3d"]) + 2
    # Periods: figure, palettes, table and drawn key; the timeline's help text is always set.
    assert computed == [start, start + 1, start + 2, start + 3, start + 5]
    assert values[start + 3] == cb.drawn_key("periods")


def test_coming_back_to_a_tab_redraws_nothing(tiny_context):
    *_, key = cb.corpus_outputs(_state("corpus"))
    assert cb.corpus_outputs(_state("corpus"), key) == (no_update,) * 5
    *_, key = cb.painting_outputs(_state("painting", PRESENT[1], "lab"))
    assert cb.painting_outputs(_state("painting", PRESENT[1], "lab"), key) == (no_update,) * 4
    changed = cb.painting_outputs(_state("painting", PRESENT[1], "hsv"), key)
    assert changed[0] is not no_update and changed[-1] != key
    _, key = cb.search_outputs(_state("search", pickers=["#ff0000"], switches=[True]))
    same = _state("search", pickers=["#FF0000", "#00ff00"], switches=[True, False])
    assert cb.search_outputs(same, key) == (no_update, no_update)


# ------------------------------------------------------------------------------ views

def test_corpus_outputs_pool_paintings_equally(tiny_context, pixels):
    pmf_fig, cdf_fig, palette, summary, _ = cb.corpus_outputs(_state("corpus"))
    # The images have 1536, 1536 and 1600 pixels: an equal-weight mean is the plain mean.
    expected = np.mean([channel_pmfs(img) for img in pixels.values()], axis=0)
    lines = [t for t in pmf_fig.data if t.name in ("red", "green", "blue")]
    assert [t.name for t in lines] == ["red", "green", "blue"]
    for ci, trace in enumerate(lines):
        np.testing.assert_allclose(trace.y, expected[ci], atol=1e-15)
    for ci, trace in enumerate(cdf_fig.data):
        np.testing.assert_allclose(trace.y, np.cumsum(expected[ci]), atol=1e-12)
    assert "3 paintings" in _text(summary) and "counts equally" in _text(summary)
    assert "Dutch 1, Paris 1, Arles 1" in _text(summary)
    assert len(_find(palette, lambda c: "swatch" == getattr(c, "className", None))) >= 3


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_corpus_3d_shows_the_pooled_histogram(tiny_context, pixels, space):
    fig, _ = cb.corpus_3d_outputs(_state("corpus", space=space))
    pooled = np.mean([colour_histogram(img, space, 16).pmf.ravel() for img in pixels.values()],
                     axis=0)
    marker_shares = np.asarray(fig.data[0].customdata)[:, 1] / 100
    bins = np.asarray(fig.data[0].customdata)[:, 0].astype(int)
    np.testing.assert_allclose(marker_shares, pooled[bins], atol=1e-12)
    assert len(bins) == np.count_nonzero(pooled)
    assert "3 paintings pooled" in fig.layout.title.text


def test_period_outputs_show_each_period(tiny_context, pixels):
    fig, palettes, table, _ = cb.period_outputs(_state("periods"))
    names = [t.name for t in fig.data if t.showlegend]
    assert names == ["Dutch (1)", "Paris (1)", "Arles (1)"]
    red_dutch = next(t for t in fig.data if t.name == "Dutch (1)")
    np.testing.assert_allclose(red_dutch.y, channel_pmfs(pixels["red-field-1884"])[0])
    lightness = next(t for t in fig.data if t.name == "Arles (1)" and t.mode == "lines+markers")
    expected, _ = np.histogram(skcolor.rgb2lab(pixels["blue-night-1888"])[..., 0],
                               bins=np.linspace(0, 100, 17))
    np.testing.assert_allclose(lightness.y, 100 * expected / expected.sum(), atol=1e-9)
    text = _text(table)
    stats = colour_statistics(pixels["green-street-1887"])
    assert f"{stats.mean_lightness:.1f}" in text
    assert f"{100 * stats.blue_share:.1f}%" in text
    assert [_text(row) for row in _find(palettes, lambda c: getattr(c, "className", None)
                                        == "palette-label")] == [
        "Dutch (1)", "Paris (1)", "Arles (1)"]


def test_timeline_outputs_one_point_per_painting(tiny_context, pixels):
    fig, help_text, _ = cb.timeline_outputs(
        _state("timeline", "blue-night-1888", stat="blue_share"))
    points = [t for t in fig.data if t.name in ("Dutch", "Paris", "Arles")]
    assert len(points) == 3
    for trace in points:
        artwork_id = trace.customdata[0][0]
        assert trace.y[0] == pytest.approx(100 * colour_statistics(pixels[artwork_id]).blue_share)
    yearly = next(t for t in fig.data if t.name == "yearly mean")
    assert list(yearly.x) == [1884, 1887, 1888]
    ring = next(t for t in fig.data if t.name == "compared painting")
    assert ring.customdata[0][0] == "blue-night-1888"
    assert "blue hue" in help_text
    fig, help_text, _ = cb.timeline_outputs(_state("timeline", None, stat="nonsense"))
    assert "lightness" in fig.layout.yaxis.title.text.lower()


def test_painting_outputs_against_the_rest(tiny_context, pixels):
    fig, summary, palettes, _ = cb.painting_outputs(_state("painting", "red-field-1884", "lab"))
    others = [pixels["green-street-1887"], pixels["blue-night-1888"]]
    rest = np.mean([colour_histogram(img, "lab", 16).pmf for img in others], axis=0)
    expected_js = js_divergence(colour_histogram(pixels["red-field-1884"], "lab", 16).pmf, rest)
    text = _text(summary)
    assert f"{expected_js:.3f} bits" in text
    assert "only Dutch painting" in text
    rest_pmf = np.mean([channel_pmfs(img) for img in others], axis=0)
    emd = earth_movers_distance(channel_pmfs(pixels["red-field-1884"]), rest_pmf)
    assert f"red {emd[0]:.1f}, green {emd[1]:.1f}, blue {emd[2]:.1f}" in text
    corpus_trace = next(t for t in fig.data if t.name.startswith("all other paintings"))
    np.testing.assert_allclose(corpus_trace.y, rest_pmf[0], atol=1e-15)
    labels = [_text(c) for c in _find(palettes, lambda c: getattr(c, "className", None)
                                      == "palette-label")]
    assert labels == ["This painting", "All others"]  # no other Dutch painting


def test_painting_outputs_for_an_unknown_painting(tiny_context):
    fig, summary, palettes, _ = cb.painting_outputs(_state("painting", "../../etc/passwd", "rgb"))
    assert "Choose a painting" in _text(summary) and palettes is None


def test_typical_lists_need_two_paintings_per_period(tiny_context):
    lists, _ = cb.typical_outputs(_state("painting", None, "rgb"))
    assert "No period has two paintings" in _text(lists)


def test_search_outputs_find_the_red_painting(tiny_context):
    result, _ = cb.search_outputs(_state("search", pickers=["#c81e14", "#1428be", "#000000"],
                                         switches=[True, False, False]))
    cards = _find(result, lambda c: "artist-card" in str(getattr(c, "className", "")).split())
    first = cards[0]
    assert first.to_plotly_json()["props"]["data-artwork"] == "red-field-1884"
    links = _find(first, lambda c: getattr(c, "href", None) == "/?artwork=red-field-1884")
    assert links, "the card opens the painting in the explorer"
    images = _find(first, lambda c: getattr(c, "src", None) == "/thumb/red-field-1884.jpg")
    assert images
    assert "Switch on at least one colour" in _text(
        cb.search_outputs(_state("search", pickers=["#c81e14"], switches=[False]))[0])


def test_compare_button_selects_the_painting(tiny_context):
    button = {"type": ids.COMPARE_BUTTON, "index": "green-street-1887"}
    clicked = [{"prop_id": '{"index":"green-street-1887","type":"artist-compare"}.n_clicks',
                "value": 1}]
    assert cb.compare_outputs(clicked, button) == ("green-street-1887", "painting")
    appeared = [{"prop_id": clicked[0]["prop_id"], "value": 0}]
    assert cb.compare_outputs(appeared, button) == (no_update, no_update)
    bogus = {"type": ids.COMPARE_BUTTON, "index": "yellow-wheat-1890"}
    assert cb.compare_outputs(clicked, bogus) == (no_update, no_update)


# --------------------------------------------------------------------------- no corpus

def test_without_a_corpus_the_page_says_how_to_add_it(tmp_path):
    # A catalogue without the shipped snapshot beside it: nothing to show at all.
    shutil.copy(Settings().catalogue_path, tmp_path / "catalogue.csv")
    fresh_app = create_app(replace(samples_settings(tmp_path),
                                   catalogue_path=tmp_path / "catalogue.csv"))
    with fresh_app.server.app_context():  # its own cache folder, tmp_path / "cache"
        tree = page.layout(view="periods", artwork="anything")
        plain_help = CORPUS_HELP.replace("`", "")
        assert plain_help in _text(tree)  # commands shown as code, without the backticks
        commands = _find(tree, lambda c: type(c).__name__ == "Code")
        assert [c.children for c in commands] == [
            "scripts/python -m dashboard data download",
            "scripts/python -m dashboard data import DIR"]
        assert artist_services.paintings() is None
        figure = cb.corpus_outputs(_state("corpus"))[0]
        text = figure.layout.annotations[0].text
        assert text.replace("<br>", " ").endswith(plain_help) and "`" not in text
        assert max(len(line) for line in text.split("<br>")) <= 70
    assert not (tmp_path / "cache" / "index").exists()


# ------------------------------------------------------------------------------ thumbs

def _thumbnail(response) -> Image.Image:
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"].startswith("public")
    return Image.open(io.BytesIO(response.data))


def test_thumbnail_of_a_painting(tiny_app, tiny_corpus, pixels):
    image = _thumbnail(tiny_app.server.test_client().get("/thumb/red-field-1884.jpg"))
    assert image.size == (48, 32)  # smaller than 240 px: kept as it is
    decoded = np.asarray(image.convert("RGB")).astype(int)
    assert np.abs(decoded - pixels["red-field-1884"]).mean() < 4


def test_thumbnail_is_downscaled_to_240_px(app):
    image = _thumbnail(app.server.test_client().get("/thumb/sample-astronaut.jpg"))
    assert image.size == (240, 240)
    expected = np.asarray(Image.fromarray(skdata.astronaut()).resize((240, 240),
                                                                     Image.Resampling.LANCZOS))
    assert np.abs(np.asarray(image.convert("RGB")).astype(int) - expected).mean() < 6


@pytest.mark.parametrize("path", [
    "/thumb/no-such-artwork.jpg",
    "/thumb/yellow-wheat-1890.jpg",  # catalogued, file missing
    "/thumb/../../etc/passwd.jpg",
    "/thumb/..%2F..%2Fetc%2Fpasswd.jpg",
    "/thumb/%2e%2e%2f%2e%2e%2fetc%2fpasswd.jpg",
    "/thumb/red-field-1884.png",
])
def test_thumbnail_route_404s(tiny_app, path):
    assert tiny_app.server.test_client().get(path).status_code == 404


@pytest.mark.parametrize("artwork_id", ["../../etc/passwd", "/etc/passwd", "..", ""])
def test_thumbnail_view_looks_ids_up_in_the_catalogue_only(tiny_app, artwork_id):
    from werkzeug.exceptions import NotFound

    from dashboard.artist.routes import serve_thumbnail

    with tiny_app.server.test_request_context("/"), pytest.raises(NotFound):
        serve_thumbnail(artwork_id)
