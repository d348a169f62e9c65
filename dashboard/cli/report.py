"""``python -m dashboard report``: everything the dashboard shows for one image, as JSON.

Loads an image file (``--image``) or a catalogued artwork (``--artwork``), adds the
seeded Gaussian noise, and writes per-channel PMFs/CDFs (empirical and theoretical),
the noise against its theory, joint channel statistics, 3D colour histogram summaries
and the palette. The schema is documented in docs/report-schema.md.

Bad input (a missing or unreadable image, an unknown artwork id, a parameter out of
range) prints one line on stderr saying what was wrong and what is accepted, and
exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from dashboard.cli.output import (
    InputError,
    check_distinct_outputs,
    check_output_path,
    fail,
    floats,
    json_ready,
    size,
)
from dashboard.config import Settings, load_settings
from dashboard.core import colours, joint
from dashboard.core.corpus_stats import hex_colour
from dashboard.core.distributions import (
    NoiseAnalyser,
    difference_levels,
)
from dashboard.core.images import NormalisedImage, load_image
from dashboard.core.noise import validate_mean, validate_seed, validate_variance
from dashboard.core.vocabulary import CHANNELS, LEVELS, SPACES
from dashboard.data.corpus import (
    ArtworkUnavailableError,
    Corpus,
    UnknownArtworkError,
    sample_artworks,
)

#: Version of the JSON layout; bump when a key changes meaning or disappears. 2: the
#: goodness-of-fit ``p_value`` is under the exact noise model (schema 1's is ``p_value_iid``).
SCHEMA_VERSION = 2
#: Bins per axis of the coarse joint PMF of each channel pair.
REPORT_JOINT_BINS = 16
#: Colour-histogram bins per axis, and how many of the fullest bins are listed.
COLOUR_BINS = 16
TOP_BINS = 10
#: Colours of the original's and the noisy image's palettes.
REPORT_PALETTE_SIZE = 8
#: Largest accepted --max-side (pixels); the app analyses at 1024.
MAX_SIDE_LIMIT = 8192


def sample_ids() -> str:
    """The ids of the bundled sample images, comma-separated (always available)."""
    return ", ".join(artwork.id for artwork in sample_artworks())


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--image PATH | --artwork ID`` (one of them required), as :func:`load_source` reads."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--image", metavar="PATH", help="an image file (JPEG, PNG, ...)")
    source.add_argument(
        "--artwork",
        metavar="ID",
        help=f"an artwork id from the catalogue, or a bundled sample: {sample_ids()} "
        "(`data status` says which paintings are present)",
    )


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` command to the subcommands ``commands`` of the one CLI tree."""
    parser = commands.add_parser(
        "report",
        help="analyse one image and write the results as JSON",
        description="Analyse one image with seeded Gaussian noise and write the results as JSON.",
    )
    add_source_arguments(parser)
    parser.add_argument(
        "--mean", type=float, default=0.0, help="noise mean on the [0, 1] scale, -1..1"
    )
    parser.add_argument(
        "--variance", type=float, default=0.01, help="noise variance on the [0, 1] scale, 0..1"
    )
    parser.add_argument("--seed", type=int, default=0, help="noise seed, 0..2**32-1")
    parser.add_argument(
        "--max-side",
        type=int,
        default=None,
        help="long side of the analysed image in pixels (default: DASHBOARD_MAX_SIDE or 1024)",
    )
    parser.add_argument("--json", required=True, metavar="OUT", help="output file, '-' for stdout")
    parser.add_argument("--noisy-out", metavar="PNG", help="also write the noisy image (PNG)")
    parser.add_argument("--html", metavar="OUT",
                        help="also write the explorer's view of this image and noise as one "
                        "offline HTML file (mean and variance at the page's resolution)")
    parser.set_defaults(run=run)
    return parser


# --------------------------------------------------------------------------- loading


def _check_max_side(max_side: int) -> int:
    if not 1 <= max_side <= MAX_SIDE_LIMIT:
        raise InputError(
            f"--max-side must be an integer in [1, {MAX_SIDE_LIMIT}], got {max_side}"
        )
    return max_side




def load_source(args: argparse.Namespace, settings) -> tuple[NormalisedImage, dict[str, Any]]:
    """Decode the image named by ``--image`` or ``--artwork``; return it and its JSON source."""
    max_side = _check_max_side(settings.max_side if args.max_side is None else args.max_side)
    if args.image is not None:
        image = load_image(args.image, max_side=max_side, max_pixels=settings.max_pixels)
        return image, {"kind": "file", "path": str(args.image), "format": image.format}
    corpus = Corpus.from_settings(settings)
    try:
        artwork = corpus.get(args.artwork)  # ids are looked up, never turned into paths
    except UnknownArtworkError as error:
        raise UnknownArtworkError(f"{error} (bundled samples: {sample_ids()})") from None
    if not corpus.available(artwork.id):
        raise ArtworkUnavailableError(
            f"the image of artwork {artwork.id!r} is not in {settings.artworks_dir}; "
            "run `python -m dashboard data status` to see which artworks are available"
        )
    image = load_image(corpus.path(artwork.id), max_side=max_side, max_pixels=settings.max_pixels)
    source = {
        "kind": "artwork",
        "artwork": artwork.id,
        "title": artwork.title,
        "year": artwork.year,
        "period": artwork.period,
        "format": image.format,
    }
    return image, source


