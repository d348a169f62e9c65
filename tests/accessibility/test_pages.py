"""Every page and view checked by axe-core in headless Chromium: no serious or critical
violation (WCAG 2.x A and AA, and axe's best practices). The explorer and diffusion pages run
on the embedded samples, the artist page on the tiny generated corpus and without any corpus
(its message), so the tests pass with or without the real paintings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.app import create_app
from dashboard.artist import ids as artist_ids
from dashboard.diffusion import ids as diffusion_ids
from dashboard.diffusion.layout import TABS as DIFFUSION_VIEWS
from dashboard.explorer import ids as explorer_ids
from tests.support import plotly_page
from tests.support.axe import assert_accessible, describe, serious_violations
from tests.support.servers import serving
from tests.support.tiny_corpus import make_tiny_corpus

pytestmark = pytest.mark.browser

#: Each tab of the explorer (its label) and the graphs it draws.
EXPLORER_TABS = {
    "Noise": (explorer_ids.NOISE_GRAPH, explorer_ids.EFFECTIVE_NOISE_GRAPH),
    "Colour distribution": (explorer_ids.PMF_GRAPH, explorer_ids.CDF_GRAPH),
    "Joint & conditional": (explorer_ids.JOINT_GRAPH,),  # conditional: empty until a click
    "3D colour": (explorer_ids.COLOUR_3D_GRAPH, explorer_ids.COLOUR_3D_NOISY_GRAPH),
}
ARTIST_TABS = {
    "The whole corpus": (artist_ids.CORPUS_PMF_GRAPH, artist_ids.CORPUS_3D_GRAPH),
    "Periods": (artist_ids.PERIODS_GRAPH,),
    "Timeline": (artist_ids.TIMELINE_GRAPH,),
    "One painting against the artist": (artist_ids.PAINTING_GRAPH,),
    "Find by colour": (),
    "Collections": (artist_ids.COMPARE_GRAPH, artist_ids.COMPARE_YEARS_GRAPH),
}

DIFFUSION_TABS = {label: (diffusion_ids.GRAPH_OF_VIEW[view],)
                  for view, (label, _height) in DIFFUSION_VIEWS.items()}


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory) -> Iterator[str]:
    tiny = make_tiny_corpus(tmp_path_factory.mktemp("axe-tiny"))
    with serving(create_app(tiny.settings).server) as url:
        yield url


def check_each_tab(page, tabs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Open each tab by its label, wait for its graphs, and run axe: {tab: violations}."""
    failures = {}
    for label, graphs in tabs.items():
        page.get_by_role("tab", name=label, exact=True).click()
        for graph in graphs:
            plotly_page.wait_for_graph(page, graph, timeout=60_000)
        violations = serious_violations(page)
        if violations:
            failures[label] = describe(violations)
    return failures


def test_explorer_tabs_have_no_serious_violations(page, live_server):
    page.goto(live_server + "/")
    assert check_each_tab(page, EXPLORER_TABS) == {}
    assert page.locator("h1").count() == 1  # one heading names the page
    assert page.console_errors == []


def test_artist_views_have_no_serious_violations(page, tiny_server):
    page.goto(tiny_server + "/artist")
    assert check_each_tab(page, ARTIST_TABS) == {}
    assert page.locator("h1").inner_text() == "How Van Gogh used colour"
    assert page.console_errors == []


def test_artist_page_without_a_corpus_has_no_serious_violations(page, live_server):
    page.goto(live_server + "/artist?view=periods")
    page.wait_for_selector(f"#{artist_ids.NOTICES} code")
    assert_accessible(page, "the artist page without a corpus")
    # The helper finds what it must: a button without a name is a critical violation.
    page.evaluate("""() => { const b = document.createElement('button');
                             b.id = 'nameless'; document.body.appendChild(b); }""")
    found = {v["id"]: v for v in serious_violations(page)}
    assert found["button-name"]["impact"] == "critical"
    assert [node["target"] for node in found["button-name"]["nodes"]] == [["#nameless"]]
    with pytest.raises(AssertionError, match="button-name"):
        assert_accessible(page, "the artist page with a nameless button")


def test_diffusion_page_has_no_serious_violations(page, live_server):
    page.goto(live_server + "/diffusion")
    assert check_each_tab(page, DIFFUSION_TABS) == {}
    assert page.locator("h1").count() == 1
