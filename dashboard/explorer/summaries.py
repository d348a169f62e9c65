"""Numbers in words: the summary lines above the figures and the palette swatches."""

from __future__ import annotations

import math

from dash import html

from dashboard.core.vocabulary import CHANNELS
from dashboard.explorer import ids
from dashboard.figures.theme import CHANNEL_COLOURS


def _decimals(total_variation: float, high: float) -> int:
    """Decimals of the percentages: two, or as many more as it takes (up to five) for a
    distance above the chance range to read above it."""
    for decimals in range(2, 6):
        if not total_variation > high or (
                round(100 * total_variation, decimals) > round(100 * high, decimals)):
            return decimals
    return 5


def _chance_words(fit: dict, decimals: int) -> str:
    """Where the total variation falls against what chance alone gives at this many pixels."""
    tv, low, high = (fit["total_variation"], fit["total_variation_chance_low"],
                     fit["total_variation_chance_high"])
    if high == 0.0:
        return ("; with no noise nothing is left to chance, and the noisy image is exactly "
                "the theory" if tv == 0.0 else
                "; with no noise nothing is left to chance, yet the noisy image differs from "
                "the theory")
    verdict = ("as close to the theory as chance alone at this size allows" if tv <= high
               else "further from the theory than chance at this size would put it")
    mean = fit["total_variation_chance_mean"]
    return (f". With the theory exactly right, chance alone at this size gives "
            f"{100 * mean:.{decimals}f}% on average (95% range {100 * low:.{decimals}f}%–"
            f"{100 * high:.{decimals}f}%): the noisy image is {verdict}")


def _p_words(fit: dict) -> str:
    p_value = fit["p_value"]
    if p_value is None or math.isnan(p_value):
        reason = ("too few pixels to pool into two groups" if fit["groups"] < 2
                  else "nothing is random to test")
        return f"Chi-square test: n/a ({reason})"
    return (f"Chi-square {fit['chi_square']:.1f} over {fit['groups']} pooled groups of levels "
            f"(chance alone gives {fit['chi_square_null_mean']:.1f} ± "
            f"{fit['chi_square_null_std']:.1f}), p = {p_value:.3g}")


def _fit_sentence(fit: dict) -> str:
    tv = fit["total_variation"]
    decimals = _decimals(tv, fit["total_variation_chance_high"])
    return (f": the noisy and theoretical histograms differ on {100 * tv:.{decimals}f}% of the "
            f"pixels' probability mass (total variation){_chance_words(fit, decimals)}. "
            f"{_p_words(fit)}")


# The summaries are fixed trees of components whose text slots the callbacks fill with plain
# strings: a slider move then changes text only, which costs Dash in the browser a fraction of
# what replacing a tree of components does. A summary whose first slot is empty is hidden
# (assets/10-dashboard.css).

def fit_summary_slots() -> list:
    """The goodness-of-fit summary: a header and one sentence per channel."""
    items = []
    for channel in CHANNELS:
        items.append(html.Li([
            html.Strong(channel.capitalize(), style={"color": CHANNEL_COLOURS[channel]}),
            html.Span(id=ids.FIT_LINES[channel]),
            html.Span(" (p is the chance, were the theory exactly right, of a chi-square "
                      "at least this large for these pixels; below 0.05 is evidence against "
                      "the theory, above it no evidence against the theory, which is not "
                      "proof that it holds)", className="text-muted") if channel == "red" else "",
            ".",
        ]))
    return [html.P(id=ids.FIT_HEADER, className="summary-header mb-1"),
            html.Ul(items, className="mb-0")]


def fit_summary_texts(fits: dict[str, dict], size: tuple[int, int]) -> tuple[str, ...]:
    """Texts of :func:`fit_summary_slots`: the header, then how far the sampled noisy PMF of
    each channel (red, green, blue) is from the exact theory."""
    height, width = size
    return (f"Theory against sample on {height * width:,} pixels per channel:",
            *(_fit_sentence(fits[channel]) for channel in CHANNELS))


