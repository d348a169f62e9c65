"""A t-slider move on the diffusion page to everything visible redrawn, in headless Chromium:
ours against a naive Dash version of the page, in the same run.

Run with ``python -m benchmarks.bench_diffusion [--moves N] [--naive-moves N]``. Both apps
serve the same 1024-px image on 127.0.0.1 (*The Starry Night* from ``DASHBOARD_ARTWORKS_DIR``
when present, else the scikit-image astronaut resized to 1024 x 768), linear schedule,
T = 1000, starting at t = 250. For each move the t slider's thumb gets one ArrowRight key
press; the time runs from the key press (its ``keydown`` event) to the last redraw among the
visible figures (``plotly_afterplot``), the pictures of x_t and of the denoised image (their
``load`` events) and, on our page, the three channel lines (KL, information, moments and the
denoiser's measured error; the last change of their text), all on the page's own clock. Our
page shows one tab of figures at a time (the marginal of x_t, its default); the naive page
shows its four figures at once and redraws them all. Each new step is computed (no step repeats).
Prints medians and the ratio, when the figures and when the pictures were done, and the
payload of one move.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.bench_browser import MARKER_JS, _bench_source
from benchmarks.naive_diffusion import GRAPHS as NAIVE_GRAPHS
from benchmarks.naive_diffusion import create_naive_app
from dashboard.app import create_app, prepare_to_serve
from dashboard.diffusion import ids
from tests.support.chromium import MISSING, chromium_installed, launch_chromium
from tests.support.servers import serving

START_STEP = 250
OURS_PICTURES = [ids.NOISY_IMAGE, ids.DENOISED_IMAGE]
OURS_GRAPHS = [ids.GRAPH_OF_VIEW["marginal"]]
OURS_TEXTS = list(ids.CHANNEL_LINES.values())


def _measure(page, url: str, slider: str, pictures: list[str], graphs: list[str], moves: int,
             settle_ms: int, texts: tuple[str, ...] = ()) -> list[tuple[float, ...]]:
    """``(total, figures, pictures, texts)`` ms of each move, from the key press."""
    watched = pictures + graphs + list(texts)
    page.goto(url)
    page.wait_for_function(
        "(ids) => ids.every(id => { const g = document.querySelector('#' + id + "
        "' .js-plotly-plot'); return g && g.data && g.data.length > 0; })", arg=graphs,
        timeout=300_000)
    page.wait_for_timeout(settle_ms)  # let the first render settle before timing
    page.evaluate(MARKER_JS, watched)
    thumb = page.locator(f"#{slider} [role=slider]")
    times = []
    for _ in range(moves):
        thumb.focus()
        before = page.evaluate("performance.now()")
        thumb.press("ArrowRight")
        page.wait_for_function(
            "([ids, t]) => window.__t0 > t && ids.every(id => (window.__marks[id] || 0) > t)",
            arg=[watched, before], timeout=300_000)
        page.wait_for_timeout(settle_ms)  # a later redraw of the same move would move the mark
        start, figures, images, words = page.evaluate(
            """([graphs, pictures, texts]) => [window.__t0,
                 Math.max(...graphs.map(id => window.__marks[id])),
                 Math.max(0, ...pictures.map(id => window.__marks[id])),
                 Math.max(0, ...texts.map(id => window.__marks[id]))]""",
            [graphs, pictures, list(texts)])
        nan = float("nan")
        times.append((max(figures, images, words) - start, figures - start,
                      (images - start) if pictures else nan, (words - start) if texts else nan))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=15, help="slider moves of our page")
    parser.add_argument("--naive-moves", type=int, default=5, help="moves of the naive page")
    args = parser.parse_args(argv)
    if args.moves < 1 or args.naive_moves < 1:
        parser.error("--moves and --naive-moves must be at least 1")
    if not chromium_installed():
        print(MISSING)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        settings, artwork, pixels = _bench_source(Path(tmp_name))
        ours = prepare_to_serve(create_app(settings))
        naive = create_naive_app(pixels)
        payloads: list[int] = []
        with (serving(ours.server) as ours_url, serving(naive.server) as naive_url,
              sync_playwright() as playwright):
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.on("response", lambda r: payloads.append(len(r.body()))
                    if "_dash-update-component" in r.url or "/image/" in r.url else None)
            ours_times = _measure(
                page, f"{ours_url}/diffusion?artwork={artwork}&t={START_STEP}",
                ids.STEP_SLIDER, OURS_PICTURES, OURS_GRAPHS, args.moves, 600, OURS_TEXTS)
            ours_bytes = sum(payloads) / args.moves
            payloads.clear()
            naive_times = _measure(page, naive_url, "t-slider", [], list(NAIVE_GRAPHS),
                                   args.naive_moves, 300)
            naive_bytes = sum(payloads) / args.naive_moves
            browser.close()

    print(f"image: {artwork} ({pixels.shape[1]} x {pixels.shape[0]}), linear schedule, "
          f"T = 1000, from t = {START_STEP}")
    print(f"{'app':<8}{'moves':>7}{'median ms':>12}{'min ms':>10}{'max ms':>10}"
          f"{'figures ms':>12}{'pictures ms':>13}{'texts ms':>10}{'KB per move':>13}")
    for name, times, size in (("ours", ours_times, ours_bytes),
                              ("naive", naive_times, naive_bytes)):
        totals = [t[0] for t in times]
        print(f"{name:<8}{len(times):>7}{statistics.median(totals):>12.0f}{min(totals):>10.0f}"
              f"{max(totals):>10.0f}{statistics.median(t[1] for t in times):>12.0f}"
              f"{statistics.median(t[2] for t in times):>13.0f}"
              f"{statistics.median(t[3] for t in times):>10.0f}{size / 1024:>13.0f}")
    ratio = statistics.median(t[0] for t in naive_times) / statistics.median(
        t[0] for t in ours_times)
    print(f"ratio naive / ours (medians): {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
