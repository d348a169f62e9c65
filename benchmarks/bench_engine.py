"""Speed of one slider move: the engine against the original script and scikit-image.

Run with ``python -m benchmarks.bench_engine``. On the astronaut resized to 1024 x 768
(and on one artwork at long side 1024 when the artworks folder of the settings,
``DASHBOARD_ARTWORKS_DIR``, holds JPEGs) it times, in the same run:

* the engine's slider move: the noisy image plus original/noisy empirical and
  theoretical PMFs and CDFs of the three channels, image and field already in memory;
* the original script: ``np.random.normal`` + ``np.clip`` + ``astype(uint8)`` +
  ``np.histogram`` per channel (:mod:`benchmarks.naive_pipelines`);
* ``skimage.util.random_noise`` + rounding + ``np.histogram`` per channel;

and prints medians in milliseconds and the ratios baseline / engine. The baselines do
less than the engine (no CDFs, no theory) and draw fresh noise on every move, which is
what they did in the app; the engine's cost for a *new seed* is listed too. The colour
benchmark of :mod:`benchmarks.bench_colour` follows when that module is present: each colour
space's 3D histogram (as served, with its colour -> bin table) and the colour statistics
against their naive baselines, timed in turn in the same run.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from skimage import data, transform

from benchmarks.naive_pipelines import original_script_move, skimage_move
from dashboard.cli.parsing import OneLineParser, UsageError, positive_int
from dashboard.config import load_settings
from dashboard.core.distributions import NoiseAnalyser, cdf_from_pmf, noisy_pmf_theory
from dashboard.core.images import load_image
from dashboard.core.noise import standard_normal_field

BENCH_SHAPE = (768, 1024)  # (height, width): 1024 x 768
MAX_SIDE = 1024
#: Slider positions visited in turn, so that no two consecutive moves are identical.
MOVES = ((0.0, 0.01), (0.05, 0.02), (-0.1, 0.005), (0.02, 0.1), (0.0, 0.0), (0.3, 0.4))


def astronaut_image(shape: tuple[int, int] = BENCH_SHAPE) -> np.ndarray:
    """scikit-image's astronaut resized to ``shape`` (H, W), uint8 RGB."""
    resized = transform.resize(data.astronaut(), shape, preserve_range=True, anti_aliasing=True)
    return np.ascontiguousarray(np.rint(resized).astype(np.uint8))


def artwork_image(folder: Path | None = None) -> tuple[str, np.ndarray] | None:
    """The first JPEG of the artworks folder at long side 1024, or None if there is none."""
    folder = load_settings().artworks_dir if folder is None else folder
    if not folder.is_dir():
        return None
    jpegs = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg"})
    if not jpegs:
        return None
    return jpegs[0].name, load_image(jpegs[0], max_side=MAX_SIDE).pixels


def time_interleaved(
    cases: list[tuple[str, Callable[[int], object], int]], warmup: int = 3
) -> list[dict[str, object]]:
    """Median and minimum wall time (ms) of each case, timed round-robin.

    Each case is ``(name, func, repeats)``; ``func(i)`` is called ``warmup`` times, then the
    cases take turns, so a change in machine load hits every case alike.
    """
    for _, func, _ in cases:
        for index in range(warmup):
            func(index)
    times: list[list[float]] = [[] for _ in cases]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for index in range(max(count for _, _, count in cases)):
            for slot, (_, func, count) in enumerate(cases):
                if index < count:
                    start = time.perf_counter()
                    func(index)
                    times[slot].append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return [
        {"case": name, "ms": statistics.median(t) * 1e3, "min_ms": min(t) * 1e3}
        for (name, _, _), t in zip(cases, times, strict=True)
    ]


