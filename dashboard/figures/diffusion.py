"""Figures of the diffusion forward process: schedules, information curves over the steps, the
marginal density per channel, and the channels' correlation. Every number drawn comes from
:mod:`dashboard.core.diffusion` and :mod:`dashboard.core.diffusion_schedules`; these functions
only style it. Infinite values (log SNR at t = 0, KL at t = 0) are drawn as gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.core.vocabulary import CHANNELS
from dashboard.figures.theme import (
    BASE_FONT_SIZE,
    CHANNEL_COLOURS,
    CHANNEL_SYMBOLS,
    SAMPLE_COLOUR,
    THEORY_COLOUR,
    channel_trace_style,
    styled_layout,
)

#: Line style of each schedule, so they differ without colour; the selected one is drawn wider.
SCHEDULE_DASHES = {"linear": "solid", "scaled-linear": "dash", "cosine": "dot"}
#: Colours at least 3:1 on white (the yellow darkened to 3.8:1).
SCHEDULE_COLOURS = {"linear": "#1f5fbf", "scaled-linear": "#a67c00", "cosine": "#2e8b57"}
#: Colour of the marker of the current step t.
STEP_COLOUR = "#555555"
#: Pairs of channels whose correlation is drawn, in order.
CHANNEL_PAIRS = (("red", "green"), ("red", "blue"), ("green", "blue"))
PAIR_DASHES = ("solid", "dash", "dot")

# Three panels side by side, as shares of the figure's width.
_DOMAINS = ((0.0, 0.28), (0.36, 0.64), (0.72, 1.0))


def _finite(values) -> np.ndarray:
    """Values as float64, with infinities as NaN: a gap in a line rather than a plotly error."""
    array = np.array(values, dtype=np.float64)
    array[~np.isfinite(array)] = np.nan
    return array


def _legend_below(layout: dict) -> dict:
    """``layout`` with its legend at the bottom of the figure, below the panels' axis titles,
    and the margins that leave room for it and for the title."""
    layout["legend"] = {**layout.get("legend", {}), "yref": "container", "y": 0,
                        "yanchor": "bottom"}
    layout["margin"] = {**layout.get("margin", {}), "b": 110, "t": 80}
    return layout


def _three_panel_layout(titles: Sequence[str], y_titles: Sequence[str], x_title: str) -> dict:
    layout: dict = {"annotations": []}
    for i, (domain, title, y_title) in enumerate(zip(_DOMAINS, titles, y_titles, strict=True)):
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {"domain": list(domain), "anchor": f"y{suffix}",
                                    "title": {"text": x_title}}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "title": {"text": y_title}}
        layout["annotations"].append(
            {"text": title, "x": domain[0], "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "left", "yanchor": "bottom", "showarrow": False,
             "font": {"size": BASE_FONT_SIZE - 1, "color": "#333"}})
    return layout


def _finish(fig: go.Figure, layout: dict, *, title: str, x_title: str, y_titles: Sequence[str],
            t: int, height: int = 360) -> go.Figure:
    """Shared look on the three panels of ``layout`` (domains, anchors, titles), then a
    vertical line at step ``t`` in every panel."""
    axes = {key: value for key, value in layout.items() if key.startswith(("xaxis", "yaxis"))}
    merged = styled_layout(axes, title=title, x_title=x_title, y_title=y_titles[0],
                           height=height)
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            merged[key] = {**merged.get(key, {}), **value}
    merged["annotations"] = layout["annotations"]
    merged["shapes"] = [
        {"type": "line", "x0": t, "x1": t, "xref": f"x{'' if i == 0 else i + 1}",
         "y0": 0, "y1": 1, "yref": f"y{'' if i == 0 else i + 1} domain",
         "line": {"color": STEP_COLOUR, "width": 1.5, "dash": "dot"}}
        for i in range(len(y_titles))]
    fig.layout = _legend_below(merged)
    return fig


def schedule_figure(alpha_bar: Mapping[str, np.ndarray], log_snr: Mapping[str, np.ndarray],
                    beta: Mapping[str, np.ndarray], *, selected: str, t: int) -> go.Figure:
    """ᾱ_t, log SNR and β_t of every schedule against the step, with step ``t`` marked.

    ``alpha_bar`` and ``log_snr`` map a schedule name to ``T + 1`` values (t = 0..T), ``beta``
    to ``T`` values (t = 1..T). The ``selected`` schedule is drawn wider, with a marker at t.
    """
    fig = go.Figure()
    panels = (("x", "y", alpha_bar, 0), ("x2", "y2", log_snr, 0), ("x3", "y3", beta, 1))
    for xaxis, yaxis, curves, first_step in panels:
        for name, values in curves.items():
            values = _finite(values)
            steps = np.arange(first_step, first_step + values.size)
            wide = name == selected
            fig.add_trace(go.Scatter(
                x=steps, y=values, mode="lines", xaxis=xaxis, yaxis=yaxis, name=name,
                legendgroup=name, showlegend=xaxis == "x",
                line={"color": SCHEDULE_COLOURS.get(name, THEORY_COLOUR),
                      "dash": SCHEDULE_DASHES.get(name, "solid"), "width": 3 if wide else 1.5},
                hovertemplate=f"{name}<br>t %{{x}}<br>%{{y:.4g}}<extra></extra>"))
            if wide and first_step <= t < first_step + values.size:
                fig.add_trace(go.Scatter(
                    x=[t], y=[values[t - first_step]], mode="markers", xaxis=xaxis, yaxis=yaxis,
                    showlegend=False, legendgroup=name, hoverinfo="skip",
                    marker={"color": STEP_COLOUR, "size": 9}))
    layout = _three_panel_layout(("Signal kept ᾱ_t", "log SNR = log(ᾱ / (1 − ᾱ))",
                                  "Noise added per step β_t"),
                                 ("ᾱ_t", "log SNR", "β_t"), "step t")
    layout["yaxis"]["range"] = [0, 1.02]
    layout["yaxis2"]["rangemode"] = "normal"
    # Betas run from 1e-4 to 1: on a linear axis the capped last steps hide the rest.
    layout["yaxis3"].update(type="log", exponentformat="power")
    return _finish(fig, layout, title=f"Noise schedules ({selected} selected), step t = {t}",
                   x_title="step t", y_titles=("ᾱ_t", "log SNR", "β_t"), t=t)


def information_figure(kl_nats, mutual_information_bits, mse_expected, *, t: int,
                       mse_sample=None, mse_colour_prior: float | None = None) -> go.Figure:
    """Per channel, over every step: KL(p_t ‖ N(0, 1)) in nats (log axis), I(x₀; x_t) in bits
    and the optimal denoiser's expected MSE (log axis), with step ``t`` marked.

    Each input is (3, T + 1), channels in ``CHANNELS`` order, index = step. ``mse_sample``
    (3,) draws the MSE measured on the image at t; ``mse_colour_prior`` that of the 3D colour
    prior's denoiser (averaged over channels).
    """
    fig = go.Figure()
    panels = (("x", "y", kl_nats, "KL (nats)"), ("x2", "y2", mutual_information_bits, "bits"),
              ("x3", "y3", mse_expected, "MSE"))
    for xaxis, yaxis, values, unit in panels:
        values = _finite(values)
        for c, channel in enumerate(CHANNELS):
            fig.add_trace(go.Scatter(
                x=np.arange(values.shape[1]), y=values[c], xaxis=xaxis,
                yaxis=yaxis, name=channel, legendgroup=channel, showlegend=xaxis == "x",
                **channel_trace_style(channel),
                hovertemplate=f"{channel}<br>t %{{x}}<br>{unit} %{{y:.4g}}<extra></extra>"))
    if mse_sample is not None:
        fig.add_trace(go.Scatter(
            x=[t] * len(CHANNELS), y=_finite(mse_sample), mode="markers", xaxis="x3",
            yaxis="y3", name="MSE measured on this image",
            marker={"color": [CHANNEL_COLOURS[c] for c in CHANNELS], "size": 10,
                    "symbol": [f"{CHANNEL_SYMBOLS[c]}-open" for c in CHANNELS],
                    "line": {"width": 2}},
            hovertemplate="measured MSE %{y:.4g}<extra></extra>"))
    if mse_colour_prior is not None:
        fig.add_trace(go.Scatter(
            x=[t], y=[mse_colour_prior], mode="markers", xaxis="x3", yaxis="y3",
            name="MSE with the 3D colour prior", marker={"color": SAMPLE_COLOUR, "size": 11,
                                                         "symbol": "diamond"},
            hovertemplate="3D colour prior MSE %{y:.4g}<extra></extra>"))
    y_titles = ("KL (nats)", "I (bits)", "MSE (data scale²)")
    layout = _three_panel_layout(("Distance to N(0, 1): KL(p_t ‖ N(0, 1))",
                                  "Information left: I(x₀; x_t)",
                                  "Best denoiser's error: E[(x₀ − E[x₀|x_t])²]"),
                                 y_titles, "step t")
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["yaxis3"].update(type="log", exponentformat="power")
    return _finish(fig, layout, title=f"What the forward process leaves, step t = {t}",
                   x_title="step t", y_titles=y_titles, t=t)


def _shared_density_layout(title: str) -> dict:
    """Three panels side by side on one density axis: an x axis per channel, named in its
    title (no panel annotations: text a redraw must measure), all anchored to ``y``."""
    x_axes = {f"xaxis{'' if i == 0 else i + 1}": {
        "domain": list(domain), "anchor": "y", "title": {"text": f"x_t, {channel} channel"}}
        for i, (domain, channel) in enumerate(zip(_DOMAINS, CHANNELS, strict=True))}
    layout = styled_layout(x_axes, title=title, x_title="x_t", y_title="density", height=360)
    for key, value in x_axes.items():
        layout[key] = {**layout.get(key, {}), **value}
    return _legend_below(layout)


def marginal_figure(x, density_theory, bin_edges, density_sample, standard_normal, *,
                    t: int, alpha_bar_t: float) -> go.Figure:
    """Per channel (one panel each, on one density axis): the histogram of the sampled x_t
    under the exact marginal density p_t, with N(0, 1) for reference.

    ``x`` (n,) data-scale points; ``density_theory`` (3, n); ``bin_edges`` (m + 1,) shared by
    the channels; ``density_sample`` (3, m); ``standard_normal`` (n,) the N(0, 1) density.
    The shared density axis puts the channels on one scale, and a t move redraws one y axis
    instead of three (about a quarter of plotly's redraw).
    """
    x = np.asarray(x, dtype=np.float64)
    edges = np.asarray(bin_edges, dtype=np.float64)
    theory = _finite(density_theory)
    sample = _finite(density_sample)
    fig = go.Figure()
    for c, channel in enumerate(CHANNELS):
        xaxis = "x" if c == 0 else f"x{c + 1}"
        first = c == 0
        fig.add_trace(go.Scatter(
            x=edges, y=np.append(sample[c], 0.0), mode="lines", line_shape="hv", fill="tozeroy",
            xaxis=xaxis, yaxis="y", name="sampled x_t (histogram)", legendgroup="sample",
            showlegend=first, fillcolor="rgba(123, 97, 255, 0.30)",
            line={"color": SAMPLE_COLOUR, "width": 1},
            hovertemplate="x from %{x:.3f}<br>density %{y:.4g}<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=x, y=theory[c], mode="lines", xaxis=xaxis, yaxis="y",
            name="exact p_t (mixture over the levels)", legendgroup="theory", showlegend=first,
            line={"color": CHANNEL_COLOURS[channel], "width": 2.5},
            hovertemplate="x %{x:.3f}<br>p_t %{y:.4g}<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=x, y=_finite(standard_normal), mode="lines", xaxis=xaxis, yaxis="y",
            name="N(0, 1)", legendgroup="normal", showlegend=first,
            line={"color": THEORY_COLOUR, "width": 1.5, "dash": "dash"},
            hovertemplate="x %{x:.3f}<br>N(0, 1) %{y:.4g}<extra></extra>"))
    # No step marker: it belongs to the curves over t, not to this figure.
    fig.layout = _shared_density_layout(
        f"Marginal of x_t at step t = {t} (ᾱ = {alpha_bar_t:.4g})")
    return fig


def correlation_figure(theory, sample, *, t: int) -> go.Figure:
    """Correlation of each pair of channels of x_t over the steps (theory, (3, T + 1) in
    ``CHANNEL_PAIRS`` order) with the sample's correlation at step ``t`` ((3,)) marked."""
    theory = _finite(theory)
    sample = _finite(sample)
    fig = go.Figure()
    for p, (first, second) in enumerate(CHANNEL_PAIRS):
        label = f"{first}–{second}"
        fig.add_trace(go.Scatter(
            x=np.arange(theory.shape[1]), y=theory[p], mode="lines", name=f"{label} (theory)",
            legendgroup=label, line={"color": THEORY_COLOUR, "dash": PAIR_DASHES[p], "width": 2},
            hovertemplate=f"{label}<br>t %{{x}}<br>ρ %{{y:.4f}}<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[t], y=[sample[p]], mode="markers", name=f"{label} (sample at t)",
            legendgroup=label, marker={"color": SAMPLE_COLOUR, "size": 10,
                                       "symbol": ("circle", "square", "diamond")[p]},
            hovertemplate=f"{label} sample<br>ρ %{{y:.4f}}<extra></extra>"))
    layout = styled_layout({}, title=f"Channel correlation of x_t, step t = {t}",
                           x_title="step t", y_title="correlation ρ_t", height=380)
    layout["yaxis"] = {**layout["yaxis"], "range": [-1.02, 1.02], "rangemode": "normal"}
    layout["shapes"] = [{"type": "line", "x0": t, "x1": t, "xref": "x", "y0": 0, "y1": 1,
                         "yref": "y domain",
                         "line": {"color": STEP_COLOUR, "width": 1.5, "dash": "dot"}}]
    layout["legend"] = {**layout["legend"], "yref": "container", "y": 0, "yanchor": "bottom"}
    layout["margin"] = {**layout["margin"], "b": 110}
    fig.layout = layout
    return fig
