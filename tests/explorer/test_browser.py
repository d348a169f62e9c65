"""What a person sees in Chromium: share links, sliders, uploads, selections, no errors."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from dashboard.core.distributions import NoiseAnalyser
from dashboard.explorer.routes import image_url
from dashboard.explorer.state import ViewState
from dashboard.figures.distributions import trace_index
from tests.support.plotly_page import (
    point_position,
    trace_values,
    wait_for_graph,
    wait_for_graph_state,
)

pytestmark = pytest.mark.browser

SHARE = ("/?artwork=sample-coffee&mean=0.1&variance=0.02&seed=7&view=distributions"
         "&sel=levels:red:original:100-150")


def wait_for_image(page, image_id: str, pattern: str) -> str:
    page.wait_for_function(
        """([id, p]) => { const img = document.getElementById(id);
                          return img && img.src.includes(p) && img.complete
                                 && img.naturalWidth > 0; }""",
        arg=[image_id, pattern], timeout=20_000)
    return page.get_attribute(f"#{image_id}", "src")


def test_share_link_reproduces_the_view(page, live_server):
    page.goto(live_server + SHARE)
    wait_for_graph(page, "pmf-graph", 9)
    wait_for_graph(page, "cdf-graph", 9)
    assert "Coffee" in page.inner_text("#artwork-select")
    assert page.input_value("#mean-slider input") == "0.1"
    assert page.input_value("#variance-slider input") == "0.02"
    assert page.input_value("#seed-input") == "7"
    assert "Colour distribution" in page.inner_text("#view-tabs .nav-link.active")
    noisy_src = wait_for_image(page, "noisy-image", "variance=0.02")
    original_src = wait_for_image(page, "original-image", "sel=levels:red:original:100-150")
    # The browser builds the URLs; they must be the ones the server defines.
    selection = "levels:red:original:100-150"
    state = ViewState(source="sample-coffee", mean=0.1, variance=0.02, seed=7,
                      selection=selection)
    assert noisy_src == image_url("noisy", state)
    assert original_src == image_url("original", state)
    expected = NoiseAnalyser(skdata.coffee(), seed=7).move(0.1, 0.02)
    np.testing.assert_allclose(trace_values(page, "pmf-graph", trace_index("red", "noisy")),
                               expected.noisy_pmf[0], atol=1e-12)
    np.testing.assert_allclose(
        trace_values(page, "cdf-graph", trace_index("blue", "theory")),
        expected.noisy_cdf_theory[2], atol=1e-9)
    page.wait_for_function(
        "document.getElementById('selection-text').innerText.includes('red levels 100–150')")
    height, width = skdata.coffee().shape[:2]
    page.wait_for_function("['image-caption', 'noise-caption']"
                           ".every(id => document.getElementById(id).innerText.length > 0)")
    assert page.inner_text("#image-caption") + page.inner_text("#noise-caption") == (
        f"{width} × {height} px analysed · noise N(μ = 0.1, σ² = 0.02) · seed 7")
    assert page.inner_text("#sigma-text") == (
        "σ = 0.1414 on the 0–1 scale = 36.1 intensity levels")  # sqrt(0.02), 255 * it
    for key in ("artwork=sample-coffee", "mean=0.1", "variance=0.02", "seed=7",
                "view=distributions", "sel=levels:red:original:100-150"):
        assert key in page.url
    assert page.console_errors == []


def test_every_tab_draws_its_figures(page, live_server):
    page.goto(live_server + "/?artwork=sample-astronaut&variance=0.01")
    for graph in ("noise-graph", "effective-noise-graph"):
        wait_for_graph(page, graph)
    page.get_by_role("tab", name="Joint & conditional").click()
    wait_for_graph(page, "joint-graph")
    page.get_by_role("tab", name="3D colour").click()
    wait_for_graph(page, "color-3d-graph")
    wait_for_graph(page, "color-3d-noisy-graph")
    page.wait_for_selector("#palette .swatch")
    assert page.locator("#palette .swatch").count() >= 10
    page.wait_for_function("window.location.search.includes('view=colour3d')")
    assert page.console_errors == []


def test_moving_a_slider_updates_figures_and_url(page, live_server):
    page.goto(live_server + "/?artwork=sample-astronaut&variance=0.01&view=distributions")
    wait_for_graph(page, "pmf-graph", 9)
    before = trace_values(page, "pmf-graph", trace_index("green", "noisy"))
    variance_box = page.locator("#variance-slider input")
    variance_box.fill("0.05")
    variance_box.press("Tab")  # the direct-input box commits on blur
    page.wait_for_function("window.location.search.includes('variance=0.05')")
    wait_for_image(page, "noisy-image", "variance=0.05")
    expected = NoiseAnalyser(skdata.astronaut(), seed=0).move(0.0, 0.05).noisy_pmf[1]
    wait_for_graph_state(page, "pmf-graph",
                         "Math.abs(values(g.data[arg[0]].y)[128] - arg[1]) < 1e-12",
                         [trace_index("green", "noisy"), float(expected[128])])
    after = trace_values(page, "pmf-graph", trace_index("green", "noisy"))
    assert after != before
    np.testing.assert_allclose(after, expected, atol=1e-12)
    # The fit summary is shown and its sentences follow the move.
    page.wait_for_function("document.getElementById('fit-summary-header').innerText === "
                           "'Theory against sample on 262,144 pixels per channel:'")
    assert page.is_visible("#fit-summary")
    theory = NoiseAnalyser(skdata.astronaut(), seed=0).move(0.0, 0.05).noisy_pmf_theory[1]
    total_variation = 0.5 * np.abs(expected - theory).sum()
    page.wait_for_function(
        "text => document.getElementById('fit-summary-green').innerText.includes(text)",
        arg=f"differ on {100 * total_variation:.2f}%")
    # The keyboard moves the mean slider by one step (0.01).
    page.locator("#mean-slider [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.location.search.includes('mean=0.01')")
    wait_for_image(page, "noisy-image", "mean=0.01")
    assert page.console_errors == []


def test_upload_an_image(page, live_server, tmp_path):
    pixels = np.zeros((90, 120, 3), dtype=np.uint8)
    pixels[:, :60] = (20, 200, 40)
    path = tmp_path / "green-half.png"
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#noisy-image[src]")
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_function(
        "document.getElementById('upload-message').innerText.includes('120 × 90 px')")
    assert "Your upload: green-half.png" in page.inner_text("#artwork-select")
    src = wait_for_image(page, "original-image", "src=upload:")
    assert re.search(r"src=upload:[0-9a-f]{64}", src)
    page.wait_for_function("/upload=[0-9a-f]{64}/.test(window.location.search)")
    assert page.console_errors == []


def test_rejected_upload_says_why(page, live_server, tmp_path):
    path = tmp_path / "notes.png"
    path.write_bytes(b"this is not an image")
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#noisy-image[src]")
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_selector("#upload-message .alert-danger")
    assert "notes.png" in page.inner_text("#upload-message")
    assert "sample-astronaut" in page.url


def test_selecting_a_range_on_the_pmf_highlights_pixels(page, live_server):
    page.goto(live_server + "/?artwork=sample-astronaut&view=distributions")
    wait_for_graph(page, "pmf-graph", 9)
    drag = page.locator("#pmf-graph .nsewdrag").first
    drag.scroll_into_view_if_needed()
    box = drag.bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "document.getElementById('selection-text').innerText.startsWith('Highlighted')")
    text = page.inner_text("#selection-text")
    match = re.search(r"(red|green|blue) levels (\d+)–(\d+) in the (original|noisy) image: "
                      r"([\d,]+) pixels", text)
    assert match, text
    channel, lo, hi, image = match[1], int(match[2]), int(match[3]), match[4]
    assert 0 < lo < hi < 255
    wait_for_image(page, "original-image", "sel=levels")
    # The PMF is redrawn with the range shaded; the redraw must not drop the highlight.
    page.wait_for_function(
        "(document.querySelector('#pmf-graph .js-plotly-plot').layout.shapes || []).length > 0")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#selection-text") == text
    assert "sel=levels" in page.get_attribute("#original-image", "src")
    if image == "original":
        values = skdata.astronaut()[..., ("red", "green", "blue").index(channel)]
        assert int(match[5].replace(",", "")) == int(((values >= lo) & (values <= hi)).sum())
    page.click("#clear-selection")
    page.wait_for_function(
        "!document.getElementById('original-image').src.includes('sel=')")
    assert page.console_errors == []


def test_clicking_the_joint_heatmap_conditions(page, live_server):
    page.goto(live_server + "/?artwork=sample-astronaut&view=joint&x=red&y=green&jbins=64")
    wait_for_graph(page, "joint-graph")
    rgb = skdata.astronaut().astype(int)
    counts = np.bincount(((rgb[..., 0] >> 2) * 64 + (rgb[..., 1] >> 2)).ravel(), minlength=4096)
    counts = counts.reshape(64, 64)[4:60, 4:60]  # away from the axes' edges
    red_bin, green_bin = (int(i) + 4 for i in np.unravel_index(counts.argmax(), counts.shape))
    x, y = point_position(page, "joint-graph", red_bin * 4 + 1.5, green_bin * 4 + 1.5)
    page.mouse.move(x, y)  # plotly clicks on the point it is hovering
    page.wait_for_selector("#joint-graph .hoverlayer .hovertext")
    page.mouse.click(x, y)
    page.wait_for_function("/given=\\d+-\\d+/.test(window.location.search)")
    wait_for_graph(page, "conditional-graph", 2)
    title = page.evaluate(
        "document.querySelector('#conditional-graph .js-plotly-plot').layout.title.text")
    assert title.startswith("Conditional PMF of green given red")
    assert page.console_errors == []


def test_bad_share_link_shows_notices_not_errors(page, live_server):
    response = page.goto(live_server + "/?artwork=../../etc/passwd&mean=abc&variance=9")
    assert response.status == 200
    page.wait_for_selector("#url-notices .alert")
    notices = page.inner_text("#url-notices")
    assert "Unknown artwork" in notices
    assert "mean='abc'" in notices or "mean=" in notices
    assert "clamped to 1" in notices
    page.wait_for_selector("#noisy-image[src]")
    assert page.input_value("#variance-slider input") == "1"
    assert page.console_errors == []


def test_over_size_upload_is_refused_in_the_browser(page, live_server, tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(b"\x89PNG" + bytes(21 * 1024 * 1024))  # 21 MB: over the 20 MB limit
    requests = []
    page.on("request", lambda r: requests.append(r.post_data_buffer and
                                                 len(r.post_data_buffer) or 0))
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#noisy-image[src]")
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_function(
        "document.getElementById('upload-refused').innerText.includes('larger than the 20.0 MB')")
    assert "huge.png is 21.0 MB" in page.inner_text("#upload-refused")
    assert max(requests, default=0) < 1024 * 1024  # nothing big was sent
    assert "sample-astronaut" in page.url


SHARE_CASES = [
    # (source, mean, variance, seed, view, x, y, joint, jbins, given, space, bins, selection)
    ("sample-coffee", 0.25, 0.02, 99, "colour3d", "red", "blue", "noisy", "128", [10, 20],
     "hsv", 24, "bin:hsv:24:100:original"),
    ("sample-coffee", 0.0, 0.01, 3, "colour3d", "red", "blue", "noisy", "64", None,
     "oklab", 16, "bin:oklab:16:2000:noisy"),
    ("upload:" + "ab" * 32, -0.0625, 0.00125, 7.9, "joint", "green", "red", "original", 32,
     None, "lab", 8, "levels:blue:noisy:0-255"),
    ("sample-astronaut", 3, -1, -5, "secret", "cyan", None, "x", 100, [300, 2], "cmyk", 1000,
     "bin:rgb:16:4096:noisy"),
    ("sample-astronaut", None, None, None, None, None, None, None, None, None, None, None, None),
]


@pytest.mark.parametrize("case", SHARE_CASES)
def test_browser_share_query_is_the_servers_canonical_query(page, live_server, case):
    """The address bar's query is built in the browser; it must equal ViewState.to_query of
    the same controls after the server's clamping, or links would not reproduce the view."""
    from dashboard.explorer.state import ViewState

    (source, mean, variance, seed, view, x, y, joint, jbins, given, space, bins,
     selection) = case
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#noisy-image[src]")
    actual = page.evaluate("(args) => window.dash_clientside.explorer.shareQuery(...args)",
                           list(case))
    expected = ViewState.from_controls(
        source, mean, variance, seed, view=view, joint_x=x, joint_y=y, joint_picture=joint,
        joint_bins=jbins, given=given, space=space, bins=bins, selection=selection,
    ).to_query()
    assert actual == expected


