"""What a person sees on the diffusion page in Chromium: every figure (one tab at a time) and
picture, share links, a t move, the 3D colour denoiser, and the links to and from the
explorer."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from dashboard.core.diffusion_schedules import alpha_bar, explorer_sigma
from dashboard.diffusion import ids
from dashboard.diffusion.layout import CAPTIONS, TABS
from dashboard.diffusion.routes import image_url
from dashboard.diffusion.state import DiffusionState
from tests.support.plotly_page import graph_eval, trace_values, wait_for_graph, wait_for_graph_state

pytestmark = pytest.mark.browser

PICTURES = (ids.ORIGINAL_IMAGE, ids.NOISY_IMAGE, ids.DENOISED_IMAGE, ids.STRUCTURE_FREE_IMAGE)
SHARE = ("/diffusion?artwork=sample-coffee&schedule=cosine&steps=300&t=120&zero_snr=1&seed=42"
         "&view=information")


def wait_for_image(page, image_id: str, pattern: str) -> str:
    page.wait_for_function(
        """([id, p]) => { const img = document.getElementById(id);
                          return img && img.src.includes(p) && img.complete
                                 && img.naturalWidth > 0; }""",
        arg=[image_id, pattern], timeout=30_000)
    return page.get_attribute(f"#{image_id}", "src")


def wait_for_page(page, url: str, view: str = "marginal") -> None:
    page.goto(url)
    wait_for_graph(page, ids.GRAPH_OF_VIEW[view], timeout=60_000)


def open_tab(page, view: str) -> None:
    """Click the tab of ``view`` and wait for its figure."""
    page.click(f"#{ids.VIEW_TABS} .nav-link:has-text('{TABS[view][0]}')")
    page.wait_for_function(f"window.location.search.includes('view={view}')")
    wait_for_graph(page, ids.GRAPH_OF_VIEW[view], timeout=60_000)


def shapes_at(page, graph_id: str) -> list[float]:
    return graph_eval(page, graph_id, "g.layout.shapes.map(s => s.x0)")


def test_the_page_draws_every_figure_and_picture(page, live_server):
    wait_for_page(page, live_server + "/diffusion?artwork=sample-astronaut&steps=200&t=40")
    for image_id in PICTURES:
        wait_for_image(page, image_id, "/diffusion/image/")
    assert graph_eval(page, ids.MARGINAL_GRAPH, "g.data.length") == 9
    # Hidden tabs are drawn when opened.
    assert graph_eval(page, ids.INFORMATION_GRAPH, "g && g.data ? g.data.length : 0") == 0
    open_tab(page, "information")
    assert graph_eval(page, ids.INFORMATION_GRAPH, "g.data.length") == 11
    open_tab(page, "correlation")
    assert graph_eval(page, ids.CORRELATION_GRAPH, "g.data.length") == 6
    open_tab(page, "schedules")
    assert shapes_at(page, ids.SCHEDULE_GRAPH) == [40, 40, 40]
    assert page.url.endswith("&view=schedules")
    captions = page.locator(".figure-caption").all_inner_texts()
    for element_id in (*ids.GRAPHS, *PICTURES):
        assert CAPTIONS[element_id] in captions
    assert page.inner_text(f"#{ids.STEP_TEXT}").startswith("Step t = 40 of 200 (linear")
    page.wait_for_function(  # the denoiser's lines come from a callback of their own
        "ids => ids.every(i => document.getElementById(i).innerText.includes('nats'))",
        arg=list(ids.CHANNEL_LINES.values()), timeout=60_000)
    for channel in ("red", "green", "blue"):
        assert "nats" in page.inner_text(f"#{ids.CHANNEL_LINES[channel]}")
        assert "measured on this image" in page.inner_text(f"#{ids.CHANNEL_LINES[channel]}")
    assert "clipped for display only" in page.inner_text("body")
    assert page.is_visible("text=Diffusion")  # the navbar's link
    assert page.console_errors == []


def test_share_link_reproduces_the_view(page, live_server):
    wait_for_page(page, live_server + SHARE, view="information")
    state = DiffusionState("sample-coffee", "cosine", 300, 120, True, 42, "painting",
                           "information")
    assert "Information" in page.inner_text(f"#{ids.VIEW_TABS} .nav-link.active")
    assert "Coffee" in page.inner_text(f"#{ids.ARTWORK_SELECT}")
    assert page.is_checked(f"#{ids.SCHEDULE} input[value=cosine]")
    assert page.is_checked(f"#{ids.ZERO_SNR}")
    assert page.input_value(f"#{ids.STEPS}") == "300"
    assert page.input_value(f"#{ids.STEP_SLIDER} input") == "120"
    assert page.input_value(f"#{ids.SEED_INPUT}") == "42"
    # The browser builds the pictures' URLs: they must be the server's, at the size of a
    # screen of one device pixel per CSS pixel.
    for picture, image_id in (("x0", ids.ORIGINAL_IMAGE), ("xt", ids.NOISY_IMAGE),
                              ("denoised", ids.DENOISED_IMAGE),
                              ("structure-free", ids.STRUCTURE_FREE_IMAGE)):
        assert wait_for_image(page, image_id, "src=") == image_url(picture, state, "screen")
    page.wait_for_function("window.location.search.includes('prior=painting')")
    assert page.url.endswith("/diffusion" + state.to_query())
    ab = alpha_bar("cosine", 300, True)[120]
    assert page.inner_text(f"#{ids.STEP_TEXT}").startswith(
        f"Step t = 120 of 300 (cosine schedule, rescaled to zero terminal SNR): "
        f"x_t keeps ᾱ_t = {ab:.4g}")
    assert shapes_at(page, ids.INFORMATION_GRAPH) == [120, 120, 120]
    open_tab(page, "correlation")
    assert trace_values(page, ids.CORRELATION_GRAPH, 1, "x") == [120]
    assert page.console_errors == []


def test_moving_t_patches_the_visible_figure_and_swaps_the_pictures(page, live_server):
    wait_for_page(page, live_server + "/diffusion?artwork=sample-astronaut&steps=200&t=40")
    before = trace_values(page, ids.MARGINAL_GRAPH, 0)
    page.locator(f"#{ids.STEP_SLIDER} [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.location.search.includes('t=41')")
    wait_for_image(page, ids.NOISY_IMAGE, "t=41")
    wait_for_image(page, ids.DENOISED_IMAGE, "t=41")
    page.wait_for_function(
        f"document.getElementById('{ids.STEP_TEXT}').innerText.startsWith('Step t = 41 ')")
    wait_for_graph_state(page, ids.MARGINAL_GRAPH, "g.layout.title.text.includes('t = 41 ')")
    assert trace_values(page, ids.MARGINAL_GRAPH, 0) != before
    # A tab opened later shows the step moved to, and follows the next moves.
    for view in ("schedules", "information"):
        open_tab(page, view)
        wait_for_graph_state(page, ids.GRAPH_OF_VIEW[view],
                             "g.layout.shapes.every(s => s.x0 === 41)")
    page.locator(f"#{ids.STEP_SLIDER} [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    wait_for_graph_state(page, ids.INFORMATION_GRAPH, "values(g.data[9].x)[0] === 42")
    # The denoiser's measured errors at t = 42 (from the second callback): three positive
    # numbers on the MSE panel, the same as the channel lines give.
    measured = trace_values(page, ids.INFORMATION_GRAPH, 9)
    assert len(measured) == 3 and all(0 < value < 4 for value in measured)
    for channel, value in zip(("red", "green", "blue"), measured, strict=True):
        assert f"expected, {value:.3g} measured" in page.inner_text(
            f"#{ids.CHANNEL_LINES[channel]}")
    open_tab(page, "correlation")
    wait_for_graph_state(page, ids.CORRELATION_GRAPH, "values(g.data[1].x)[0] === 42")
    # The x0 picture keeps its URL (and the browser its copy).
    assert page.get_attribute(f"#{ids.ORIGINAL_IMAGE}", "src") == (
        "/diffusion/image/x0.jpg?src=sample-astronaut&size=screen")
    assert page.console_errors == []


def test_a_sharper_screen_gets_every_pixel(browser, live_server):
    """Two device pixels per CSS pixel: the pictures come at full size."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        state = DiffusionState("sample-coffee", steps=50, t=10)
        page.goto(live_server + "/diffusion" + state.to_query())
        assert wait_for_image(page, ids.NOISY_IMAGE, "xt.jpg") == image_url("xt", state)
        assert wait_for_image(page, ids.ORIGINAL_IMAGE, "x0.jpg") == image_url("x0", state)
    finally:
        context.close()


