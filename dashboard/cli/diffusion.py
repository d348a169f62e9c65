"""``python -m dashboard diffusion``: one step of a diffusion model's forward process, as JSON.

Loads an image file (``--image``) or a catalogued artwork (``--artwork``) as ``report`` does,
moves it to step ``t`` of a noise schedule, ``x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 -
alpha_bar_t) eps`` on the data scale [-1, 1], and writes the exact per-channel theory
(marginal density, KL to N(0, 1), mutual information, moments) beside what the sample shows,
the per-channel posterior-mean denoiser's error (expected and measured) under the painting's
own level PMF or the artist's pooled one, and the channels' correlation. Optionally writes
``x_t`` and the denoised image as float32 ``.npy`` arrays. Every number comes from
``dashboard.core.diffusion`` and ``dashboard.core.diffusion_schedules``. The schema is
documented in docs/diffusion-schema.md.

Bad input (a missing or unreadable image, an unknown artwork id, a schedule, step or seed out
of range, an unwritable output, ``--prior artist`` without the paintings) prints one line on
stderr saying what was wrong and what is accepted, and exits with status 2.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.cli.output import (
    InputError,
    check_distinct_outputs,
    check_output_path,
    fail,
    floats,
    json_ready,
    size,
)
from dashboard.cli.report import add_source_arguments, load_source
from dashboard.config import Settings, load_settings
from dashboard.core.corpus_stats import equal_weight_mean
from dashboard.core.diffusion import (
    channel_covariance,
    correlation_sample,
    correlation_theory,
    diffuse,
    expected_denoiser_mse,
    kl_to_standard_normal,
    marginal_density,
    marginal_moments,
    mutual_information_bits,
    posterior_mean_image,
    to_data_scale,
)
from dashboard.core.diffusion_schedules import (
    DEFAULT_STEPS,
    SCHEDULES,
    STEPS_RANGE,
    alpha_bar,
    explorer_sigma,
    snr,
    validate_step,
)
from dashboard.core.distributions import channel_pmfs
from dashboard.core.noise import validate_seed
from dashboard.core.vocabulary import CHANNELS, MAX_LEVEL
from dashboard.data.corpus import Corpus
from dashboard.data.corpus_index import load_or_build_index

#: Version of the JSON layout; bump when a key changes meaning or disappears.
SCHEMA_VERSION = 1
#: Priors of the denoiser: the image's own level PMFs, or the paintings' pooled ones.
PRIORS = ("painting", "artist")
DEFAULT_PRIOR = "painting"
#: Bins of the sampled marginal's histogram (and points of the theoretical density).
MARGINAL_BINS = 256
#: The marginal's range reaches this many noise standard deviations beyond the outermost
#: occupied level (a sample falls outside with probability ~2e-9 per pixel).
MARGINAL_REACH = 6.0
#: Largest error of the written denoised image against the exact posterior mean (data scale).
DENOISER_TOLERANCE = 1e-9


class DiffusionInputError(InputError):
    """A command-line value the diffusion command cannot use; the message is for the user."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``diffusion`` command to the subcommands ``commands`` of the one CLI tree."""
    parser = commands.add_parser(
        "diffusion",
        help="one step of a diffusion model's forward process on an image, as JSON",
        description="Move one image to step t of a diffusion noise schedule and write the "
        "exact per-channel theory against the sample, the denoiser's error and the channels' "
        "correlation as JSON (docs/diffusion-schema.md).",
    )
    add_source_arguments(parser)
    parser.add_argument(
        "--schedule",
        required=True,
        choices=tuple(SCHEDULES),
        help="noise schedule: "
        + "; ".join(f"{name}: {schedule.description}" for name, schedule in SCHEDULES.items()),
    )
    parser.add_argument(
        "--t", type=int, required=True, metavar="T", help="the step, 0..steps (0: the image)"
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        help=f"number of steps of the schedule, {STEPS_RANGE[0]}..{STEPS_RANGE[1]}",
    )
    parser.add_argument(
        "--zero-snr",
        action="store_true",
        help="rescale the schedule to zero terminal SNR (Lin et al. 2024); needs steps >= 2",
    )
    parser.add_argument("--seed", type=int, default=0, help="noise seed, 0..2**32-1")
    parser.add_argument(
        "--prior",
        choices=PRIORS,
        default=DEFAULT_PRIOR,
        help="prior of the denoiser: the image's own level PMFs, or the pooled PMFs of the "
        "catalogued paintings, each painting weighted equally (needs the corpus)",
    )
    parser.add_argument(
        "--max-side",
        type=int,
        default=None,
        help="long side of the analysed image in pixels (default: DASHBOARD_MAX_SIDE or 1024)",
    )
    parser.add_argument("--json", required=True, metavar="OUT", help="output file, '-' for stdout")
    parser.add_argument(
        "--xt-out",
        metavar="XT.npy",
        help="also write x_t: float32 H x W x 3, data scale, unclipped",
    )
    parser.add_argument(
        "--denoised-out",
        metavar="D.npy",
        help="also write E[x_0 | x_t] under the prior: float32 H x W x 3, data scale",
    )
    parser.set_defaults(run=run)
    return parser


