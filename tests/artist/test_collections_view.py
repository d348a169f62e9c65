"""The artist page's comparison of two collections (your own, or Van Gogh): numbers checked
against hand-computed answers on single-colour images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dashboard.app import create_app
from dashboard.artist import callbacks as cb
from dashboard.artist import ids, page
from dashboard.artist import services as artist_services
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

    figure, summary, palettes = cb.collections_outputs(ArtistState.from_controls(
        "compare", "", "rgb", None, left="reds-blues", right="reds"))
    assert figure.layout.title.text.startswith("reds-blues against reds")
    assert len(figure.data) == 8  # three channels and lightness, per collection
    assert "0.311 bits" in str(summary)
    assert "reds-blues: red (1)" in str(palettes)


def test_van_gogh_against_a_collection(two_collections):
    view = artist_services.compare_view("van-gogh", "reds", "oklab")
    assert view["labels"] == ["Van Gogh", "reds"] and view["counts"][1] == 1
    assert [g for g, _ in view["groups"][0]][0] == "Dutch"
    assert 0 < view["js"] <= 1


def test_unknown_collections_and_hidden_tab(two_collections):
    state = ArtistState.from_controls("compare", "", "rgb", None, left="nope", right="reds")
    figure, summary, palettes = cb.collections_outputs(state)
    assert "Choose two collections" in str(summary) and palettes is None
    hidden = ArtistState.from_controls("corpus", "", "rgb", None, left="reds", right="reds")
    assert all(o is cb.no_update for o in cb.collections_outputs(hidden))


def test_the_share_link_carries_the_two_collections(two_collections):
    query = cb.query_outputs("compare", "", "rgb", None, [], [], left="reds", right="van-gogh")
    assert query.endswith("&left=reds&right=van-gogh")
    state, notices = parse_artist_query({"view": "compare", "left": "reds", "right": "../x"},
                                        is_painting=lambda _: False, default_artwork="")
    assert (state.view, state.left, state.right) == ("compare", "reds", "")
    assert notices and "Ignored the right collection" in notices[-1]
    tree = page.layout(view="compare", left="reds")
    found = []

    def walk(node):
        if getattr(node, "id", None) in (ids.COMPARE_LEFT, ids.COMPARE_RIGHT):
            found.append(node.value)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(tree)
    assert found == ["reds", "van-gogh"]


@pytest.fixture
def collections_server(tmp_path):
    """The app on a clone without images (Van Gogh from the snapshot) with one collection."""
    from tests.support.servers import serving

    settings = samples_settings(tmp_path)
    for name, rgb in (("r.png", (255, 0, 0)), ("b.png", (0, 0, 255))):
        flat(tmp_path / "rb", name, rgb)
    assert main(["data", "collection", "add", "reds-blues", str(tmp_path / "rb"), "--serial",
                 "--no-progress"], settings=settings) == 0
    with serving(create_app(settings).server) as url:
        yield url


@pytest.mark.browser
def test_the_collections_tab_in_chromium(page, collections_server):
    from tests.support import plotly_page

    page.goto(collections_server + "/artist?view=compare&left=van-gogh&right=reds-blues")
    plotly_page.wait_for_graph(page, ids.COMPARE_GRAPH, 8, timeout=60_000)
    summary = page.inner_text(f"#{ids.COMPARE_SUMMARY}")
    assert "Van Gogh: 79 paintings" in summary and "reds-blues: 2 images" in summary
    assert "reds-blues: all 2" in page.inner_text(f"#{ids.COMPARE_PALETTES}")
    page.wait_for_function("() => window.location.search.includes('right=reds-blues')",
                           timeout=20_000)
    assert page.console_errors == []
