"""t moves on the diffusion pages of two checkouts, interleaved in one browser: a change of a
few ms, measured on a machine whose speed drifts by more than that from one run to the next.

Run with ``python -m benchmarks.ab_diffusion --baseline PATH [--moves N]``, where PATH is
another checkout of this repository (for example ``git worktree add /tmp/base HEAD~1``).
Each checkout's app runs in its own process (its own code, on 127.0.0.1) and gets its own page
in one headless Chromium; the moves alternate between the two pages in the order ABBA ABBA…,
so a drift of the machine's speed falls on both alike. A move is timed as in
:mod:`benchmarks.bench_diffusion` (the key press to the last of the figure, the two pictures
and the channel lines); Chromium's main-thread busy time comes from its ``TaskDuration``
metric. Prints the medians of each app and of the differences of moves made side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_browser import MARKER_JS
from benchmarks.bench_diffusion import OURS_GRAPHS, OURS_PICTURES, OURS_TEXTS, START_STEP
from dashboard.diffusion import ids
from tests.support.chromium import MISSING, chromium_installed, launch_chromium

HERE = Path(__file__).resolve().parent.parent

#: Run in each checkout's own code: serve its app on a free port, print the URL and artwork.
SERVE = """
import sys, tempfile, time
from pathlib import Path
from benchmarks.bench_browser import _bench_source
from dashboard.app import create_app, prepare_to_serve
from tests.support.servers import serving
with tempfile.TemporaryDirectory() as tmp:
    settings, artwork, _ = _bench_source(Path(tmp))
    with serving(prepare_to_serve(create_app(settings)).server) as url:
        print(url, artwork, flush=True)
        sys.stdin.read()  # until the benchmark closes the pipe
"""

PARTS = ("move", "figure", "pictures", "lines", "main thread")


def _start(root: Path) -> tuple[subprocess.Popen, str, str]:
    """The app of the checkout at ``root`` in a process of its own; its URL and artwork."""
    env = dict(os.environ, PYTHONPATH=str(root))
    process = subprocess.Popen([sys.executable, "-c", SERVE], cwd=root, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = process.stdout.readline().split()
    if len(line) != 2:
        process.kill()
        raise RuntimeError(f"the app of {root} did not start")
    return process, line[0], line[1]


def _open(browser, url: str, artwork: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{url}/diffusion?artwork={artwork}&t={START_STEP}")
    page.wait_for_function(
        "(ids) => ids.every(id => { const g = document.querySelector('#' + id + "
        "' .js-plotly-plot'); return g && g.data && g.data.length > 0; })", arg=OURS_GRAPHS,
        timeout=300_000)
    page.wait_for_timeout(1500)  # let the first render settle before timing
    page.evaluate(MARKER_JS, OURS_PICTURES + OURS_GRAPHS + OURS_TEXTS)
    metrics = page.context.new_cdp_session(page)
    metrics.send("Performance.enable")
    return page, metrics


def _busy_ms(metrics) -> float:
    values = metrics.send("Performance.getMetrics")["metrics"]
    return 1000 * next(m["value"] for m in values if m["name"] == "TaskDuration")


def _move(page, metrics) -> tuple[float, ...]:
    """One ArrowRight on the t slider: ms of each of :data:`PARTS` from the key press."""
    watched = OURS_PICTURES + OURS_GRAPHS + OURS_TEXTS
    page.bring_to_front()
    thumb = page.locator(f"#{ids.STEP_SLIDER} [role=slider]")
    thumb.focus()
    before = page.evaluate("performance.now()")
    busy = _busy_ms(metrics)
    thumb.press("ArrowRight")
    page.wait_for_function(
        "([ids, t]) => window.__t0 > t && ids.every(id => (window.__marks[id] || 0) > t)",
        arg=[watched, before], timeout=300_000)
    page.wait_for_timeout(500)  # a later redraw of the same move would move the mark
    start, marks = page.evaluate("() => [window.__t0, window.__marks]")
    last = {name: max(marks[i] for i in group) - start for name, group in
            (("figure", OURS_GRAPHS), ("pictures", OURS_PICTURES), ("lines", OURS_TEXTS))}
    return (max(last.values()), last["figure"], last["pictures"], last["lines"],
            _busy_ms(metrics) - busy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True,
                        help="another checkout of this repository (A); this one is B")
    parser.add_argument("--moves", type=int, default=40, help="moves of each page")
    args = parser.parse_args(argv)
    if args.moves < 2:
        parser.error("--moves must be at least 2")
    if not (args.baseline / "dashboard" / "app.py").is_file():
        parser.error(f"{args.baseline} is not a checkout of this repository")
    if not chromium_installed():
        print(MISSING)
        return 2
    from playwright.sync_api import sync_playwright

    apps = [_start(args.baseline.resolve()), _start(HERE)]
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            pages = [_open(browser, url, artwork) for _, url, artwork in apps]
            times: list[list[tuple[float, ...]]] = [[], []]
            for pair in range(args.moves):
                order = (0, 1) if pair % 2 == 0 else (1, 0)  # ABBA: A and B alike on drift
                for which in order:
                    times[which].append(_move(*pages[which]))
            browser.close()
    finally:
        for process, _, _ in apps:
            process.kill()

    med = statistics.median
    print(f"{args.moves} moves each, alternating; medians in ms (baseline A: {args.baseline})")
    print(f"{'':8}" + "".join(f"{name:>13}" for name in PARTS))
    for name, rows in (("A", times[0]), ("B", times[1])):
        print(f"{name:8}" + "".join(f"{med(r[i] for r in rows):>13.1f}"
                                    for i in range(len(PARTS))))
    print(f"{'B - A':8}" + "".join(
        f"{med(b[i] - a[i] for a, b in zip(*times, strict=True)):>13.1f}"
        for i in range(len(PARTS))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