# ------------------------------------------------------------------------------ prior


def artist_prior(settings: Settings) -> tuple[np.ndarray, int]:
    """Per-channel PMFs (3, 256) pooled over the catalogued paintings, each weighted equally
    (as the artist page pools them), and how many paintings went in; from the corpus index."""
    paintings = Corpus(
        settings.catalogue_path,
        settings.artworks_dir,
        max_pixels=settings.max_pixels,
        cache_size=0,
        include_samples=False,
    )

    def no_paintings(found: str) -> DiffusionInputError:
        return DiffusionInputError(
            f"--prior artist needs the Van Gogh paintings, and {found} in "
            f"{settings.artworks_dir}; use --prior painting, or add the corpus "
            "(`python -m dashboard data download`, `data import DIR`, or DASHBOARD_ARTWORKS_DIR)"
        )

    if not paintings.has_artworks():
        raise no_paintings("none is")
    # A first build computes every painting's statistics: show its progress to a person.
    index = load_or_build_index(paintings, settings, progress=sys.stderr.isatty())
    if len(index) == 0:
        raise no_paintings("none could be read")
    return equal_weight_mean(index.pmfs), len(index)


# ------------------------------------------------------------------------- sections






def schedule_section(name: str, steps: int, t: int, zero_snr: bool, curve: np.ndarray) -> dict:
    """The schedule: its whole ``alpha_bar`` curve (index = step) and the values at ``t``."""
    ab = float(curve[t])
    return {
        "name": name,
        "description": SCHEDULES[name].description,
        "steps": steps,
        "t": t,
        "zero_snr": zero_snr,
        "alpha_bar": floats(curve),
        "alpha_bar_t": ab,
        "snr_t": snr(ab),
    }