def test_browser_selection_check_is_the_servers(page, live_server):
    from dashboard.explorer.state import valid_selection

    samples = ["levels:red:original:0-255", "levels:red:original:9-3", "levels:red:noisy:1-256",
               "bin:lab:16:4095:noisy", "bin:lab:16:4096:noisy", "bin:rgb:7:1:original",
               "bin:hsv:64:262143:original", "levels:cyan:noisy:1-2", "", "bin:rgb:16:1:noisy\n",
               "bin:oklab:8:511:original", "bin:oklab:8:512:original", "bin:xyz:8:1:noisy"]
    page.goto(live_server + "/?artwork=sample-astronaut")
    page.wait_for_selector("#noisy-image[src]")
    browser_says = page.evaluate(
        "(xs) => xs.map(x => window.dash_clientside.explorer.validSelection(x))", samples)
    assert browser_says == [valid_selection(x) for x in samples]


def step_variance_with_the_address_bar_held(page, live_server) -> None:
    """Open the Noise tab at variance 0.01, hold the address bar back as a burst of slider
    steps does, and step the variance to 0.0105."""
    page.goto(live_server + "/?artwork=sample-astronaut&variance=0.01")
    wait_for_graph(page, "noise-graph", 4)
    page.wait_for_function("window.location.search.includes('view=noise')")
    page.evaluate("window.dash_clientside.share.quietMs = 600000")
    page.locator("#variance-slider [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.getElementById('noise-caption').innerText.includes('σ² = 0.0105')")
    assert "variance=0.0105" not in page.evaluate("window.location.search")


