"""The artist page in real headless Chromium: views, share links, colour search, thumbnails and
the links to the explorer. Tests marked ``corpus`` run on the real Van Gogh corpus."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from dashboard.app import create_app
from dashboard.artist import ids
from dashboard.config import Settings, load_settings
from dashboard.data.corpus import CORPUS_HELP
from tests.support import plotly_page
from tests.support.apps import samples_settings
from tests.support.plotly_page import graph_eval, point_position, shown_text
from tests.support.servers import serving
from tests.support.tiny_corpus import make_tiny_corpus

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory) -> Iterator[str]:
    """The app on the tiny generated corpus (three paintings present, one per period)."""
    tiny = make_tiny_corpus(tmp_path_factory.mktemp("artist-tiny"))
    with serving(create_app(tiny.settings).server) as url:
        yield url


@pytest.fixture(scope="module")
def real_server(tmp_path_factory) -> Iterator[str]:
    """The app on the corpus named by DASHBOARD_ARTWORKS_DIR (index kept in the cache dir)."""
    settings = load_settings(cache_dir=tmp_path_factory.mktemp("artist-real") / "cache")
    assert settings.artworks_dir.is_dir(), f"DASHBOARD_ARTWORKS_DIR={settings.artworks_dir}"
    with serving(create_app(settings).server) as url:
        yield url


def wait_for_graph(page, graph_id: str, min_traces: int = 1) -> None:
    # The first draw indexes the corpus: a long wait on the real one.
    plotly_page.wait_for_graph(page, graph_id, min_traces, timeout=90_000)


def wait_for_url(page, fragment: str) -> None:
    page.wait_for_function("f => window.location.href.includes(f)", arg=fragment,
                           timeout=20_000)


def wait_for_thumbnails(page, selector: str, minimum: int = 1) -> int:
    page.wait_for_function(
        """([s, n]) => { const imgs = Array.from(document.querySelectorAll(s));
                         return imgs.length >= n && imgs.every(i => i.complete
                                                               && i.naturalWidth > 0); }""",
        arg=[selector, minimum], timeout=30_000)
    return page.locator(selector).count()


def click_point(page, graph_id: str, x: float, y: float) -> None:
    """Hover then click the data point at (x, y) of a 2D plotly graph."""
    left, top = point_position(page, graph_id, x, y)
    page.mouse.move(left, top)
    page.wait_for_selector(f"#{graph_id} .hoverlayer .hovertext")
    page.mouse.click(left, top)


# ------------------------------------------------------------------------------ no corpus

@pytest.fixture(scope="module")
def bare_server(tmp_path_factory) -> Iterator[str]:
    """The app with neither images nor the shipped snapshot of their statistics."""
    root = tmp_path_factory.mktemp("artist-bare")
    shutil.copy(Settings().catalogue_path, root / "catalogue.csv")
    settings = replace(samples_settings(root), catalogue_path=root / "catalogue.csv")
    with serving(create_app(settings).server) as url:
        yield url


def test_without_a_corpus_the_page_explains_how_to_add_it(page, bare_server):
    response = page.goto(bare_server + "/artist?view=periods")
    assert response.status == 200
    page.wait_for_selector(f"#{ids.NOTICES}")
    assert CORPUS_HELP.replace("`", "") in page.inner_text(f"#{ids.NOTICES}")
    assert page.locator(f"#{ids.NOTICES} code").count() == 2  # the two commands
    page.get_by_role("link", name="open the explorer").click()
    page.wait_for_selector("#artwork-select")
    assert page.console_errors == []


# ---------------------------------------------------------------------- the tiny corpus

def test_views_draw_and_the_url_follows(page, tiny_server):
    page.goto(tiny_server + "/artist")
    wait_for_graph(page, ids.CORPUS_PMF_GRAPH, 9)
    wait_for_graph(page, ids.CORPUS_3D_GRAPH)
    wait_for_url(page, "view=corpus")
    assert "3 paintings" in page.inner_text(f"#{ids.CORPUS_SUMMARY}")
    assert page.locator(f"#{ids.CORPUS_PALETTE} .swatch").count() >= 3
    page.get_by_role("tab", name="Periods").click()
    wait_for_graph(page, ids.PERIODS_GRAPH, 12)
    wait_for_url(page, "view=periods")
    assert page.locator(f"#{ids.PERIOD_TABLE} tbody tr").count() == 3
    page.get_by_role("tab", name="Timeline").click()
    wait_for_graph(page, ids.TIMELINE_GRAPH, 4)
    page.select_option(f"#{ids.TIMELINE_STAT}", "blue_share")
    wait_for_url(page, "stat=blue_share")
    page.wait_for_function(
        f"""() => document.querySelector('#{ids.TIMELINE_GRAPH} .js-plotly-plot')
                 .layout.yaxis.title.text.startsWith('Blue share')""")
    assert "blue hue" in page.inner_text(f"#{ids.TIMELINE_HELP}")
    page.locator(f"#{ids.SPACE} label", has_text="CIE Lab").click()
    wait_for_url(page, "space=lab")
    assert page.console_errors == []


def test_share_link_reproduces_the_view(page, tiny_server):
    page.goto(tiny_server + "/artist?view=painting&artwork=green-street-1887&space=hsv"
              "&stat=entropy_bits&colours=c81e14")
    wait_for_graph(page, ids.PAINTING_GRAPH, 6)
    assert "One painting" in page.inner_text(f"#{ids.TABS} .nav-link.active")
    assert "Green Street" in page.inner_text(f"#{ids.ARTWORK_SELECT}")
    assert page.is_checked(f"#{ids.SPACE} input[value=hsv]")
    assert page.input_value(f"#{ids.TIMELINE_STAT}") == "entropy_bits"
    assert page.is_checked(f"#{ids.COLOUR_SWITCHES[0]}")
    assert not page.is_checked(f"#{ids.COLOUR_SWITCHES[1]}")
    assert page.input_value(f"#{ids.COLOUR_PICKERS[0]}") == "#c81e14"
    shown_text(page, ids.PAINTING_SUMMARY, "Green Street")
    summary = page.inner_text(f"#{ids.PAINTING_SUMMARY}")
    assert "Green Street" in summary and "HSV colour histogram" in summary
    names = graph_eval(page, ids.PAINTING_GRAPH, "g.data.map(t => t.name)")
    assert "all other paintings (2)" in names
    for key in ("view=painting", "artwork=green-street-1887", "space=hsv", "stat=entropy_bits",
                "colours=c81e14"):
        assert key in page.url
    assert page.console_errors == []


def test_bad_share_link_shows_notices_and_still_works(page, tiny_server):
    response = page.goto(tiny_server + "/artist?artwork=../../etc/passwd&view=nope"
                         "&colours=zzz,1428be&space=cmyk")
    assert response.status == 200
    page.wait_for_selector(f"#{ids.NOTICES} .alert")
    notices = page.inner_text(f"#{ids.NOTICES}")
    for expected in ("../../etc/passwd", "view='nope'", "'zzz'", "space='cmyk'"):
        assert expected in notices
    wait_for_graph(page, ids.CORPUS_PMF_GRAPH, 9)
    wait_for_url(page, "colours=1428be")
    assert "artwork=red-field-1884" in page.url
    assert page.console_errors == []


def test_find_by_colour_then_open_in_the_explorer(page, tiny_server):
    page.goto(tiny_server + "/artist?view=search&colours=1428be")
    page.wait_for_selector(f"#{ids.SEARCH_RESULTS} .artist-card")
    first = page.locator(f"#{ids.SEARCH_RESULTS} .artist-card").first
    assert first.get_attribute("data-artwork") == "blue-night-1888"
    assert wait_for_thumbnails(page, f"#{ids.SEARCH_RESULTS} img.thumb", 3) == 3
    page.fill(f"#{ids.COLOUR_PICKERS[0]}", "#c81e14")
    wait_for_url(page, "colours=c81e14")
    page.wait_for_function(
        f"""() => document.querySelector('#{ids.SEARCH_RESULTS} .artist-card')
                 .getAttribute('data-artwork') === 'red-field-1884'""")
    page.locator(f"#{ids.SEARCH_RESULTS} .artist-card").first.locator("img.thumb").click()
    page.wait_for_selector("#noisy-image[src]")
    assert page.url.endswith("/?artwork=red-field-1884") or "artwork=red-field-1884" in page.url
    assert "Red Field" in page.inner_text("#artwork-select")
    assert page.console_errors == []


def test_compare_button_shows_the_painting_against_the_artist(page, tiny_server):
    page.goto(tiny_server + "/artist?view=search&colours=1428be")
    page.wait_for_selector(f"#{ids.SEARCH_RESULTS} .artist-card")
    page.locator(f"#{ids.SEARCH_RESULTS} .artist-card").first.get_by_role(
        "button", name="Compare with the artist").click()
    wait_for_url(page, "view=painting")
    wait_for_url(page, "artwork=blue-night-1888")
    wait_for_graph(page, ids.PAINTING_GRAPH, 6)
    shown_text(page, ids.PAINTING_SUMMARY, "Blue Night")
    assert page.console_errors == []


def test_thumbnails_are_small_cached_jpegs(page, tiny_server):
    response = page.goto(tiny_server + "/thumb/blue-night-1888.jpg")
    assert response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"].startswith("public")
    assert page.goto(tiny_server + "/thumb/..%2F..%2Fetc%2Fpasswd.jpg").status == 404
    assert page.goto(tiny_server + "/thumb/yellow-wheat-1890.jpg").status == 404


# ----------------------------------------------------------------------- the real corpus

@pytest.mark.corpus
def test_periods_side_by_side_on_the_real_corpus(page, real_server):
    page.goto(real_server + "/artist?view=periods")
    wait_for_graph(page, ids.PERIODS_GRAPH, 20)
    legend = graph_eval(page, ids.PERIODS_GRAPH,  # plotly shows a legend entry by default
                        "g.data.filter(t => t.showlegend !== false).map(t => t.name)")
    labels = [name.split(" (")[0] for name in legend]
    assert labels == ["Dutch", "Paris", "Arles", "Saint-Rémy", "Auvers"]
    assert page.locator(f"#{ids.PERIOD_TABLE} tbody tr").count() == 5
    assert page.locator(f"#{ids.PERIOD_PALETTES} .palette-row").count() == 5
    # The lightness distributions: the Dutch years sit in the dark, Arles in the light.
    lightness = graph_eval(
        page, ids.PERIODS_GRAPH,
        "g.data.filter(t => t.mode === 'lines+markers')"
        ".map(t => [t.legendgroup, Array.from(values(t.x)), Array.from(values(t.y))])")
    means = {group: float(np.dot(x, y) / np.sum(y)) for group, x, y in lightness}
    assert means["dutch"] < means["arles"] - 10
    assert page.console_errors == []


@pytest.mark.corpus
def test_timeline_point_opens_the_painting_in_the_explorer(page, real_server):
    page.goto(real_server + "/artist?view=timeline&stat=mean_lightness")
    wait_for_graph(page, ids.TIMELINE_GRAPH, 6)
    points = graph_eval(
        page, ids.TIMELINE_GRAPH,
        "g.data.map(t => [t, values(t.x), values(t.y), values(t.customdata)])"
        ".filter(([t, x, y, custom]) => t.mode === 'markers' && custom && x.length > 1)"
        ".flatMap(([t, x, y, custom]) => Array.from(x, (xi, i) => [xi, y[i], custom[i][0]]))")
    assert len(points) >= 70
    # The isolated darkest point is easy to hit.
    x, y, artwork_id = min(points, key=lambda p: p[1])
    click_point(page, ids.TIMELINE_GRAPH, x, y)
    page.wait_for_url(f"**/?artwork={artwork_id}", timeout=20_000)
    page.wait_for_selector("#noisy-image[src]")
    assert page.console_errors == []


@pytest.mark.corpus
def test_typical_paintings_with_thumbnails_on_the_real_corpus(page, real_server):
    page.goto(real_server + "/artist?view=painting&artwork=the-starry-night-1889&space=lab")
    wait_for_graph(page, ids.PAINTING_GRAPH, 9)
    shown_text(page, ids.PAINTING_SUMMARY, "The Starry Night")
    page.wait_for_selector(f"#{ids.TYPICAL_LISTS} .artist-period-block")
    assert page.locator(f"#{ids.TYPICAL_LISTS} .artist-period-block").count() == 5
    assert wait_for_thumbnails(page, f"#{ids.TYPICAL_LISTS} img.thumb", 25) == 30
    block = page.locator(f"#{ids.TYPICAL_LISTS} .artist-period-block[data-period=arles]")
    card = block.locator(".artist-card").first
    artwork_id = card.get_attribute("data-artwork")
    card.get_by_role("button", name="Compare with the artist").click()
    wait_for_url(page, f"artwork={artwork_id}")
    selected = f'#{ids.TYPICAL_LISTS} .artist-card-selected[data-artwork="{artwork_id}"]'
    page.wait_for_selector(selected)
    assert page.console_errors == []
