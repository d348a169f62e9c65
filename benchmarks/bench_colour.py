"""Speed of the colour engine against the naive numpy / scikit-image way, in the same run.

Run alone with ``python -m benchmarks.bench_colour``; ``run(image)`` returns the rows
for a harness. Each row times our function and its naive baseline on the same image
(1024 x 768 astronaut by default), checks that both give the same counts, and reports
medians in milliseconds and the speed-up (baseline / ours).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from skimage import color as skcolor
from skimage import data, transform

from dashboard.cli.parsing import OneLineParser, UsageError
from dashboard.core.colours import bin_edges, colour_histogram, colour_statistics
from dashboard.core.joint import joint_histogram

BENCH_SHAPE = (768, 1024)  # (height, width): a 1024 x 768 image


def load_bench_image(shape: tuple[int, int] = BENCH_SHAPE) -> np.ndarray:
    """scikit-image's astronaut resized to ``shape``, uint8 RGB (H, W, 3)."""
    resized = transform.resize(data.astronaut(), shape, preserve_range=True, anti_aliasing=True)
    return np.ascontiguousarray(np.rint(resized).astype(np.uint8))


def median_ms(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``func()`` in milliseconds, after one warm-up call."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _naive_colour_statistics(rgb: np.ndarray) -> tuple[float, float]:
    """Mean Lab L and HSV S converting every pixel (the baseline for colour_statistics)."""
    hsv = skcolor.rgb2hsv(rgb)
    lab = skcolor.rgb2lab(rgb)
    counts, _ = np.histogramdd(rgb.reshape(-1, 3), bins=16, range=[(0, 256)] * 3)
    p = counts.ravel() / counts.sum()
    p = p[p > 0]
    _ = -(p * np.log2(p)).sum()
    return float(lab[..., 0].mean()), float(hsv[..., 1].mean())


def _cases(rgb: np.ndarray):
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
    }
    for space, convert in converters.items():
        for bins in (16, 64):
            edges = bin_edges(space, bins)
            baseline_name = "np.histogramdd" if space == "rgb" else f"rgb2{space} + np.histogramdd"
            yield (
                f"colour_histogram {space} bins={bins}",
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


def run(image: np.ndarray | None = None, repeats: int = 7) -> list[dict[str, object]]:
    """Time each colour function and its naive baseline on ``image`` (default: 1024x768).

    Returns one dict per case with keys ``case``, ``ours_ms``, ``baseline``,
    ``baseline_ms``, ``speedup`` (baseline_ms / ours_ms) and ``shape`` ("HxW").
    Raises AssertionError if a histogram differs from its baseline's counts.
    """
    rgb = load_bench_image() if image is None else image
    rows: list[dict[str, object]] = []
    for case, ours, baseline_name, baseline, compare in _cases(rgb):
        if compare:
            np.testing.assert_array_equal(ours(), baseline(), err_msg=case)
        ours_ms = median_ms(ours, repeats)
        baseline_ms = median_ms(baseline, repeats)
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
    lines = [f"{'case':40} {'ours ms':>8} {'baseline ms':>12} {'speed-up':>9}  baseline"]
    for row in rows:
        lines.append(
            f"{row['case']:40} {row['ours_ms']:>8.2f} {row['baseline_ms']:>12.2f} "
            f"{row['speedup']:>8.1f}x  {row['baseline']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the colour benchmark on the 1024 x 768 astronaut."""
    parser = OneLineParser(prog="python -m benchmarks.bench_colour",
                           description=__doc__.splitlines()[0])
    try:
        parser.parse_args(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rgb = load_bench_image()
    print(f"colour benchmark on a {rgb.shape[1]}x{rgb.shape[0]} image (median of 7 runs)")
    print(format_rows(run(rgb)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