# ------------------------------------------------------------------------- sections






def channels_section(result) -> dict[str, dict[str, list[float]]]:
    """Per-channel PMFs/CDFs (256 floats each) of one slider move."""
    keys = (
        "original_pmf",
        "original_cdf",
        "noisy_pmf",
        "noisy_cdf",
        "noisy_pmf_theory",
        "noisy_cdf_theory",
    )
    return {
        name: {key: floats(getattr(result, key)[index]) for key in keys}
        for index, name in enumerate(CHANNELS)
    }


def _pmf_moments(levels: np.ndarray, pmf: np.ndarray) -> tuple[float, float]:
    mean = float(pmf @ levels)
    return mean, float(math.sqrt(max(float(pmf @ (levels - mean) ** 2), 0.0)))


def noise_section(analyser: NoiseAnalyser, result) -> dict[str, Any]:
    """The noise against its theory, the effective noise, and goodness of fit."""
    mean, variance = result.mean, result.variance
    summary = analyser.noise_summary(mean, variance, num=101, bins=50)
    effective = analyser.effective_noise(result.noisy, result.mean, result.variance)
    levels = difference_levels().astype(np.float64)
    fits = analyser.goodness_of_fit(result)
    per_channel = {}
    for index, name in enumerate(CHANNELS):
        empirical_mean, empirical_std = _pmf_moments(levels, effective.pmf[index])
        theory_mean, theory_std = _pmf_moments(levels, effective.pmf_theory[index])
        per_channel[name] = {
            "mean": empirical_mean,
            "std": empirical_std,
            "mean_theory": theory_mean,
            "std_theory": theory_std,
            "pmf": floats(effective.pmf[index]),
            "pmf_theory": floats(effective.pmf_theory[index]),
        }
    return {
        "model": "noisy = clip(x + rint(255*mean + 255*sqrt(variance)*z), 0, 255), z ~ N(0, 1), "
        "rint rounding halves to even",
        "scale": "unit",
        "theory": {"mean": mean, "variance": variance, "std": math.sqrt(variance)},
        "sample": {
            "count": analyser.sample.size,
            "mean": summary.sample_mean,
            "variance": summary.sample_variance,
            "std": math.sqrt(summary.sample_variance),
        },
        "curves": {
            "grid": floats(summary.grid),
            "pdf_theory": floats(summary.pdf_theory),
            "cdf_theory": floats(summary.cdf_theory),
            "ecdf": floats(summary.ecdf),
            "edges": floats(summary.edges),
            "density": floats(summary.density),
        },
        "effective": {"levels": difference_levels().tolist(), "channels": per_channel},
        "goodness_of_fit": {name: vars(fit) for name, fit in fits.items()},
    }


def _joint_summary(rgb: np.ndarray, x_channel: str, y_channel: str) -> dict[str, Any]:
    full = joint.joint_histogram(rgb, x_channel, y_channel, bins=256)
    coarse = joint.joint_histogram(rgb, x_channel, y_channel, bins=REPORT_JOINT_BINS)
    mutual_information = joint.mutual_information(full)
    baseline = joint.independence_baseline(full, rng=0)
    return {
        "correlation": joint.pearson_correlation(full),
        "mutual_information_bits": mutual_information,
        "mutual_information_bits_coarse": joint.mutual_information(coarse),
        "independent_bits": {
            "mean": baseline.mean,
            "bound": baseline.bound,
            "shuffles": floats(baseline.shuffled_bits),
        },
        "dependence_detected": baseline.detects(mutual_information),
        "pmf": coarse.pmf.tolist(),
    }


