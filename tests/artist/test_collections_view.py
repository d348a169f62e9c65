"""The artist page's comparison of two collections (your own, or Van Gogh): numbers checked
against hand-computed answers on single-colour images."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from PIL import Image

from dashboard.app import create_app
from dashboard.artist import callbacks as cb
from dashboard.artist import ids, page
from dashboard.artist import services as artist_services
from dashboard.artist.snapshot import snapshot as artist_snapshot
from dashboard.artist.state import ArtistState, parse_artist_query
from dashboard.cli.main import main
from tests.support.apps import samples_settings


def flat(folder, name, rgb):
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (10, 10), rgb).save(folder / name)


@pytest.fixture
def two_collections(tmp_path):
    """``reds-blues``: one red and one blue image (groups red, blue); ``reds``: one red."""
    settings = samples_settings(tmp_path)
    flat(tmp_path / "rb", "r.png", (255, 0, 0))
    flat(tmp_path / "rb", "b.png", (0, 0, 255))
    (tmp_path / "rb.csv").write_text("file,group,year\nr.png,red,1900\nb.png,blue,1901\n")
    flat(tmp_path / "r", "r.png", (255, 0, 0))
    for name, folder, extra in (("reds-blues", "rb", ["--metadata", str(tmp_path / "rb.csv")]),
                                ("reds", "r", [])):
        assert main(["data", "collection", "add", name, str(tmp_path / folder), *extra,
                     "--serial", "--no-progress"], settings=settings) == 0
    app = create_app(settings)
    with app.server.app_context():
        yield app


def test_two_collections_side_by_side(two_collections):
    options = [o["value"] for o in artist_services.collection_options(79)]
    assert options == ["van-gogh", "reds", "reds-blues"]
    view = artist_services.compare_view("reds-blues", "reds", "rgb")
    assert view["counts"] == [2, 1] and view["groups"][0] == [("red", 1), ("blue", 1)]
    # M = (3/4 red, 1/4 blue): JS = (0.5 (0.5 log2(2/3) + 0.5 log2 2) + 0.5 log2(4/3)) bits.
    expected = 0.5 * (0.5 * np.log2(2 / 3) + 0.5 + np.log2(4 / 3))
    assert view["js"] == pytest.approx(expected, abs=1e-12)
    # Half the red mass moves from level 0 to 255, and half the blue mass the other way.
    np.testing.assert_allclose(view["emd"], [127.5, 0.0, 127.5], atol=1e-9)
    left_palette = view["palettes"][0][0]
    assert left_palette[0] == "reds-blues: all 2"
    assert left_palette[1].tolist()[:2] in ([[248, 8, 8], [8, 8, 248]], [[8, 8, 248], [248, 8, 8]])
    np.testing.assert_allclose(left_palette[2][:2], [0.5, 0.5])

    state = ArtistState.from_controls("compare", "", "rgb", None, left="reds-blues",
                                      right="reds")
    figure, summary, palettes, drawn = cb.collections_outputs(state)
    assert figure["layout"]["title"]["text"].startswith("reds-blues against reds")
    assert len(figure["data"]) == 8  # three channels and lightness, per collection
    assert "0.311 bits" in str(summary)
    # Each collection's palettes are one picture, described in words.
    pictures = palettes.children
    assert [p.src.startswith("data:image/svg+xml;base64,") for p in pictures] == [True, True]
    assert pictures[0].alt.startswith("reds-blues: all 2: ")
    for row in ("reds-blues: red (1): 100.0% #f80808", "reds-blues: blue (1): 100.0% #0808f8",
                "50.0% #f80808", "50.0% #0808f8"):
        assert row in pictures[0].alt
    assert pictures[1].alt.startswith("reds: all 1: 100.0% #f80808")
    # The same two collections again: only the summary is sent (a space change redraws it).
    again = cb.collections_outputs(ArtistState.from_controls(
        "compare", "", "lab", None, left="reds-blues", right="reds"), drawn)
    assert again[0] is cb.no_update and again[2] is cb.no_update and again[3] is cb.no_update
    assert "CIE Lab" in str(again[1])


def test_year_by_year(two_collections):
    """Pure red (L* 53.24) dated 1900 and pure blue (L* 32.30) dated 1901; ``reds`` has no
    dates, so it draws no year."""
    drawn = cb.collections_outputs(ArtistState.from_controls(
        "compare", "", "rgb", None, left="reds-blues", right="reds"))[3]
    figure = cb.years_outputs(drawn, "mean_lightness")
    line, bars, other_line, other_bars = figure["data"]
    assert line["x"] == [1900, 1901] and bars["y"] == [1, 1] and line["customdata"] == [1, 1]
    np.testing.assert_allclose(typed_values(line["y"]), [53.2329, 32.3026], atol=0.01)
    assert other_line["x"] == [] and other_bars["y"] == []
    assert "Mean lightness" in figure["layout"]["title"]["text"]
    # Shares are drawn in %: a pure blue image is all blue, a pure red one not at all.
    blue = cb.years_outputs(drawn, "blue_share")["data"][0]
    np.testing.assert_allclose(typed_values(blue["y"]), [0.0, 100.0], atol=1e-9)
    assert cb.years_outputs(drawn, "no-such-stat")["layout"]["title"]["text"] == \
        figure["layout"]["title"]["text"]
    assert cb.years_outputs(None, "mean_lightness") is cb.no_update
    assert "Choose two" in str(cb.years_outputs({"left": "nope", "right": "reds"}, "x"))


def typed_values(packed: dict) -> np.ndarray:
    """The numbers of a plotly typed array (``{"dtype": "f8", "bdata": ...}``)."""
    return np.frombuffer(base64.b64decode(packed["bdata"]), dtype="<f8")


def test_a_story_slide_carries_the_collections_figures(two_collections):
    slide = artist_snapshot({"view": "compare", "left": "reds-blues", "right": "reds"})
    assert slide.title == "Collections: reds-blues against reds"
    assert [label for label, _ in slide.figures] == [
        "reds-blues against reds (each image counts equally)",
        "Year by year: Mean lightness L* (0–100)"]
    comparison, years = (figure for _, figure in slide.figures)
    assert len(comparison.data) == 8 and list(years.data[0].x) == [1900, 1901]
    assert any("0.311 bits" in text for text in slide.texts)
    assert "left=reds-blues&right=reds" in slide.query


def test_van_gogh_against_a_collection(two_collections):
    view = artist_services.compare_view("van-gogh", "reds", "oklab")
    assert view["labels"] == ["Van Gogh", "reds"] and view["counts"][1] == 1
    assert [g for g, _ in view["groups"][0]][0] == "Dutch"
    assert 0 < view["js"] <= 1


def test_unknown_collections_and_hidden_tab(two_collections):
    state = ArtistState.from_controls("compare", "", "rgb", None, left="nope", right="reds")
    figure, summary, palettes, drawn = cb.collections_outputs(state)
    assert "Choose two collections" in str(summary) and palettes is None
    assert "Choose two" in str(cb.years_outputs(drawn, "mean_lightness"))
    # A forged drawn store is a view to draw, not an error.
    good = ArtistState.from_controls("compare", "", "rgb", None, left="reds", right="reds")
    assert cb.collections_outputs(good, ["junk"])[3]["key"].startswith("reds@")
    assert cb.years_outputs("junk", "mean_lightness") is cb.no_update
    hidden = ArtistState.from_controls("corpus", "", "rgb", None, left="reds", right="reds")
    assert all(o is cb.no_update for o in cb.collections_outputs(hidden))


def test_the_share_link_carries_the_two_collections(two_collections):
    query = cb.query_outputs("compare", "", "rgb", "blue_share", [], [], left="reds",
                             right="van-gogh", year_stat="entropy_bits")
    assert query.endswith("&left=reds&right=van-gogh")
    # On this view the link's statistic is the year figure's, which the page starts from.
    assert "stat=entropy_bits" in query
    assert "stat=blue_share" in cb.query_outputs("timeline", "", "rgb", "blue_share", [], [],
                                                 year_stat="entropy_bits")
    state, notices = parse_artist_query({"view": "compare", "left": "reds", "right": "../x"},
                                        is_painting=lambda _: False, default_artwork="")
    assert (state.view, state.left, state.right) == ("compare", "reds", "")
    assert notices and "Ignored the right collection" in notices[-1]
    tree = page.layout(view="compare", left="reds", stat="yellow_share")
    found = []

    def walk(node):
        if getattr(node, "id", None) in (ids.COMPARE_LEFT, ids.COMPARE_RIGHT,
                                         ids.COMPARE_YEAR_STAT):
            found.append(node.value)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(tree)
    assert found == ["reds", "van-gogh", "yellow_share"]


@pytest.fixture
def collections_server(tmp_path):
    """The app on a clone without images (Van Gogh from the snapshot) with one collection,
    a red image dated 1900 and a blue one dated 1901."""
    from tests.support.servers import serving

    settings = samples_settings(tmp_path)
    for name, rgb in (("r.png", (255, 0, 0)), ("b.png", (0, 0, 255))):
        flat(tmp_path / "rb", name, rgb)
    (tmp_path / "rb.csv").write_text("file,year\nr.png,1900\nb.png,1901\n")
    assert main(["data", "collection", "add", "reds-blues", str(tmp_path / "rb"), "--metadata",
                 str(tmp_path / "rb.csv"), "--serial", "--no-progress"], settings=settings) == 0
    with serving(create_app(settings).server) as url:
        yield url


@pytest.mark.browser
def test_the_collections_tab_in_chromium(page, collections_server):
    from tests.support import plotly_page

    page.goto(collections_server + "/artist?view=compare&left=van-gogh&right=reds-blues")
    plotly_page.wait_for_graph(page, ids.COMPARE_GRAPH, 8, timeout=60_000)
    plotly_page.shown_text(page, ids.COMPARE_SUMMARY, "Van Gogh")
    summary = page.inner_text(f"#{ids.COMPARE_SUMMARY}")
    assert "Van Gogh: 79 paintings" in summary and "reds-blues: 2 images" in summary
    pictures = page.locator(f"#{ids.COMPARE_PALETTES} img")
    assert pictures.count() == 2
    assert pictures.nth(1).get_attribute("alt").startswith("reds-blues: all 2: ")
    # The palette pictures are drawn (an SVG the browser could not read has no width).
    page.wait_for_function("(id) => Array.from(document.querySelectorAll('#' + id + ' img'))"
                           ".every(i => i.complete && i.naturalWidth > 0)",
                           arg=ids.COMPARE_PALETTES, timeout=20_000)
    # Year by year, after the comparison: the collection's two dated images.
    plotly_page.wait_for_graph(page, ids.COMPARE_YEARS_GRAPH, 4, timeout=30_000)
    assert plotly_page.graph_eval(page, ids.COMPARE_YEARS_GRAPH,
                                  "Array.from(g.data[2].x)") == [1900, 1901]
    page.wait_for_function("() => window.location.search.includes('right=reds-blues')",
                           timeout=20_000)
    # Another colour space changes the divergence in words and sends no figure again (a
    # figure sent again would replace the traces, and the mark on them).
    plotly_page.graph_eval(page, ids.COMPARE_GRAPH, "g.data[0].__kept = true")
    page.get_by_label("CIE Lab").check()
    page.wait_for_function(f"() => document.getElementById('{ids.COMPARE_SUMMARY}')"
                           ".innerText.includes('CIE Lab colour histograms')", timeout=20_000)
    page.wait_for_timeout(300)
    assert plotly_page.graph_eval(page, ids.COMPARE_GRAPH, "g.data[0].__kept === true")
    assert page.console_errors == []


def test_a_link_naming_no_registered_collection_falls_back_with_a_notice():
    from dashboard.artist.state import VAN_GOGH

    notices: list[str] = []
    state = ArtistState.from_controls("compare", "", "rgb", None, left="vangogh",
                                      right="missing")
    fixed = page.known_collections(state, {VAN_GOGH, "reds"}, notices)
    assert (fixed.left, fixed.right) == (VAN_GOGH, "")
    assert notices == [
        "There is no collection 'vangogh' here; showing Van Gogh instead.",
        "There is no collection 'missing' here; showing the default collection instead."]
    kept = ArtistState.from_controls("compare", "", "rgb", None, left="reds", right=VAN_GOGH)
    assert page.known_collections(kept, {VAN_GOGH, "reds"}, notices) == kept
    assert len(notices) == 2
