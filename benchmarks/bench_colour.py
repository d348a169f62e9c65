"""Speed of the colour engine against the naive numpy / scikit-image way, in the same run.

Run alone with ``python -m benchmarks.bench_colour``; ``run(image)`` returns the rows
for a harness. Each row times our function and its naive baseline on the same image
(1024 x 768 astronaut by default), taking turns call by call so that a change in the
machine's load hits both alike, checks that both give the same counts, and reports medians
in milliseconds and the speed-up (baseline / ours).

The 3D histograms are timed as the explorer serves them: RGB by one bincount, HSV, CIELAB
and Oklab with the colour -> bin table of the space and bin count, memory-mapped from the
tables folder (``<DASHBOARD_CACHE_DIR>/colour-tables``; a missing table is built first, and
its build time printed). Rows marked "no table" time the fallback that converts the image's
distinct colours, which a request uses until its table is built.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from skimage import color as skcolor
from skimage import data, transform

from dashboard.cli.parsing import OneLineParser, UsageError, positive_int
from dashboard.config import load_settings
from dashboard.core.colours import bin_edges, colour_histogram, colour_statistics
from dashboard.core.joint import joint_histogram
from dashboard.core.oklab import rgb_to_oklab
from dashboard.data.colour_tables import ColourTables

BENCH_SHAPE = (768, 1024)  # (height, width): a 1024 x 768 image


def load_bench_image(shape: tuple[int, int] = BENCH_SHAPE) -> np.ndarray:
    """scikit-image's astronaut resized to ``shape``, uint8 RGB (H, W, 3)."""
    resized = transform.resize(data.astronaut(), shape, preserve_range=True, anti_aliasing=True)
    return np.ascontiguousarray(np.rint(resized).astype(np.uint8))


def median_ms(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``func()`` in milliseconds, after one warm-up call."""
    return interleaved_medians_ms([func], repeats)[0]


def interleaved_medians_ms(funcs: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median wall time (ms) of each function, called in turn ``repeats`` times after one
    warm-up call each."""
    for func in funcs:
        func()
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeats):
        for slot, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            times[slot].append(time.perf_counter() - start)
    return [statistics.median(t) * 1e3 for t in times]


def bin_tables(spaces=("hsv", "lab", "oklab"), bins=(16, 64)) -> dict[tuple[str, int], object]:
    """The served tables of ``spaces`` x ``bins`` from the tables folder, built when missing
    (the build time is printed)."""
    tables = ColourTables(load_settings().cache_dir / "colour-tables", background=False,
                          build_after=1)
    found = {}
    for space in spaces:
        for count in bins:
            start = time.perf_counter()
            found[space, count] = tables.get(space, count)
            seconds = time.perf_counter() - start
            if seconds > 0.5:
                print(f"(built the {space} table of {count} bins in {seconds:.1f} s)")
    return found


def _naive_colour_statistics(rgb: np.ndarray) -> tuple[float, float]:
    """Mean Lab L and HSV S converting every pixel (the baseline for colour_statistics)."""
    hsv = skcolor.rgb2hsv(rgb)
    lab = skcolor.rgb2lab(rgb)
    counts, _ = np.histogramdd(rgb.reshape(-1, 3), bins=16, range=[(0, 256)] * 3)
    p = counts.ravel() / counts.sum()
    p = p[p > 0]
    _ = -(p * np.log2(p)).sum()
    return float(lab[..., 0].mean()), float(hsv[..., 1].mean())


