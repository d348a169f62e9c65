"""Figures of the noise itself: theoretical PDF/CDF against the sample, and effective noise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.theme import (
    CHANNEL_COLORS,
    CHANNELS,
    SAMPLE_COLOR,
    THEORY_COLOR,
    base_layout,
)

#: Theoretical probabilities below this are not drawn: no image has enough pixels to show them.
THEORY_FLOOR = 1e-9


def _degenerate_note(fig: go.Figure, mean: float) -> None:
    fig.add_vline(x=mean, line={"color": THEORY_COLOR, "width": 3})
    fig.add_annotation(x=mean, y=1, yref="paper", showarrow=False, yanchor="bottom",
                       text=f"σ = 0: every sample equals the mean {mean:g}")


def noise_pdf_values(grid, pdf_theory, bin_edges, density, *, mean: float,
                     variance: float) -> dict:
    """What changes in the PDF figure when the noise moves: the histogram's outline, the
    curve's x and y, the curve's name and the title (used by the figure and by patches).

    The histogram is drawn as a filled step line: point i at bin edge i carries the density
    of bin i up to edge i + 1, and the last edge drops to 0 (one SVG path; bars cost the
    browser twice as long to redraw).
    """
    edges = np.asarray(bin_edges, dtype=float)
    sigma = float(np.sqrt(variance))
    return {
        "hist_x": edges, "hist_y": np.append(np.asarray(density, dtype=float), 0.0),
        "line_x": np.asarray(grid, dtype=float), "line_y": np.asarray(pdf_theory, float),
        "line_name": f"N({mean:g}, {variance:g}) PDF",
        "title": f"Noise ε ~ N(μ={mean:g}, σ²={variance:g}); σ = {255 * sigma:.1f} levels",
    }


def noise_pdf_figure(grid, pdf_theory, bin_edges, density, *, mean: float,
                     variance: float) -> go.Figure:
    """Histogram (density) of the sampled noise under the N(mean, variance) PDF.

    ``grid`` and ``bin_edges`` are noise values on the [0, 1] intensity scale; ``density`` has
    one value per bin; ``pdf_theory`` one per grid point.
    """
    values = noise_pdf_values(grid, pdf_theory, bin_edges, density, mean=mean,
                              variance=variance)
    fig = go.Figure([
        go.Scatter(x=values["hist_x"], y=values["hist_y"], mode="lines", line_shape="hv",
                   fill="tozeroy", fillcolor="rgba(123, 97, 255, 0.45)",
                   line={"color": SAMPLE_COLOR, "width": 1},
                   name="sampled noise (histogram)",
                   hovertemplate="ε from %{x:.4f}<br>density %{y:.4g}<extra></extra>"),
        go.Scatter(x=values["line_x"], y=values["line_y"], mode="lines",
                   name=values["line_name"],
                   line={"color": THEORY_COLOR, "width": 2.5, "dash": "dash"},
                   hovertemplate="ε %{x:.4f}<br>pdf %{y:.4g}<extra></extra>"),
    ])
    base_layout(fig, title=values["title"],
                x_title="noise ε (intensity scale 0–1; × 255 = levels)", y_title="density")
    if variance == 0:
        _degenerate_note(fig, mean)
    return fig


def noise_cdf_figure(grid, cdf_theory, ecdf, *, mean: float, variance: float) -> go.Figure:
    """Empirical CDF of the sampled noise (trace 0) against the N(mean, variance) CDF
    (trace 1) on ``grid``."""
    grid = np.asarray(grid, float)
    fig = go.Figure([
        go.Scatter(x=grid, y=np.asarray(ecdf, float), mode="lines",
                   name="sampled noise (ECDF)", line={"color": SAMPLE_COLOR, "width": 3},
                   line_shape="hv", hovertemplate="ε %{x:.4f}<br>ECDF %{y:.4f}<extra></extra>"),
        go.Scatter(x=grid, y=np.asarray(cdf_theory, float), mode="lines",
                   name="theoretical CDF",
                   line={"color": THEORY_COLOR, "width": 2, "dash": "dash"},
                   hovertemplate="ε %{x:.4f}<br>Φ %{y:.4f}<extra></extra>"),
    ])
    base_layout(fig, title="Noise CDF: theory against the sample",
                x_title="noise ε (intensity scale 0–1)", y_title="P(ε ≤ x)")
    fig.layout.yaxis.range = [0, 1.02]
    if variance == 0:
        _degenerate_note(fig, mean)
    return fig


def effective_noise_values(offsets, empirical, theory) -> dict:
    """What changes in the effective-noise figure when the noise moves: the y values of its
    six traces (per channel: sampled, then theory; impossible values as NaN so that a log axis
    can show them) and the axis ranges (x in levels, y as log10)."""
    offsets = np.asarray(offsets)
    empirical = np.asarray(empirical, float)
    theory = np.asarray(theory, float)
    support = np.flatnonzero((empirical.sum(axis=0) > 0) | (theory.max(axis=0) > THEORY_FLOOR))
    lo, hi = (offsets[support[0]], offsets[support[-1]]) if support.size else (-10, 10)
    shown = np.concatenate([empirical[empirical > 0], theory[theory > THEORY_FLOOR]])
    low = max(float(shown.min()) / 3, THEORY_FLOOR) if shown.size else THEORY_FLOOR
    ys = []
    for ci in range(len(CHANNELS)):
        ys.append(np.where(empirical[ci] > 0, empirical[ci], np.nan))
        ys.append(np.where(theory[ci] > THEORY_FLOOR, theory[ci], np.nan))
    return {"ys": ys, "x_range": [float(lo) - 2, float(hi) + 2],
            "y_range": [float(np.log10(low)), 0.1]}


def effective_noise_figure(offsets, empirical, theory) -> go.Figure:
    """PMF of noisy − original (levels) per channel after clipping and rounding: sampled
    (solid) against theory (dashed), as in the other distribution figures.

    ``offsets`` are level differences (e.g. −255..255); ``empirical`` and ``theory`` are
    (3, len(offsets)) probabilities. The y axis is logarithmic so clipping spikes and tails show.
    """
    offsets = np.asarray(offsets)
    values = effective_noise_values(offsets, empirical, theory)
    traces = []
    for ci, channel in enumerate(CHANNELS):
        color = CHANNEL_COLORS[channel]
        traces.append(go.Scatter(
            x=offsets, y=values["ys"][2 * ci], mode="lines", name=f"{channel} sampled",
            legendgroup=channel, line={"color": color, "width": 2},
            hovertemplate=f"{channel}: Δ %{{x}} levels<br>P %{{y:.3g}}<extra>sampled</extra>"))
        traces.append(go.Scatter(
            x=offsets, y=values["ys"][2 * ci + 1], mode="lines", name=f"{channel} theory",
            legendgroup=channel, line={"color": color, "width": 1.5, "dash": "dash"},
            hovertemplate=f"{channel}: Δ %{{x}} levels<br>P %{{y:.3g}}<extra>theory</extra>"))
    fig = go.Figure(traces)
    base_layout(fig, title="Effective noise after clipping and rounding (noisy − original)",
                x_title="difference in levels", y_title="P(difference) (log scale)")
    fig.layout.yaxis.update(type="log", rangemode="normal", range=values["y_range"],
                            exponentformat="power")
    fig.layout.xaxis.range = values["x_range"]
    return fig