def run(image: np.ndarray, repeats: int = 40, seed: int = 0) -> list[dict[str, object]]:
    """Time the engine and both baselines on ``image``; one dict per row.

    Keys: ``case``, ``ms`` (median), ``min_ms``, ``ratio`` (median / engine move median).
    """
    analyser = NoiseAnalyser(image, seed=seed)
    renderer = analyser.renderer

    def move(i: int) -> object:
        return analyser.move(*MOVES[i % len(MOVES)])

    def render(i: int) -> object:
        return renderer.render(*MOVES[i % len(MOVES)])

    def render_counts(i: int) -> object:
        return renderer.render(*MOVES[i % len(MOVES)], counts=True)

    def theory(i: int) -> object:
        return cdf_from_pmf(noisy_pmf_theory(analyser.original_pmf, *MOVES[i % len(MOVES)]))

    def new_seed(i: int) -> object:
        return NoiseAnalyser(image, seed=seed + 1 + i).move(*MOVES[0])

    def field_only(i: int) -> object:
        return standard_normal_field(image.shape, seed + 1 + i)

    def original(i: int) -> object:
        return original_script_move(image, *MOVES[i % len(MOVES)], seed=seed + i)

    def scikit_image(i: int) -> object:
        return skimage_move(image, *MOVES[i % len(MOVES)], seed=seed + i)

    few = max(5, repeats // 4)
    cases = [
        ("engine: slider move (noisy + 3x PMF/CDF, empirical + theory)", move, repeats),
        ("  of which: noisy image only", render, repeats),
        ("  of which: noisy image + per-channel counts", render_counts, repeats),
        ("  of which: theory PMF + CDF (3 channels)", theory, repeats),
        ("engine: new seed (draw field, original PMF, then a move)", new_seed, few),
        ("  of which: draw the float32 field", field_only, few),
        ("baseline: original script (normal+clip+astype+np.histogram)", original, few),
        ("baseline: skimage random_noise + round + np.histogram", scikit_image, few),
    ]
    rows = time_interleaved(cases)
    reference = rows[0]["ms"]
    for row in rows:
        row["ratio"] = row["ms"] / reference
    return rows


def truncation_bias(image: np.ndarray, mean: float = 0.0, variance: float = 0.01) -> float:
    """Mean level difference, truncating ``astype`` minus rounding, on the same draws."""
    field = standard_normal_field(image.shape, 0).astype(np.float64)
    scaled = 255 * np.clip(image / 255.0 + mean + np.sqrt(variance) * field, 0, 1)
    return float(np.mean(scaled.astype(np.uint8) - np.round(scaled)))


def format_rows(title: str, rows: list[dict[str, object]]) -> str:
    """A plain-text table of :func:`run`'s rows."""
    lines = [title, f"  {'case':64} {'median ms':>10} {'min ms':>8} {'x engine move':>14}"]
    for row in rows:
        lines.append(
            f"  {row['case']:64} {row['ms']:>10.2f} {row['min_ms']:>8.2f} {row['ratio']:>13.1f}x"
        )
    return "\n".join(lines)


def _colour_section(images: list[tuple[str, np.ndarray]], repeats: int = 15) -> None:
    try:
        from benchmarks import bench_colour
    except ImportError as exc:
        print(f"\n(colour benchmark skipped: {exc})")
        return
    tables = bench_colour.bin_tables()
    for name, image in images:
        height, width = image.shape[:2]
        print(f"\ncolour benchmark, {name} ({width}x{height}), medians of {repeats} interleaved "
              "runs")
        print(bench_colour.format_rows(bench_colour.run(image, repeats=repeats, tables=tables)))


def main(argv: list[str] | None = None) -> int:
    """Print the engine benchmark (and the colour one if available)."""
    parser = OneLineParser(prog="python -m benchmarks.bench_engine")
    parser.add_argument("--repeats", type=positive_int, default=60, help="timed slider moves")
    parser.add_argument("--no-colour", action="store_true", help="skip bench_colour")
    try:
        args = parser.parse_args(argv)
        artwork = artwork_image()
    except (UsageError, ValueError) as error:  # also a bad setting or an unreadable artwork
        print(f"error: {error}", file=sys.stderr)
        return 2

    images = [("astronaut", astronaut_image())]
    if artwork is not None:
        images.append(artwork)
    else:
        print("(no artwork: set DASHBOARD_ARTWORKS_DIR to a folder of JPEGs to add one)")

    for name, image in images:
        height, width = image.shape[:2]
        rows = run(image, repeats=args.repeats)
        print()
        print(format_rows(f"engine benchmark, {name} ({width}x{height} RGB), one core", rows))
        move = rows[0]["ms"]
        for row in rows[-2:]:
            print(f"  -> engine slider move is {row['ms'] / move:.1f}x faster than {row['case']}")
        print(f"  truncation bias of astype(uint8): {truncation_bias(image):+.3f} levels")
    if not args.no_colour:
        _colour_section(images)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