def _cases(rgb: np.ndarray, tables: dict):
    """(case, ours, baseline name, baseline, check) for every measured function."""
    red, green = rgb[..., 0].ravel(), rgb[..., 1].ravel()
    pixels = rgb.reshape(-1, 3)
    for bins in (256, 32):
        edges = np.arange(0, 257, 256 // bins)
        yield (
            f"joint_histogram red/green bins={bins}",
            lambda bins=bins: joint_histogram(rgb, "red", "green", bins).counts,
            "np.histogram2d",
            lambda edges=edges: np.histogram2d(red, green, bins=[edges, edges])[0],
            True,
        )
    converters = {
        "rgb": lambda: pixels,
        "hsv": lambda: skcolor.rgb2hsv(rgb).reshape(-1, 3),
        "lab": lambda: skcolor.rgb2lab(rgb).reshape(-1, 3),
        "oklab": lambda: rgb_to_oklab(rgb).reshape(-1, 3),
    }
    for space, convert in converters.items():
        for bins in (16, 64):
            edges = bin_edges(space, bins)
            baseline_name = "np.histogramdd" if space == "rgb" else f"rgb2{space} + np.histogramdd"
            table = tables.get((space, bins))
            yield (
                f"colour_histogram {space} bins={bins}" + (" (table)" if table is not None else ""),
                lambda space=space, bins=bins, table=table: colour_histogram(
                    rgb, space, bins, bin_table=table).counts,
                baseline_name,
                lambda convert=convert, edges=edges: np.histogramdd(convert(), bins=edges)[0],
                True,
            )
            if space != "rgb" and bins == 16:
                yield (
                    f"colour_histogram {space} bins={bins} no table",
                    lambda space=space, bins=bins: colour_histogram(rgb, space, bins).counts,
                    baseline_name,
                    lambda convert=convert, edges=edges: np.histogramdd(convert(), bins=edges)[0],
                    True,
                )
    yield (
        "colour_statistics",
        lambda: colour_statistics(rgb),
        "rgb2hsv + rgb2lab per pixel",
        lambda: _naive_colour_statistics(rgb),
        False,
    )


def run(image: np.ndarray | None = None, repeats: int = 7,
        tables: dict | None = None) -> list[dict[str, object]]:
    """Time each colour function and its naive baseline on ``image`` (default: 1024x768).

    ``tables`` maps ``(space, bins)`` to a bin table (default: :func:`bin_tables`).
    Returns one dict per case with keys ``case``, ``ours_ms``, ``baseline``,
    ``baseline_ms``, ``speedup`` (baseline_ms / ours_ms) and ``shape`` ("HxW").
    Raises AssertionError if a histogram differs from its baseline's counts.
    """
    rgb = load_bench_image() if image is None else image
    tables = bin_tables() if tables is None else tables
    rows: list[dict[str, object]] = []
    for case, ours, baseline_name, baseline, compare in _cases(rgb, tables):
        if compare:
            np.testing.assert_array_equal(ours(), baseline(), err_msg=case)
        ours_ms, baseline_ms = interleaved_medians_ms([ours, baseline], repeats)
        rows.append(
            {
                "case": case,
                "ours_ms": round(ours_ms, 2),
                "baseline": baseline_name,
                "baseline_ms": round(baseline_ms, 2),
                "speedup": round(baseline_ms / ours_ms, 1),
                "shape": f"{rgb.shape[0]}x{rgb.shape[1]}",
            }
        )
    return rows


def format_rows(rows: list[dict[str, object]]) -> str:
    """A plain-text table of ``run``'s rows."""
    lines = [f"{'case':46} {'ours ms':>8} {'baseline ms':>12} {'speed-up':>9}  baseline"]
    for row in rows:
        lines.append(
            f"{row['case']:46} {row['ours_ms']:>8.2f} {row['baseline_ms']:>12.2f} "
            f"{row['speedup']:>8.1f}x  {row['baseline']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the colour benchmark on the 1024 x 768 astronaut."""
    parser = OneLineParser(prog="python -m benchmarks.bench_colour",
                           description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int, default=15,
                        help="timed calls of each function and of its baseline")
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rgb = load_bench_image()
    print(f"colour benchmark on a {rgb.shape[1]}x{rgb.shape[0]} image "
          f"(medians of {args.repeats} interleaved runs)")
    before = _load_average()
    rows = run(rgb, repeats=args.repeats)
    print(format_rows(rows))
    print(f"load average (1, 5, 15 min): {before} before, {_load_average()} after")
    return 0


def _load_average() -> str:
    """The machine's load average, which a timing on a shared machine must be read with."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