def test_fewer_steps_clamp_t_and_redraw(page, live_server):
    wait_for_page(page, live_server + "/diffusion?artwork=sample-astronaut&steps=200&t=150"
                  "&view=schedules", view="schedules")
    steps = page.locator(f"#{ids.STEPS}")
    steps.fill("100")
    steps.press("Enter")
    page.wait_for_function("window.location.search.includes('steps=100&t=100')")
    wait_for_graph_state(page, ids.SCHEDULE_GRAPH, "g.layout.shapes.every(s => s.x0 === 100)")
    open_tab(page, "information")
    wait_for_graph_state(page, ids.INFORMATION_GRAPH, "values(g.data[0].x).length === 101")
    assert page.console_errors == []


def test_the_colour_denoiser_runs_on_the_button(page, live_server):
    wait_for_page(page, live_server + "/diffusion?artwork=sample-coffee&steps=100&t=30&seed=3"
                  "&view=information", view="information")
    assert not page.is_visible(f"#{ids.COLOUR_DENOISED_IMAGE}")
    page.click(f"#{ids.COLOUR_BUTTON}")
    wait_for_image(page, ids.COLOUR_DENOISED_IMAGE, "colour-denoised.jpg")
    assert "3D colour prior (16³ bins" in page.inner_text(f"#{ids.COLOUR_RESULT}")
    wait_for_graph_state(page, ids.INFORMATION_GRAPH,
                         "g.data[10].showlegend === true && values(g.data[10].y)[0] > 0")
    # A new step clears the result, which belonged to the step it was asked for.
    page.locator(f"#{ids.STEP_SLIDER} [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"#{ids.COLOUR_DENOISED_IMAGE}", state="hidden")
    page.wait_for_function(f"!document.getElementById('{ids.COLOUR_RESULT}').innerText")
    assert page.console_errors == []


CASES = [
    ("sample-coffee", "cosine", 300, 120, True, 42, "artist", "correlation"),
    ("upload:" + "a" * 64, "linear", "250.5", "99.5", False, "7", "painting", "schedules"),
    ("sample-coffee", "quadratic", 5000, -3, "on", -1, "everyone", "all"),
    ("sample-coffee", None, None, None, None, None, None, None),
    ("sample-coffee", "scaled-linear", "abc", 1e9, "maybe", 1e20, None, {"x": 1}),
]


@pytest.mark.parametrize("case", CASES)
def test_the_browsers_links_are_the_servers(page, live_server, case):
    """The page's share link and pictures' URLs are built in the browser; they must equal
    DiffusionState.to_query and image_url after the server's cleaning of the same controls."""
    page.goto(live_server + "/diffusion?artwork=sample-coffee&steps=20")
    page.wait_for_selector(f"#{ids.NOISY_IMAGE}[src]")
    state = DiffusionState.from_controls(*case)
    script = """([args, picture, size]) => { const d = window.dash_clientside.diffusion;
                                             const s = d.state(...args);
                                             return [d.query(s), d.imageUrl(picture, s, size)]; }"""
    for picture in ("x0", "xt", "denoised", "colour-denoised", "structure-free"):
        for size in ("full", "screen"):
            query, url = page.evaluate(script, [list(case), picture, size])
            assert (query, url) == (state.to_query(), image_url(picture, state, size))


def test_the_diffusion_page_links_to_the_explorer_at_its_sigma(page, live_server):
    wait_for_page(page, live_server + "/diffusion?artwork=sample-coffee&t=250&seed=5")
    sigma = float(explorer_sigma(alpha_bar("linear", 1000)[250]))
    link = page.locator(f"#{ids.EXPLORER_LINK}")
    page.wait_for_function(f"document.getElementById('{ids.EXPLORER_LINK}').innerText.length")
    assert link.inner_text() == f"Open in the explorer at σ² = {round(sigma**2, 4):g} →"
    link.click()
    page.wait_for_selector("#variance-slider input")
    page.wait_for_function("document.getElementById('noisy-image')?.src.includes('variance=')")
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert (query["artwork"], query["seed"]) == ("sample-coffee", "5")
    assert float(page.input_value("#variance-slider input")) == round(sigma**2, 4)
    assert page.console_errors == []


def test_the_explorer_links_to_the_step_of_its_variance(page, live_server):
    page.goto(live_server + "/?artwork=sample-coffee&variance=0.25&seed=9")
    page.wait_for_function(
        "document.getElementById('explorer-diffusion-link')?.getAttribute('href')"
        ".includes('t=')")
    assert page.inner_text("#explorer-diffusion-link") == (
        "This noise as a diffusion step (linear, T = 1000) →")  # the schedule it opens on
    page.click("#explorer-diffusion-link")
    wait_for_graph(page, ids.MARGINAL_GRAPH, timeout=60_000)
    sigmas = explorer_sigma(alpha_bar("linear", 1000))
    expected = int(np.argmin(np.abs(sigmas - 0.5)))
    assert page.input_value(f"#{ids.STEP_SLIDER} input") == str(expected)
    assert page.input_value(f"#{ids.SEED_INPUT}") == "9"
    # ...whose σ² is the explorer's 0.25 up to the spacing of the steps (0.2498 at t = 259).
    back = f"σ² = {round(float(sigmas[expected]) ** 2, 4):g} →"
    assert back == "σ² = 0.2498 →"
    page.wait_for_function(f"document.getElementById('{ids.EXPLORER_LINK}').innerText"
                           f".endsWith('{back}')")
    assert page.console_errors == []
