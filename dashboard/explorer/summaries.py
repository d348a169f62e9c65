"""Numbers in words: the summary lines above the figures and the palette swatches."""

from __future__ import annotations

import math

from dash import html

from dashboard.core.vocabulary import CHANNELS
from dashboard.explorer import ids
from dashboard.figures.theme import CHANNEL_COLOURS


def _fit_words(total_variation: float) -> str:
    """Plain-language reading of a total variation distance between two distributions."""
    if total_variation < 0.01:
        return "matches the theory almost exactly"
    if total_variation < 0.03:
        return "matches the theory closely"
    if total_variation < 0.1:
        return "roughly follows the theory"
    return "departs from the theory"


def _fit_sentence(fit: dict) -> str:
    tv = fit["total_variation"]
    p_value = fit["p_value"]
    p_text = "n/a" if p_value is None or math.isnan(p_value) else f"{p_value:.3g}"
    return (f": the noisy image {_fit_words(tv)}: the two histograms differ on "
            f"{100 * tv:.2f}% of the pixels' probability mass (total variation). "
            f"Chi-square {fit['chi_square']:.1f} on {fit['degrees_of_freedom']} degrees of "
            f"freedom, p = {p_text}")


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
            html.Span(" (a p-value well above 0.05 means the differences are what chance "
                      "alone would give)", className="text-muted") if channel == "red" else "",
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
        f"{effective}. Pixels at pure black or white (level 0 or 255): {extremes}.",
    )


def joint_summary(data: dict, x_channel: str, y_channel: str, picture: str,
                  given: tuple[int, int] | None) -> html.Div:
    """Correlation and mutual information in words."""
    r = data["correlation"]
    mi = data["mutual_information_corrected"]
    r_text = "undefined (one channel is constant)" if math.isnan(r) else f"{r:+.3f}"
    parts = [
        f"In the {picture} image, {x_channel} and {y_channel} have Pearson correlation {r_text} ",
        f"and share {mi:.3f} bits of information: knowing one pixel's {x_channel} level tells "
        f"you that much about its {y_channel} level; independent channels would share 0. ",
        f"(Computed on all 256 × 256 level pairs with the Miller–Madow correction for a finite "
        f"sample; the plain estimate is {data['mutual_information']:.3f} bits.)",
    ]
    if given is not None:
        parts.append(f" {data['given_pixels']:,} pixels have {x_channel} in "
                     f"[{given[0]}, {given[1]}].")
    return html.P(parts, className="mb-2")
