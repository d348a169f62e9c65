"""Cached entry points between the callbacks and the numeric core.

Every function takes small hashable values (source, mean, variance, seed, channel names, bins)
and returns plain numbers and small arrays, so flask-caching can share results between
workers. Big arrays live in the per-process :class:`~dashboard.data.image_store.ImageStore`.
``picture`` arguments are ``"original"`` or ``"noisy"``; for the original, noise parameters are
ignored and passed as ``None`` so that all slider positions share one cache entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dashboard.core import colours, joint
from dashboard.core.distributions import (
    FitChance,
    channel_counts,
    extreme_counts,
    noise_fit_chances,
)
from dashboard.core.highlight import dim_outside, level_mask
from dashboard.core.vocabulary import SHOWN_PALETTE_SIZE
from dashboard.data.colour_tables import ColourTables
from dashboard.data.files import encode_jpeg
from dashboard.explorer.state import Selection
from dashboard.server.context import cached_per_image, extension, settings, store
from dashboard.server.hardening import heavy_slot

#: Most markers drawn in a 3D colour scatter: the fullest bins, which cover nearly all pixels;
#: the caption reports the covered share.
MAX_3D_MARKERS = 4000
JPEG_QUALITY = 85


def _pixels(
    source: str, picture: str, mean: float | None, variance: float | None, seed: int | None
) -> np.ndarray:
    if picture == "original":
        return store().rgb(source)
    return store().noisy_image(source, mean, variance, seed)


def _bin_table(space: str, bins: int) -> np.ndarray | None:
    """The colour -> bin table of ``(space, bins)`` once it is built (shared on disk under the
    cache folder), else None: the histogram then converts the image's distinct colours, with
    the same result. RGB needs no table."""
    if space == "rgb":
        return None
    shared = extension()
    if "colour_tables" not in shared:
        shared.setdefault("colour_tables", ColourTables(settings().cache_dir / "colour-tables"))
    return shared["colour_tables"].get(space, bins)


def _noise_args(picture: str, mean, variance, seed) -> tuple:
    return (None, None, None) if picture == "original" else (mean, variance, seed)


@cached_per_image
def fit_chances(source: str, mean: float, variance: float) -> tuple[FitChance, ...]:
    """What chance alone gives for each channel's goodness of fit under the noise model (the
    chi-square's exact null and the total variation's range): the same for every seed."""
    with heavy_slot():
        return noise_fit_chances(channel_counts(store().rgb(source)), mean, variance)


@cached_per_image
def distributions(source: str, mean: float, variance: float, seed: int) -> dict[str, Any]:
    """PMFs/CDFs (3, 256) of original, noisy and noisy theory."""
    with heavy_slot():
        result = store().noisy(source, mean, variance, seed)
    return {
        "original_pmf": result.original_pmf,
        "original_cdf": result.original_cdf,
        "noisy_pmf": result.noisy_pmf,
        "noisy_cdf": result.noisy_cdf,
        "noisy_pmf_theory": result.noisy_pmf_theory,
        "noisy_cdf_theory": result.noisy_cdf_theory,
    }


@cached_per_image
def goodness_of_fit(source: str, mean: float, variance: float, seed: int) -> dict[str, Any]:
    """Each channel's goodness of fit (:class:`GoodnessOfFit` fields) and the image size.

    Apart from :func:`distributions`, so a slider move's figures need not wait for what
    chance gives at a new slider position (:func:`fit_chances`, tens of ms).
    """
    chances = fit_chances(source, mean, variance)
    with heavy_slot():
        analyser = store().analyser(source, seed)
        result = store().noisy(source, mean, variance, seed)
        fits = analyser.goodness_of_fit(result, chances)
    return {"fit": {name: vars(fit) for name, fit in fits.items()},
            "size": tuple(result.noisy.shape[:2])}


@cached_per_image
def noise(source: str, mean: float, variance: float, seed: int) -> dict[str, Any]:
    """Noise PDF/CDF against the sample, and the effective noise after clipping/rounding."""
    with heavy_slot():
        analyser = store().analyser(source, seed)
        summary = analyser.noise_summary(mean, variance)
        noisy = store().noisy_image(source, mean, variance, seed)
        effective = analyser.effective_noise(noisy, mean, variance)
        extreme = extreme_counts(noisy)
    return {
        "grid": summary.grid,
        "pdf_theory": summary.pdf_theory,
        "cdf_theory": summary.cdf_theory,
        "ecdf": summary.ecdf,
        "edges": summary.edges,
        "density": summary.density,
        "sample_mean": summary.sample_mean,
        "sample_variance": summary.sample_variance,
        "effective_levels": effective.levels,
        "effective_pmf": effective.pmf,
        "effective_pmf_theory": effective.pmf_theory,
        "effective_mean": (effective.pmf * effective.levels).sum(axis=1),
        "effective_mean_theory": (effective.pmf_theory * effective.levels).sum(axis=1),
        "pixels": int(analyser.pixel_count),
        # Share of each channel's pixels at pure black or white, after and before the noise.
        "extreme_share": extreme / float(analyser.pixel_count),
        "extreme_share_original": analyser.original_pmf[:, [0, 255]].sum(axis=1),
    }


@cached_per_image
def independence_baseline(
    source: str,
    picture: str,
    mean: float | None,
    variance: float | None,
    seed: int | None,
    channels: tuple[str, str],
) -> dict[str, Any]:
    """What a pair of channels of one picture shows for mutual information (bits, on the full
    256 x 256 joint) once made independent by shuffles: the shuffles' mean and the bound above
    which an estimate shows dependence. ``channels`` in sorted order, as MI is symmetric."""
    with heavy_slot():
        rgb = _pixels(source, picture, mean, variance, seed)
        full = joint.joint_histogram(rgb, *channels, bins=256)
        baseline = joint.independence_baseline(full, rng=0)
    return {"mean": baseline.mean, "bound": baseline.bound, "shuffles": baseline.shuffles}


@cached_per_image
def joint_view(
    source: str,
    picture: str,
    mean: float | None,
    variance: float | None,
    seed: int | None,
    x_channel: str,
    y_channel: str,
    bins: int,
    given: tuple[int, int] | None,
) -> dict[str, Any]:
    """Joint PMF of two channels, correlation, mutual information against what independent
    channels give, and a conditional PMF."""
    baseline = independence_baseline(source, picture, mean, variance, seed,
                                      tuple(sorted((x_channel, y_channel))))
    with heavy_slot():
        rgb = _pixels(source, picture, mean, variance, seed)
        coarse = joint.joint_histogram(rgb, x_channel, y_channel, bins=bins)
        full = coarse if bins == 256 else joint.joint_histogram(rgb, x_channel, y_channel, bins=256)
    x_marginal, y_marginal = joint.marginals(full)
    mutual_information = joint.mutual_information(full)
    result: dict[str, Any] = {
        # Heatmaps index z[row][col] = z[y][x]: transpose counts (x, y) -> (y, x).
        "pmf_yx": coarse.pmf.T,
        "level_edges": coarse.level_edges,
        "correlation": joint.pearson_correlation(full),
        "mutual_information": mutual_information,
        "independent_mean": baseline["mean"],
        "independent_bound": baseline["bound"],
        "shuffles": baseline["shuffles"],
        "dependence_detected": mutual_information > baseline["bound"],
        "y_marginal": y_marginal / max(y_marginal.sum(), 1),
        "conditional": None,
        "given_pixels": 0,
    }
    if given is not None:
        conditional = joint.conditional_pmf(full, given[0], given[1])
        result["given_pixels"] = int(conditional.n_pixels)
        if not conditional.is_empty:
            result["conditional"] = conditional.pmf
    return result


@cached_per_image
def colour_view(
    source: str,
    picture: str,
    mean: float | None,
    variance: float | None,
    seed: int | None,
    space: str,
    bins: int,
) -> dict[str, Any]:
    """Occupied bins of the 3D colour histogram (fullest first, capped) and the palette."""
    with heavy_slot():
        rgb = _pixels(source, picture, mean, variance, seed)
        hist = colours.colour_histogram(rgb, space, bins=bins, bin_table=_bin_table(space, bins))
        palette = colours.dominant_colours(hist, n_colours=SHOWN_PALETTE_SIZE)
    shown = slice(0, MAX_3D_MARKERS)
    occupied = hist.occupied[shown]
    flat = (occupied[:, 0] * bins + occupied[:, 1]) * bins + occupied[:, 2]
    shares = hist.shares
    return {
        "centres": hist.centres[shown],
        "shares": shares[shown],
        "colours": hist.colours[shown],
        "bin_ids": flat,
        "occupied": int(len(shares)),
        "shown": int(len(flat)),
        "shown_share": float(shares[shown].sum()),
        "palette_colours": palette.colours,
        "palette_shares": palette.shares,
    }


def _selection_mask(source: str, selection: str, mean, variance, seed) -> np.ndarray:
    highlight = Selection.parse(selection)
    picture = highlight.picture
    rgb = _pixels(source, picture, *_noise_args(picture, mean, variance, seed))
    if highlight.kind == "levels":
        return level_mask(rgb, highlight.channel, highlight.lo, highlight.hi)
    table = _bin_table(highlight.space, highlight.bins)
    return colours.pixel_bins(rgb, highlight.space, highlight.bins, bin_table=table) == (
        highlight.index)


@cached_per_image
def selection_summary(
    source: str, selection: str, mean: float, variance: float, seed: int
) -> dict[str, Any]:
    """How many pixels a highlight selection covers."""
    with heavy_slot():
        mask = _selection_mask(source, selection, mean, variance, seed)
    return {"pixels": int(mask.sum()), "share": float(mask.mean())}


def image_jpeg(
    source: str,
    picture: str,
    mean: float | None,
    variance: float | None,
    seed: int | None,
    selection: str | None,
) -> bytes:
    """JPEG bytes of the original or noisy image, dimmed outside ``selection`` if given.

    Kept in this process only (the last few pictures), not in the shared cache: a picture is
    0.3-0.5 MB, re-encoding it takes a few ms, and browsers cache it by its URL.
    """

    def encode() -> bytes:
        with heavy_slot():
            rgb = _pixels(source, picture, *_noise_args(picture, mean, variance, seed))
            if selection:
                rgb = dim_outside(rgb, _selection_mask(source, selection, mean, variance, seed))
            return encode_jpeg(rgb, quality=JPEG_QUALITY)

    key = (source, store().version(source), picture, mean, variance, seed, selection)
    return store().picture(key, encode)