def test_copy_link_copies_the_latest_view_before_the_address_bar_catches_up(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    step_variance_with_the_address_bar_held(page, live_server)
    # The browser's clipboard outlives a page: empty it, so only this copy can be read.
    page.evaluate("navigator.clipboard.writeText('')")
    page.click("#share-clipboard")
    page.wait_for_function("window.location.search.includes('variance=0.0105')", timeout=5_000)
    # dcc.Clipboard copies once the callback has set its content: read until it is there.
    copied = page.evaluate("""async () => {
        const end = performance.now() + 5000;
        while (performance.now() < end) {
          const text = await navigator.clipboard.readText();
          if (text) { return text; }
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        return ''; }""")
    assert copied.startswith(live_server + "/?artwork=sample-astronaut&mean=0&variance=0.0105")
    assert page.console_errors == []


def test_noise_tab_follows_a_slider_move(page, live_server):
    page.goto(live_server + "/?artwork=sample-astronaut&variance=0.01")
    wait_for_graph(page, "noise-graph", 4)
    page.locator("#variance-slider [role=slider]").focus()
    page.keyboard.press("ArrowRight")  # 0.01 -> 0.0105
    sigma = np.sqrt(0.0105)
    wait_for_graph_state(page, "noise-graph",
                         "Math.abs(Math.max(...values(g.data[1].y)) - arg) < 1e-9",
                         1 / (sigma * np.sqrt(2 * np.pi)))
    grid = trace_values(page, "noise-graph", 3)  # the theoretical CDF on the grid
    assert grid[0] < 1e-4 and grid[-1] > 1 - 1e-4 and len(grid) == 201
    xs = trace_values(page, "noise-graph", 2, "x")  # the ECDF's grid: mean ± 4σ
    np.testing.assert_allclose([xs[0], xs[-1]], [-4 * sigma, 4 * sigma], rtol=1e-12)
    wait_for_graph_state(page, "effective-noise-graph", "g.data.length === 6")
    assert page.console_errors == []


def test_following_a_link_keeps_the_latest_view_in_the_history(page, live_server):
    step_variance_with_the_address_bar_held(page, live_server)
    page.get_by_role("link", name="Van Gogh's colours").first.click()
    page.wait_for_function("window.location.pathname === '/artist'")
    page.go_back()
    page.wait_for_function("window.location.pathname === '/'")
    assert "variance=0.0105" in page.evaluate("window.location.search")
    wait_for_graph(page, "noise-graph", 4)
    assert page.input_value("#variance-slider input") == "0.0105"
    assert page.console_errors == []