def noise_summary_slots() -> list:
    """The noise summary: the sample's moments, then the effect of clipping and rounding."""
    return [html.P(id=ids.NOISE_MOMENTS, className="summary-header mb-1"),
            html.P(id=ids.NOISE_CLIPPING, className="mb-0")]


def noise_summary_texts(data: dict, mean: float, variance: float) -> tuple[str, str]:
    """Texts of :func:`noise_summary_slots`: sample moments against the theory, and how much
    clipping happened."""
    sigma = math.sqrt(variance)
    sample_sigma = math.sqrt(max(data["sample_variance"], 0.0))
    effective = ", ".join(
        f"{channel} {m:+.1f} (theory {t:+.1f})" for channel, m, t in
        zip(CHANNELS, data["effective_mean"], data["effective_mean_theory"], strict=True))
    extremes = ", ".join(
        f"{channel} {100 * after:.1f}% (before {100 * before:.1f}%)"
        for channel, after, before in zip(CHANNELS, data["extreme_share"],
                                          data["extreme_share_original"], strict=True))
    return (
        f"{data['pixels'] * 3:,} noise values drawn. Their mean is "
        f"{data['sample_mean']:+.5f} (asked for {mean:+g}) and their standard deviation "
        f"{sample_sigma:.5f} (asked for {sigma:.5f}).",
        "After clipping to 0–255 and rounding, the average change per pixel in levels is: "
        f"{effective}. Pixels at pure black or white (level 0 or 255): {extremes}. "
        f"{noise_model_words(mean)}",
    )


def noise_model_words(mean: float) -> str:
    """The noise model exactly, and what a mean on a half level does."""
    words = ("Exactly, each level x becomes clip(x + rint(255·μ + 255·σ·z), 0, 255) with "
             "z ~ N(0, 1) and halves rounded to even; that is round(255·clip(x/255 + ε, 0, 1)) "
             "with ε = μ + σ·z, except at exact half levels.")
    shift = 255.0 * mean
    if shift - math.floor(shift) == 0.5:
        words += (f" Here 255·μ = {shift:g} levels is exactly a half level: with σ² = 0 the "
                  f"shift rounds to the even {round(shift)} levels, and with noise the "
                  f"offsets are spread evenly about {shift:g}.")
    return words


def joint_summary(data: dict, x_channel: str, y_channel: str, picture: str,
                  given: tuple[int, int] | None) -> html.Div:
    """Correlation and mutual information in words, the latter against what independent
    channels with the same histograms give at this size."""
    r = data["correlation"]
    mi = data["mutual_information"]
    mean, bound, shuffles = data["independent_mean"], data["independent_bound"], data["shuffles"]
    r_text = "undefined (one channel is constant)" if math.isnan(r) else f"{r:+.3f}"
    parts = [
        f"In the {picture} image, {x_channel} and {y_channel} have Pearson correlation {r_text} ",
        f"and a mutual information of {mi:.3f} bits (plug-in estimate over all 256 × 256 "
        "level pairs). ",
    ]
    if data["dependence_detected"]:
        parts.append(
            f"Independent channels with the same two histograms show {mean:.3f} bits at this "
            f"size (mean of {shuffles} shuffles of the {y_channel} pixels); the estimate "
            f"exceeds that by {mi - mean:.3f} bits, so the channels depend on each other. "
            "(With few pixels per level pair, as on a small image, that excess can understate "
            "the information they share.)")
    else:
        parts.append(
            f"That is no detectable dependence: independent channels with the same two "
            f"histograms show as much at this size ({mean:.3f} bits on average over {shuffles} "
            f"shuffles of the {y_channel} pixels; an estimate above {bound:.3f} would show "
            "dependence).")
    if given is not None:
        parts.append(f" {data['given_pixels']:,} pixels have {x_channel} in "
                     f"[{given[0]}, {given[1]}].")
    return html.P(parts, className="mb-2")
