"""The artist page on a clone without the images: drawn from the shipped snapshot of the
paintings' colour statistics (data/colour_statistics.npz), paintings shown as palettes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from dashboard.app import create_app
from dashboard.artist import callbacks as cb
from dashboard.artist import ids, page
from dashboard.artist import services as artist_services
from dashboard.artist.layout import NO_EXPLORER_TEXT, NO_IMAGE_TEXT
from dashboard.artist.state import ArtistState
from dashboard.data.snapshot import DEFAULT_SNAPSHOT, read_snapshot_rows
from tests.support import plotly_page
from tests.support.apps import samples_settings
from tests.support.servers import serving


def _find(component, predicate) -> list:
    found = []

    def walk(node):
        if predicate(node):
            found.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(component)
    return found


def _text(component) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        return "".join(_text(c) for c in children)
    return _text(children)


@pytest.fixture(scope="module")
def shipped():
    """``id -> row`` of the shipped snapshot, read independently of the page."""
    _, ids_, rows = read_snapshot_rows(DEFAULT_SNAPSHOT)
    return dict(zip(ids_, rows, strict=True))


@pytest.fixture
def no_images(tmp_path):
    """An app with no image at all and the repository's catalogue (and snapshot)."""
    app = create_app(samples_settings(tmp_path))
    with app.server.app_context():
        yield app


def test_the_page_is_drawn_from_the_snapshot(no_images, shipped, tmp_path):
    data = artist_services.paintings()
    assert data is not None and not data.images and len(data) == len(shipped)
    tree = page.layout(view="corpus")
    note = _find(tree, lambda c: getattr(c, "id", None) == ids.SNAPSHOT_NOTE)
    assert note and "not installed" in _text(note[0])
    # The pooled PMF is the mean of the paintings' counts / pixels, from the file itself.
    expected = np.mean([row["channel_counts"] / row["n_pixels"] for row in shipped.values()],
                       axis=0)
    np.testing.assert_allclose(artist_services.corpus_view()["pmf"], expected, rtol=1e-12)
    pmf_figure = cb.corpus_outputs(ArtistState.from_controls("corpus", "", "rgb", ""))[0]
    red = next(trace for trace in pmf_figure.data if trace.name == "red")
    np.testing.assert_allclose(np.asarray(red.y, dtype=float), expected[0], rtol=1e-12)
    assert not (tmp_path / "cache" / "index").exists()  # nothing was indexed


def test_paintings_are_palettes_and_the_explorer_says_it_needs_the_image(no_images, shipped):
    state = ArtistState.from_controls("search", "", "rgb", "", ["#e8b923"], [True])
    results = cb.search_outputs(state)[0]
    cards = _find(results, lambda c: "artist-card" == getattr(c, "className", "").split(" ")[0])
    assert len(cards) == 12
    assert not _find(results, lambda c: str(getattr(c, "src", "")).startswith("/thumb/"))
    assert not _find(results, lambda c: getattr(c, "href", None) is not None)
    assert _text(results).count(NO_IMAGE_TEXT) == 12
    assert _text(results).count(NO_EXPLORER_TEXT) == 12
    first = cards[0].to_plotly_json()["props"]["data-artwork"]
    bands = _find(cards[0], lambda c: getattr(c, "className", None) == "artist-swatch-band")
    used = shipped[first]["palette_shares"] > 0
    assert len(bands) == int(used.sum())
    colours = ["#{:02x}{:02x}{:02x}".format(*c) for c in shipped[first]["palette_colours"][used]]
    assert [b.style["backgroundColor"] for b in bands] == colours
    state = ArtistState.from_controls("painting", first, "lab", "")
    summary = cb.painting_outputs(state)[1]
    assert NO_EXPLORER_TEXT.capitalize() in _text(summary)


@pytest.fixture(scope="module")
def snapshot_server(tmp_path_factory) -> Iterator[str]:
    """The app as a fresh clone serves it: no image, the shipped snapshot."""
    with serving(create_app(samples_settings(tmp_path_factory.mktemp("clone"))).server) as url:
        yield url


@pytest.mark.browser
def test_a_fresh_clone_shows_the_artist_page_in_chromium(page, snapshot_server):
    response = page.goto(snapshot_server + "/artist?view=corpus")
    assert response.status == 200
    page.wait_for_selector(f"#{ids.SNAPSHOT_NOTE}")
    plotly_page.wait_for_graph(page, ids.CORPUS_PMF_GRAPH, 3, timeout=60_000)
    page.goto(snapshot_server + "/artist?view=search&colours=e8b923,2a4b8d")
    page.wait_for_selector(".artist-swatch-thumb", timeout=60_000)
    cards = page.locator(".artist-card")
    assert cards.count() == 12
    assert NO_IMAGE_TEXT in cards.first.inner_text()
    assert NO_EXPLORER_TEXT in cards.first.inner_text()
    assert page.locator(".artist-card img").count() == 0
    assert page.console_errors == []


@pytest.mark.browser
def test_a_timeline_click_stays_on_the_page_without_the_images(page, snapshot_server):
    page.goto(snapshot_server + "/artist?view=timeline&stat=mean_lightness")
    plotly_page.wait_for_graph(page, ids.TIMELINE_GRAPH, 6, timeout=60_000)
    points = plotly_page.graph_eval(
        page, ids.TIMELINE_GRAPH,
        "g.data.map(t => [t, values(t.x), values(t.y), values(t.customdata)])"
        ".filter(([t, x, y, custom]) => t.mode === 'markers' && custom && x.length > 1)"
        ".flatMap(([t, x, y, custom]) => Array.from(x, (xi, i) => [xi, y[i], custom[i][0]]))")
    x, y, _ = min(points, key=lambda p: p[1])  # the isolated darkest point is easy to hit
    left, top = plotly_page.point_position(page, ids.TIMELINE_GRAPH, x, y)
    page.mouse.move(left, top)
    page.wait_for_selector(f"#{ids.TIMELINE_GRAPH} .hoverlayer .hovertext")
    page.mouse.click(left, top)
    page.wait_for_timeout(1000)  # a navigation would have started by now
    assert "/artist" in page.url
    assert page.console_errors == []
