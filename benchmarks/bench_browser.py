"""Slider move to every visible figure redrawn, in headless Chromium: ours against a naive app.

Run with ``python -m benchmarks.bench_browser [--moves N]``. Both apps serve the same
1024-px image on 127.0.0.1 (a real artwork from ``DASHBOARD_ARTWORKS_DIR`` when set, else the
scikit-image astronaut resized to 1024 x 768). For each move the variance slider's thumb gets
one ArrowRight key press; the time runs from the key press (its ``keydown`` event) to the
last redraw among the visible figures (``plotly_afterplot``) and the noisy picture (its
``load`` event), all read from the page's own clock. Prints medians and the ratio, and the
payload of one move.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data, transform

from benchmarks.naive_app import GRAPHS as NAIVE_GRAPHS
from benchmarks.naive_app import create_naive_app
from dashboard.app import create_app
from dashboard.config import load_settings
from tests.support.chromium import launch_chromium
from tests.support.servers import serving
from tests.support.tiny_corpus import jpeg_bytes, write_catalogue

ARTWORK = "the-starry-night-1889"
#: The figures visible on each explorer tab, besides the two pictures. On the joint and 3D tabs
#: a slider move redraws only the figures of the noisy image.
VIEW_GRAPHS = {
    "noise": ["noise-graph", "effective-noise-graph"],
    "distributions": ["pmf-graph", "cdf-graph"],
}

#: Installs listeners that stamp the page clock at the key press (``__t0``, on the key's
#: own event) and when a figure or picture redraws.
MARKER_JS = """
(ids) => {
  window.__marks = {};
  document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
  for (const id of ids) {
    const el = document.getElementById(id);
    if (!el) continue;
    const gd = el.querySelector('.js-plotly-plot');
    if (el.tagName === 'IMG') {
      el.addEventListener('load', () => { window.__marks[id] = performance.now(); });
    } else if (gd) {
      gd.on('plotly_afterplot', () => { window.__marks[id] = performance.now(); });
    } else {  // a text: when its content last changed
      new MutationObserver(() => { window.__marks[id] = performance.now(); })
        .observe(el, {childList: true, subtree: true, characterData: true});
    }
  }
}
"""


def _bench_source(tmp: Path):
    """Settings, artwork id and pixels of a 1024-px image for both apps."""
    settings = load_settings()
    if (settings.artworks_dir / f"{ARTWORK}.jpg").is_file():
        settings = load_settings(cache_dir=tmp / "cache")
        pixels = np.asarray(Image.open(settings.artworks_dir / f"{ARTWORK}.jpg").convert("RGB"))
        return settings, ARTWORK, pixels
    pixels = (transform.resize(data.astronaut(), (768, 1024)) * 255).round().astype(np.uint8)
    folder = tmp / "artworks"
    folder.mkdir()
    encoded = jpeg_bytes(pixels, quality=95)
    (folder / "astronaut-1024.jpg").write_bytes(encoded)
    catalogue = tmp / "catalogue.csv"
    write_catalogue(catalogue, [{"id": "astronaut-1024", "file": "astronaut-1024.jpg",
                                 "title": "Astronaut 1024", "year": 1888, "place": "bench",
                                 "period": "arles", "width": 1024, "height": 768,
                                 "sha256": hashlib.sha256(encoded).hexdigest(),
                                 "source": "benchmark"}])
    decoded = np.asarray(Image.open(folder / "astronaut-1024.jpg").convert("RGB"))
    settings = load_settings(artworks_dir=folder, catalogue_path=catalogue,
                             cache_dir=tmp / "cache")
    return settings, "astronaut-1024", decoded


def _measure(page, url: str, watched: list[str], moves: int, ready_graph: str) -> list[float]:
    page.goto(url)
    page.wait_for_function(
        "(id) => { const g = document.querySelector('#' + id + ' .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }", arg=ready_graph,
        timeout=120_000)
    page.wait_for_timeout(1500)  # let the first render settle before timing
    page.evaluate(MARKER_JS, watched)
    thumb = page.locator("#variance-slider [role=slider]")
    times = []
    for _ in range(moves):
        thumb.focus()
        before = page.evaluate("performance.now()")
        thumb.press("ArrowRight")
        page.wait_for_function(
            "([ids, t]) => window.__t0 > t && ids.every(id => (window.__marks[id] || 0) > t)",
            arg=[watched, before], timeout=120_000)
        page.wait_for_timeout(150)  # a later redraw of the same move would move the mark
        start, end = page.evaluate(
            "([ids]) => [window.__t0, Math.max(...ids.map(id => window.__marks[id]))]",
            [watched])
        times.append(end - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=15, help="slider moves per app")
    parser.add_argument("--naive-moves", type=int, default=5, help="moves for the naive app")
    parser.add_argument("--view", choices=sorted(VIEW_GRAPHS), default="distributions",
                        help="the explorer tab shown while the slider moves")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        settings, artwork, pixels = _bench_source(Path(tmp_name))
        ours = create_app(settings)
        naive = create_naive_app(pixels)
        payloads: list[int] = []
        with (serving(ours.server) as ours_url, serving(naive.server) as naive_url,
              sync_playwright() as playwright):
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.on("response", lambda r: payloads.append(len(r.body()))
                    if "_dash-update-component" in r.url or "/image/" in r.url else None)
            graphs = VIEW_GRAPHS[args.view]
            ours_times = _measure(
                page, f"{ours_url}/?artwork={artwork}&view={args.view}&variance=0.01",
                ["noisy-image", *graphs], args.moves, graphs[0])
            ours_bytes = sum(payloads) / max(args.moves, 1)
            payloads.clear()
            naive_times = _measure(page, naive_url, list(NAIVE_GRAPHS), args.naive_moves,
                                   "noisy-graph")
            naive_bytes = sum(payloads) / max(args.naive_moves, 1)
            browser.close()

    ours_median = statistics.median(ours_times)
    naive_median = statistics.median(naive_times)
    print(f"image: {artwork} ({pixels.shape[1]} x {pixels.shape[0]}), explorer tab: {args.view}")
    print(f"{'app':<8}{'moves':>7}{'median ms':>12}{'min ms':>10}{'max ms':>10}"
          f"{'KB per move':>13}")
    for name, times, size in (("ours", ours_times, ours_bytes),
                              ("naive", naive_times, naive_bytes)):
        print(f"{name:<8}{len(times):>7}{statistics.median(times):>12.0f}{min(times):>10.0f}"
              f"{max(times):>10.0f}{size / 1024:>13.0f}")
    print(f"ratio naive / ours (medians): {naive_median / ours_median:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