def marginal_section(x_t: np.ndarray, pmf: np.ndarray, ab: float) -> dict[str, Any]:
    """Histogram density of one channel's ``x_t`` against the exact mixture ``p_t`` at the
    bin centres (per data-scale unit); the theory is ``None`` at t = 0, where x_0 is discrete."""
    levels = np.flatnonzero(pmf > 0)
    lowest, highest = 2.0 * levels[[0, -1]] / MAX_LEVEL - 1.0
    # Half a level beyond the outermost atoms keeps every bin apart at t = 0.
    reach = MARGINAL_REACH * np.sqrt(1.0 - ab) + 1.0 / MAX_LEVEL
    edges = np.linspace(np.sqrt(ab) * lowest - reach, np.sqrt(ab) * highest + reach,
                        MARGINAL_BINS + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    counts, _ = np.histogram(x_t, bins=edges)
    width = float(edges[1] - edges[0])
    theory = None if ab == 1.0 else floats(marginal_density(centres, pmf, ab))
    return {
        "x": floats(centres),
        "bin_width": width,
        "density_theory": theory,
        "density_sample": floats(counts / (x_t.size * width)),
        "sample_outside": float(1.0 - counts.sum() / x_t.size),
    }


def channels_section(
    x0: np.ndarray,
    x_t: np.ndarray,
    denoised: np.ndarray,
    pmfs: np.ndarray,
    prior_pmfs: np.ndarray,
    ab: float,
) -> dict[str, dict[str, Any]]:
    """Per channel: the exact theory of ``x_t`` under the image's level PMF beside the sample,
    and the denoiser's squared error (data-scale units squared), expected and measured."""
    section = {}
    for index, name in enumerate(CHANNELS):
        sample = x_t[..., index]
        mean_theory, variance_theory = marginal_moments(pmfs[index], ab)
        section[name] = {
            "kl_to_standard_normal": kl_to_standard_normal(pmfs[index], ab),
            "mutual_information_bits": mutual_information_bits(pmfs[index], ab),
            "mean_theory": mean_theory,
            "variance_theory": variance_theory,
            "mean_sample": float(sample.mean()),
            "variance_sample": float(sample.var()),
            "denoiser": {
                "mse_expected": expected_denoiser_mse(prior_pmfs[index], ab),
                "mse_optimal": expected_denoiser_mse(pmfs[index], ab),
                "mse_sample": float(np.mean((denoised[..., index] - x0[..., index]) ** 2)),
            },
            "marginal": marginal_section(sample, pmfs[index], ab),
        }
    return section


def correlation_section(pixels: np.ndarray, x_t: np.ndarray, ab: float) -> dict[str, dict]:
    """Pearson correlation of each channel pair of ``x_t``: exact theory and the sample's."""
    theory = correlation_theory(channel_covariance(pixels), ab)
    sample = correlation_sample(x_t)
    return {
        f"{CHANNELS[i]}-{CHANNELS[j]}": {"theory": float(theory[i, j]),
                                         "sample": float(sample[i, j])}
        for i, j in combinations(range(len(CHANNELS)), 2)
    }


def build_diffusion(
    image,
    source: dict[str, Any],
    *,
    schedule: str,
    steps: int,
    t: int,
    zero_snr: bool,
    seed: int,
    prior: str,
    prior_pmfs: np.ndarray | None,
    paintings: int | None,
    max_side: int,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The JSON-ready result, ``x_t`` and the denoised image (float64, data scale, H x W x 3).

    ``prior_pmfs`` (3, 256) are the denoiser's prior; ``None`` means the image's own PMFs.
    """
    pixels = image.pixels
    curve = alpha_bar(schedule, steps, zero_snr)
    ab = float(curve[t])
    pmfs = channel_pmfs(pixels)
    prior_pmfs = pmfs if prior_pmfs is None else prior_pmfs
    x0 = to_data_scale(pixels)
    x_t = diffuse(pixels, ab, seed)
    denoised = posterior_mean_image(x_t, prior_pmfs, ab, tolerance=DENOISER_TOLERANCE)
    sigma = explorer_sigma(ab)
    height, width = pixels.shape[:2]
    result = {
        "schema_version": SCHEMA_VERSION,
        "source": {**source, "sha256": image.sha256},
        "size": size(height, width),
        "downscaled": {
            "downscaled": bool(image.downscaled),
            "original_size": size(*image.original_size),
            "max_side": max_side,
        },
        "params": {"seed": seed, "prior": prior},
        "schedule": schedule_section(schedule, steps, t, zero_snr, curve),
        "explorer": {"sigma": sigma, "variance": sigma * sigma},
        "prior": {
            "name": prior,
            "paintings": paintings,
            "pmf": {name: floats(prior_pmfs[i]) for i, name in enumerate(CHANNELS)},
        },
        "channels": channels_section(x0, x_t, denoised, pmfs, prior_pmfs, ab),
        "correlation": correlation_section(pixels, x_t, ab),
    }
    return result, x_t, denoised


# ----------------------------------------------------------------------------- main




def _check_array_output(option: str, path: str | None) -> None:
    if path == "-":
        raise DiffusionInputError(f"{option} cannot be '-' (stdout); give a .npy file path")
    check_output_path(path)


def _npy_bytes(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, values.astype(np.float32), allow_pickle=False)
    return buffer.getvalue()


def _write_outputs(
    result: dict, arrays: list[tuple[str | None, np.ndarray]], json_out: str
) -> None:
    text = json.dumps(json_ready(result), allow_nan=False, separators=(",", ":"))
    for path, values in arrays:
        if path is not None:
            # Written as given: np.save on a path would add ".npy" to a name without it.
            Path(path).write_bytes(_npy_bytes(values))
    if json_out == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(json_out).write_text(text + "\n", encoding="utf-8")


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run ``diffusion`` with parsed ``args`` (settings default to the environment's)."""
    try:
        t = validate_step(args.t, args.steps)
        seed = validate_seed(args.seed)
        alpha_bar(args.schedule, args.steps, args.zero_snr)  # zero SNR needs steps >= 2
        check_output_path(args.json)
        _check_array_output("--xt-out", args.xt_out)
        _check_array_output("--denoised-out", args.denoised_out)
        check_distinct_outputs({"--json": args.json, "--xt-out": args.xt_out,
                                 "--denoised-out": args.denoised_out})
        settings = load_settings() if settings is None else settings
        image, source = load_source(args, settings)
        prior_pmfs, paintings = None, None
        if args.prior == "artist":
            prior_pmfs, paintings = artist_prior(settings)
    except ValueError as error:
        # ImageError, UnknownArtworkError, ArtworkUnavailableError, CatalogueError,
        # SettingsError, InputError, DiffusionInputError and the core's checks: all
        # ValueErrors whose message says what was wrong and what is accepted.
        return fail(str(error))
    max_side = settings.max_side if args.max_side is None else args.max_side
    result, x_t, denoised = build_diffusion(
        image,
        source,
        schedule=args.schedule,
        steps=args.steps,
        t=t,
        zero_snr=args.zero_snr,
        seed=seed,
        prior=args.prior,
        prior_pmfs=prior_pmfs,
        paintings=paintings,
        max_side=max_side,
    )
    try:
        _write_outputs(result, [(args.xt_out, x_t), (args.denoised_out, denoised)], args.json)
    except OSError as error:
        target = error.filename or args.json
        return fail(f"cannot write {target} ({error.strerror or error}); choose a writable path")
    return 0