def joint_section(original: np.ndarray, noisy: np.ndarray) -> dict[str, Any]:
    """Correlation, mutual information and a coarse joint PMF for each channel pair."""
    pairs = {}
    for x_channel, y_channel in combinations(CHANNELS, 2):
        pairs[f"{x_channel}_{y_channel}"] = {
            "x_channel": x_channel,
            "y_channel": y_channel,
            "original": _joint_summary(original, x_channel, y_channel),
            "noisy": _joint_summary(noisy, x_channel, y_channel),
        }
    return {
        "coarse_bins": REPORT_JOINT_BINS,
        "level_edges": np.arange(0, LEVELS + 1, LEVELS // REPORT_JOINT_BINS).tolist(),
        "pairs": pairs,
    }


def _histogram_summary(hist: colours.ColourHistogram) -> dict[str, Any]:
    top = slice(0, TOP_BINS)
    return {
        "occupied_bins": int(hist.occupied_counts.size),
        "occupied_share": hist.occupied_counts.size / hist.bins**3,
        "entropy_bits": joint.entropy_bits(hist.shares),
        "top_share": float(hist.shares[top].sum()),
        "top": [
            {"bin": b.tolist(), "centre": c.tolist(), "share": float(s), "rgb": hex_colour(rgb)}
            for b, c, s, rgb in zip(
                hist.occupied[top],
                hist.centres[top],
                hist.shares[top],
                hist.colours[top],
                strict=True,
            )
        ],
    }


def colour_sections(original: np.ndarray, noisy: np.ndarray) -> tuple[dict, dict]:
    """3D colour-histogram summaries per space, and the palettes (original and noisy)."""
    colour_3d: dict[str, Any] = {"bins": COLOUR_BINS, "top_bins": TOP_BINS, "spaces": {}}
    palettes: dict[str, Any] = {"space": "rgb", "bins": COLOUR_BINS, "size": REPORT_PALETTE_SIZE}
    for space in SPACES:
        before = colours.colour_histogram(original, space, bins=COLOUR_BINS)
        after = colours.colour_histogram(noisy, space, bins=COLOUR_BINS)
        colour_3d["spaces"][space] = {
            "axes": list(before.axis_names),
            "total_bins": COLOUR_BINS**3,
            "original": _histogram_summary(before),
            "noisy": _histogram_summary(after),
            "js_divergence_bits": colours.js_divergence(before, after),
        }
        if space == "rgb":
            for label, hist in (("original", before), ("noisy", after)):
                palette = colours.dominant_colours(hist, n_colours=REPORT_PALETTE_SIZE)
                palettes[label] = [
                    {"rgb": rgb.tolist(), "hex": hex_colour(rgb), "share": float(share)}
                    for rgb, share in zip(palette.colours, palette.shares, strict=True)
                ]
    return colour_3d, palettes


def build_report(
    image: NormalisedImage,
    source: dict[str, Any],
    mean: float,
    variance: float,
    seed: int,
    max_side: int,
) -> tuple[dict[str, Any], np.ndarray]:
    """The report as a JSON-ready dict, and the noisy image (uint8, analysed size)."""
    analyser = NoiseAnalyser(image.pixels, seed=seed)
    result = analyser.move(mean, variance)
    height, width = image.pixels.shape[:2]
    colour_3d, palette = colour_sections(image.pixels, result.noisy)
    report = {
        "schema_version": SCHEMA_VERSION,
        "source": {**source, "sha256": image.sha256},
        "size": size(height, width),
        "downscaled": {
            "downscaled": bool(image.downscaled),
            "original_size": size(*image.original_size),
            "max_side": max_side,
        },
        "params": {"mean": mean, "variance": variance, "seed": seed},
        "levels": list(range(256)),
        "channels": channels_section(result),
        "noise": noise_section(analyser, result),
        "joint": joint_section(image.pixels, result.noisy),
        "color_3d": colour_3d,
        "palette": palette,
        "colour_statistics": colours.colour_statistics(image.pixels).as_dict(),
    }
    return report, result.noisy




# ----------------------------------------------------------------------------- main




def _write_outputs(report: dict, noisy: np.ndarray, json_out: str, noisy_out: str | None):
    text = json.dumps(json_ready(report), allow_nan=False, separators=(",", ":"))
    if noisy_out is not None:
        Image.fromarray(noisy).save(Path(noisy_out), format="PNG")
    if json_out == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(json_out).write_text(text + "\n", encoding="utf-8")


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run ``report`` with parsed ``args`` (settings default to the environment's)."""
    try:
        mean = validate_mean(args.mean)
        variance = validate_variance(args.variance)
        seed = validate_seed(args.seed)
        outputs = {"--json": args.json, "--noisy-out": args.noisy_out,
                   "--html": getattr(args, "html", None)}
        for output in outputs.values():
            check_output_path(output)
        check_distinct_outputs(outputs)
        settings = load_settings() if settings is None else settings
        image, source = load_source(args, settings)
    except ValueError as error:
        # ImageError, UnknownArtworkError, ArtworkUnavailableError, CatalogueError,
        # SettingsError, InputError and the parameter checks: all ValueErrors
        # whose message says what was wrong and what is accepted.
        return fail(str(error))
    max_side = settings.max_side if args.max_side is None else args.max_side
    report, noisy = build_report(image, source, mean, variance, seed, max_side)
    try:
        _write_outputs(report, noisy, args.json, args.noisy_out)
    except OSError as error:
        target = error.filename or args.json
        return fail(f"cannot write {target} ({error.strerror or error}); choose a writable path")
    if getattr(args, "html", None):
        return _write_html(args, settings, mean, variance, seed)
    return 0


def _write_html(args: argparse.Namespace, settings: Settings, mean: float, variance: float,
                seed: int) -> int:
    """The single-view offline report (``--html``): the explorer's colour distributions."""
    from dashboard.cli.story import explorer_view_html

    query = {"mean": str(mean), "variance": str(variance), "seed": str(seed),
             "view": "distributions"}
    try:
        if args.image is not None:
            text = explorer_view_html(settings, query, upload=Path(args.image).read_bytes())
        else:
            text = explorer_view_html(settings, {"artwork": args.artwork, **query})
        Path(args.html).write_text(text, encoding="utf-8")
    except ValueError as error:
        return fail(str(error))
    except OSError as error:
        target = error.filename or args.html
        return fail(f"cannot write {target} ({error.strerror or error}); choose a writable path")
    return 0
