"""What a person sees in Chromium: building and sharing a story, presenting it with the keys a
clicker sends, and the offline report opened with every network request blocked, on screen
and printed to PDF."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dashboard.app import create_app
from dashboard.story import services
from dashboard.story.state import Story
from tests.support.apps import samples_settings
from tests.support.axe import assert_accessible
from tests.support.servers import serving

pytestmark = pytest.mark.browser

STORY = {"title": "Noise on the astronaut", "views": [
    {"link": "/?artwork=sample-astronaut&view=distributions&variance=0.02",
     "title": "Distributions", "note": "The noisy PMF follows the theory."},
    {"link": "/?artwork=sample-coffee&view=noise&variance=0.05", "title": "The noise",
     "note": "Clipping at 0 and 255."},
    {"link": "/diffusion?artwork=sample-astronaut&steps=200&t=50", "title": "Diffusion",
     "note": ""},
]}


@pytest.fixture(scope="module")
def story_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """An app of its own (its own story store), served on loopback: (app, URL)."""
    app = create_app(samples_settings(tmp_path_factory.mktemp("story-app")))
    with serving(app.server) as url:
        yield app, url


def shared(app, value: dict) -> str:
    with app.server.app_context():
        return services.story_store().put(Story.read(value).to_document())


def add_view(page, url: str, title: str, note: str, count: int) -> None:
    page.goto(url)
    page.click("#story-add-open")
    page.wait_for_selector("#story-add-title", state="visible")
    assert page.input_value("#story-add-title")  # prefilled from the view
    page.fill("#story-add-title", title)
    page.fill("#story-add-note", note)
    page.click("#story-add-confirm")
    page.wait_for_function(
        "n => document.querySelector('#story-add-status').textContent.includes(n)",
        arg=f"({count} view", timeout=10_000)


def test_a_story_is_built_reordered_shared_and_reopened_elsewhere(page, browser, story_app):
    app, url = story_app
    add_view(page, url + "/?artwork=sample-astronaut&view=distributions", "First view",
             "Say this first", 1)
    add_view(page, url + "/diffusion?artwork=sample-astronaut&steps=200&t=50",
             "<script>window.hacked=1</script> Second", "", 2)
    page.goto(url + "/story")
    page.wait_for_selector(".story-view >> nth=1")
    assert page.locator(".story-view-link").all_inner_texts()[0].startswith(
        "/?artwork=sample-astronaut")
    page.click("button[title='Move up: view 2']")
    page.wait_for_function("() => document.querySelector('.story-view input').value"
                           ".endsWith('Second')")
    page.reload()  # the story lives in localStorage: nothing is lost
    page.wait_for_selector(".story-view >> nth=1")
    page.fill("#story-title", "My story")
    page.press("#story-title", "Enter")
    page.click("#story-share")
    link = page.wait_for_selector("#story-shared-link", timeout=20_000).get_attribute("href")
    assert re.fullmatch(r"/story/[0-9a-f]{32}", link)
    assert page.console_errors == []

    fresh = browser.new_context(viewport={"width": 1280, "height": 720})
    other = fresh.new_page()
    errors = []
    other.on("pageerror", lambda e: errors.append(str(e)))
    other.goto(url + link)
    assert other.locator("h1").inner_text() == "My story"
    assert other.locator("h2").all_inner_texts() == ["<script>window.hacked=1</script> Second",
                                                     "First view"]
    assert other.evaluate("window.hacked") is None
    # Every figure of both slides drawn: the explorer's two and the diffusion tab's.
    other.wait_for_function("""() => { const n = document.querySelectorAll('.plot').length;
        return n >= 3 && document.querySelectorAll('.plot.js-plotly-plot').length == n; }""")
    assert "Say this first" in other.locator("#slide-2 .note").inner_text()
    fresh.close()
    assert errors == []


def test_presenting_with_the_keys_of_a_clicker(browser, story_app):
    app, url = story_app
    sid = shared(app, STORY)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/story/{sid}/present")
    counter = page.locator(".counter")
    page.wait_for_function("document.querySelector('.counter').textContent == '1 / 3'")
    for key, expected in (("ArrowRight", 2), ("PageDown", 3), ("PageDown", 3), ("PageUp", 2),
                          ("Home", 1), ("End", 3), ("ArrowLeft", 2), ("ArrowUp", 1),
                          ("ArrowDown", 2)):
        page.keyboard.press(key)
        assert counter.inner_text() == f"{expected} / 3", key
        assert page.locator(".slide:visible").count() == 1
        assert page.locator(".slide.current h2").inner_text() == \
            STORY["views"][expected - 1]["title"]
    page.keyboard.press("Home")
    page.wait_for_function("document.querySelectorAll('.slide.current .plot.js-plotly-plot')"
                           ".length == 2")
    # Type that reads from the back of the room, and a slide that fits the screen, on both
    # projector sizes.
    for width, height in ((1280, 720), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        heading = page.evaluate("parseFloat(getComputedStyle("
                                "document.querySelector('.slide.current h2')).fontSize)")
        assert heading >= 0.03 * width
        assert page.evaluate("() => document.querySelector('.slide.current').scrollHeight"
                             " <= window.innerHeight + 1")
    assert page.locator(".slide.current .note").is_visible()
    page.keyboard.press("n")
    assert not page.locator(".slide.current .note").is_visible()
    assert_accessible(page, "the presentation")
    with page.expect_popup() as popup:  # the presenter window: note, next slide, clock
        page.keyboard.press("w")
    notes = popup.value
    assert notes.inner_text("#note") == STORY["views"][0]["note"]
    assert notes.inner_text("#next") == "Next: The noise"
    notes.keyboard.press("PageDown")  # a clicker aimed at the presenter window
    assert counter.inner_text() == "2 / 3"
    # The slide's content loads on its own request; the note follows when it is in.
    notes.wait_for_function("n => document.getElementById('note').textContent === n",
                            arg=STORY["views"][1]["note"], timeout=30_000)
    assert notes.inner_text("#position") == "2 / 3"
    notes.close()
    page.keyboard.press("Escape")  # back to every slide, one after the other
    assert page.locator(".slide:visible").count() == 3
    context.close()
    assert errors == []


def test_the_editor_passes_axe(page, story_app):
    app, url = story_app
    # The draft is in localStorage before any of the page's scripts run: set after load, the
    # editor's first callback (an empty draft) could land after it and overwrite it.
    page.add_init_script(f"""try {{ localStorage.setItem('story-draft', {json.dumps(
        json.dumps(STORY))}); }} catch (e) {{}}""")
    page.goto(url + "/story")
    page.wait_for_selector(".story-view >> nth=2")
    page.keyboard.press("Tab")
    assert_accessible(page, "the story editor")
    page.goto(url + "/")  # the "Add to story" control, its panel open
    page.click("#story-add-open")
    page.wait_for_selector("#story-add-title", state="visible")
    assert_accessible(page, "the explorer with the story panel open", "#story-add-panel")


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_the_offline_report_needs_no_network_and_prints_one_slide_per_page(
        browser, story_app, tmp_path: Path):
    app, url = story_app
    sid = shared(app, STORY)
    response = requests.get(f"{url}/story/{sid}/download", timeout=60)
    assert response.status_code == 200
    report = tmp_path / "story.html"
    report.write_bytes(response.content)
    figures = response.text.count('class="plot"')
    assert figures >= 2 + 2 + 1  # the explorer's two tabs, and the diffusion tab shown

    context = browser.new_context(viewport={"width": 1500, "height": 1000}, offline=True)
    requested = []
    context.route("**/*", lambda route: (requested.append(route.request.url),
                                         route.abort())[1]
                  if not route.request.url.startswith("file:") else route.continue_())
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("http", "ws")) and requested.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_function(f"document.querySelectorAll('.plot.js-plotly-plot').length == "
                           f"{figures}", timeout=30_000)
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.plot'))
        .filter(p => p._fullData && p._fullData.length > 0
                     && p.querySelector('.main-svg')).length""")
    assert drawn == figures
    assert page.evaluate("""() => Array.from(document.images)
        .every(i => i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/jpeg'))""")
    assert page.locator("img").count() == 2 + 2 + 3
    assert page.locator("details.numbers table").count() >= 3
    # Interactive: the mouse over a point of the first figure brings up plotly's hover label.
    x, y = page.evaluate("""() => {
        const gd = document.querySelector('#slide-1 .plot');
        const trace = gd._fullData.find(t => t.visible === true && t.x && t.x.length > 10);
        const k = Math.floor(trace.x.length / 2);
        const xa = gd._fullLayout[trace.xaxis.replace('x', 'xaxis')];
        const ya = gd._fullLayout[trace.yaxis.replace('y', 'yaxis')];
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(trace.x[k]),
                box.top + ya._offset + ya.l2p(trace.y[k])]; }""")
    page.mouse.move(x, y)
    page.wait_for_function("document.querySelector('#slide-1 .plot .hoverlayer')"
                           ".childElementCount > 0", timeout=5_000)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf_pages(pdf) == 3
    # The file can present too.
    page.keyboard.press("p")
    page.keyboard.press("End")
    assert page.locator(".counter").inner_text() == "3 / 3"
    context.close()
    assert requested == [] and errors == []


def test_a_single_view_downloads_from_its_page(page, story_app):
    app, url = story_app
    page.goto(url + "/?artwork=sample-coffee&view=noise&variance=0.03")
    page.wait_for_selector("#story-view-download")
    with page.expect_download() as event:
        page.click("#story-view-download")
    path = event.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert text.count('<section class="slide"') == 1
    assert "<td>variance</td><td>0.03</td>" in text and "<td>view</td><td>noise</td>" in text
