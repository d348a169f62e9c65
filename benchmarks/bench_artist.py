"""Response times of the artist page's views in headless Chromium, on the shared corpus.

Run with ``DASHBOARD_ARTWORKS_DIR=... python -m benchmarks.bench_artist [--runs N]``, with
the index built (``python -m dashboard data index``; otherwise the first page builds it).
Each run opens a fresh page on the whole-corpus view, lets it settle, then takes the steps
below one after another, each on a settled page. A step's time runs from the user's input
event (the page's own clock, stamped by a capturing listener) to the first animation frame
at which its result is on screen: the figure redrawn (``plotly_afterplot``) and its content
checked. Prints the median and the slowest run of each step against the 300 ms target.
"""

from __future__ import annotations

import logging
import statistics
import sys

from dashboard.app import create_app, prepare_to_serve
from dashboard.cli.parsing import OneLineParser, UsageError, positive_int
from dashboard.config import Settings, load_settings
from dashboard.data.corpus import Corpus
from tests.support.chromium import MISSING, chromium_installed, launch_chromium
from tests.support.servers import serving

TARGET_MS = 300
SETTLE_MS = 800

#: Stamps the first input event after arming, and every figure's last redraw.
ARM_JS = """
() => {
  window.__t0 = null;
  if (!window.__listening) {
    window.__listening = true;
    for (const type of ['pointerdown', 'mousedown', 'click', 'input', 'change', 'keydown']) {
      document.addEventListener(type, () => {
        if (window.__t0 === null) { window.__t0 = performance.now(); }
      }, true);
    }
  }
  window.__after = window.__after || {};
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (!gd.__benchListening) {
      gd.__benchListening = true;
      gd.on('plotly_afterplot', () => { window.__after[gd.parentElement.closest('[id]').id] =
                                          performance.now(); });
    }
  }
}
"""


def _redrawn(graph_id: str, check: str = "true") -> str:
    return (f"(window.__after['{graph_id}'] || 0) > window.__t0 && "
            f"(() => {{ const gd = document.querySelector('#{graph_id} .js-plotly-plot'); "
            f"return {check}; }})()")


def _steps(page) -> list[tuple[str, callable, str]]:
    def tab(name):
        return lambda: page.get_by_role("tab", name=name).click()

    return [
        ("colour space RGB -> CIE Lab (3D)",
         lambda: page.locator("#artist-space label", has_text="CIE Lab").click(),
         _redrawn("artist-corpus-3d-graph", "gd.layout.title.text.includes('LAB')")),
        ("colour space CIE Lab -> HSV (3D)",
         lambda: page.locator("#artist-space label", has_text="HSV").click(),
         _redrawn("artist-corpus-3d-graph", "gd.layout.title.text.includes('HSV')")),
        ("tab: Periods", tab("Periods"),
         _redrawn("artist-periods-graph", "gd._fullData.length >= 20") +
         " && document.querySelectorAll('#artist-period-table tr').length > 5"),
        ("tab: Timeline", tab("Timeline"),
         _redrawn("artist-timeline-graph", "gd._fullData.length >= 6")),
        ("timeline statistic -> yellow share",
         lambda: page.select_option("#artist-timeline-stat", "yellow_share"),
         _redrawn("artist-timeline-graph", "gd.layout.yaxis.title.text.startsWith('Yellow')")),
        ("tab: One painting", tab("One painting against the artist"),
         _redrawn("artist-painting-graph", "gd._fullData.length >= 9") +
         " && document.querySelectorAll('#artist-typical-lists .artist-card').length >= 30"),
        ("compare another painting",
         lambda: page.locator("#artist-typical-lists .artist-period-block[data-period=dutch] "
                              ".artist-compare").first.click(),
         "document.querySelector('#artist-painting-summary').innerText.includes('Dutch')"),
        ("tab: Find by colour", tab("Find by colour"),
         "document.querySelectorAll('#artist-search-results .artist-card').length >= 12"),
        ("change a colour", lambda: page.fill("#artist-colour-1", "#3b2f1e"),
         "document.querySelector('#artist-search-results .match-swatch') && "
         "document.querySelector('#artist-search-results .match-swatch').style.backgroundColor"
         " === 'rgb(59, 47, 30)'"),
        ("tab: The whole corpus", tab("The whole corpus"),
         _redrawn("artist-corpus-3d-graph", "gd._fullData.length >= 1")),
    ]


def _run(browser, base: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(base + "/artist?view=corpus&space=rgb", timeout=300_000)
    page.wait_for_function(
        "() => { const g = document.querySelector('#artist-corpus-3d-graph .js-plotly-plot');"
        " return g && g._fullData && g._fullData.length >= 1; }", timeout=300_000)
    times = {}
    for name, action, condition in _steps(page):
        page.wait_for_timeout(SETTLE_MS)
        page.evaluate(ARM_JS)
        action()
        done = page.wait_for_function(
            f"() => (window.__t0 !== null && ({condition})) ? performance.now() : false",
            timeout=60_000, polling="raf")
        times[name] = done.json_value() - page.evaluate("window.__t0")
        page.evaluate(ARM_JS)  # listen to figures the step has just mounted
    page.close()
    return times


def _unready(settings: Settings) -> str | None:
    """Why the benchmark cannot run here (no corpus, no Chromium, no Playwright), or None."""
    if not Corpus.from_settings(settings).has_artworks():
        return (f"no Van Gogh image in {settings.artworks_dir}: the artist page needs the "
                "corpus; set DASHBOARD_ARTWORKS_DIR to the artworks folder "
                "(`python -m dashboard data status` says what is there)")
    if not chromium_installed():
        return MISSING
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is missing: pip install -r requirements-dev.txt"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m benchmarks.bench_artist",
                           description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive_int, default=3,
                        help="fresh pages, each taking every step")
    try:
        args = parser.parse_args(argv)
        settings = load_settings()
        problem = _unready(settings)
    except (UsageError, ValueError) as error:  # also a bad setting or catalogue
        problem = str(error)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log between results
    app = prepare_to_serve(create_app(settings))
    with serving(app.server) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        runs = [_run(browser, base) for _ in range(args.runs)]
        browser.close()
    print(f"{'step':40s}{'median ms':>11s}{'slowest ms':>12s}  target {TARGET_MS} ms")
    for name in runs[0]:
        values = [run[name] for run in runs]
        median = statistics.median(values)
        flag = "" if median <= TARGET_MS else "  over"
        print(f"{name:40s}{median:>11.0f}{max(values):>12.0f}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
