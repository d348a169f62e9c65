"""Numbers in words on the diffusion page: the step, the link to the explorer's σ, and one line
per channel. The slots are fixed components whose text the callbacks fill with plain strings
(a step move then changes text only)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
from dash import html

from dashboard.core.diffusion_schedules import explorer_sigma, snr
from dashboard.core.noise import VARIANCE_RANGE
from dashboard.core.vocabulary import CHANNELS
from dashboard.diffusion import ids
from dashboard.diffusion.state import DiffusionState
from dashboard.figures.theme import CHANNEL_COLOURS
from dashboard.ui.query import format_number, round_half_up

#: The explorer's variance slider resolution (decimals): its links are rounded to it.
EXPLORER_VARIANCE_DECIMALS = 4


def _number(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits; ∞ for infinity."""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if math.isnan(value):
        return "n/a"
    return f"{value:.{digits}g}"


def step_sentence(state: DiffusionState, alpha_bar_t: float) -> str:
    """Where step t is: the signal kept and the signal-to-noise ratio."""
    rescaled = ", rescaled to zero terminal SNR" if state.zero_snr else ""
    return (f"Step t = {state.t} of {state.steps} ({state.schedule} schedule{rescaled}): "
            f"x_t keeps ᾱ_t = {_number(alpha_bar_t)} of the signal's variance; "
            f"SNR = ᾱ_t / (1 − ᾱ_t) = {_number(float(snr(alpha_bar_t)))}.")


@dataclass(frozen=True)
class ExplorerLink:
    """The explorer's noise that matches a step, and the link that opens it."""

    #: σ on the 0–1 intensity scale, ``sqrt((1 - ab) / ab) / 2`` (+inf at ab = 0).
    sigma: float
    #: σ² as the link gives it: rounded to the explorer's resolution, clamped to its range.
    variance: float
    href: str
    sentence: str
    label: str


def explorer_link(state: DiffusionState, alpha_bar_t: float) -> ExplorerLink:
    """``x_t / sqrt(ab) = x_0 + sqrt((1 - ab) / ab) eps`` on the data scale (twice the 0–1
    scale): the explorer's noise of σ = ½ √((1 − ᾱ)/ᾱ), before its clipping and rounding."""
    sigma = float(explorer_sigma(alpha_bar_t))
    exact = sigma * sigma
    low, high = VARIANCE_RANGE
    variance = round_half_up(min(max(exact, low), high), EXPLORER_VARIANCE_DECIMALS)
    params: dict[str, object] = {}
    if state.source.startswith("upload:"):
        params["upload"] = state.source.removeprefix("upload:")
    else:
        params["artwork"] = state.source
    params.update(mean=0, variance=format_number(variance), seed=state.seed)
    href = "/?" + urlencode(params, safe=":")
    sentence = (f"Divided by √ᾱ_t, x_t is the image plus Gaussian noise of σ = {_number(sigma)} "
                f"on the 0–1 scale (σ² = {_number(exact)}): the explorer's noise before it clips "
                "and rounds.")
    if exact > high:
        sentence += (f" That is beyond the explorer's range (σ² up to {high:g}); "
                     f"the link opens it at σ² = {high:g}.")
    elif exact != variance:
        sentence += (f" The link rounds σ² to the explorer's resolution "
                     f"({10.0 ** -EXPLORER_VARIANCE_DECIMALS:g}).")
    return ExplorerLink(sigma, variance, href, sentence,
                        f"Open in the explorer at σ² = {format_number(variance)} →")


def channel_slots() -> list:
    """One line per channel (red, green, blue), filled by :func:`channel_texts`."""
    return [html.Li([html.Strong(channel.capitalize(), style={"color": CHANNEL_COLOURS[channel]}),
                     html.Span(id=ids.CHANNEL_LINES[channel])]) for channel in CHANNELS]


def _measured(error: float) -> str:
    """A measured error; below 1e-15, which only rounding of the levels' values leaves at
    t = 0, it reads 0."""
    return _number(error, 3) if error >= 1e-15 else "0"


def channel_texts(information: dict, step: dict, errors: np.ndarray, t: int) -> tuple[str, ...]:
    """Per channel at step t: KL to N(0, 1), the information left, the mean and variance of
    x_t in theory and in the sample, and the denoiser's error, expected and measured on this
    image."""
    lines = []
    for c in range(len(CHANNELS)):
        lines.append(
            f": KL(p_t ‖ N(0, 1)) = {_number(float(information['kl_nats'][c, t]), 3)} nats · "
            f"I(x₀; x_t) = {float(information['mutual_information_bits'][c, t]):.3f} bits · "
            f"mean {step['mean_theory'][c]:.4f} (sample {step['mean_sample'][c]:.4f}) · "
            f"variance {step['variance_theory'][c]:.4f} (sample {step['variance_sample'][c]:.4f})"
            f" · denoiser MSE {_number(float(information['mse_expected'][c, t]), 3)} expected, "
            f"{_measured(float(errors[c]))} measured on this image")
    return tuple(lines)


def colour_sentence(colour: dict, errors: np.ndarray, t: int) -> str:
    """The 3D colour prior's measured error against that of the per-channel prior of the same
    painting (``errors``, (3,)), at step t."""
    per_channel = float(np.mean(errors))
    mse = colour["mse_mean"]
    if per_channel > 0:
        change = (per_channel - mse) / per_channel
        verdict = (f"{100 * change:.1f}% lower than" if change > 0 else
                   f"{100 * -change:.1f}% higher than")
    else:
        verdict = "against"
    return (f"Step t = {t}: the 3D colour prior ({colour['bins']}³ bins, {colour['atoms']:,} "
            f"occupied) denoises with MSE {_number(mse, 3)} (mean of the channels), {verdict} "
            f"the painting's per-channel prior ({_number(per_channel, 3)}).")
