"""Figures of the noise itself: theoretical PDF/CDF against the sample, and effective noise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.core.vocabulary import CHANNELS
from dashboard.figures.theme import (
    SAMPLE_COLOUR,
    THEORY_COLOUR,
    channel_trace_style,
    fixed_margins,
    styled_layout,
)

#: Theoretical probabilities below this are not drawn: no image has enough pixels to show them.
THEORY_FLOOR = 1e-9


#: Where the two panels of the noise figure sit, as shares of its width: density on the left,
#: cumulative on the right (one figure: plotly's fixed cost of a redraw is paid once).
PDF_DOMAIN = (0.0, 0.455)
CDF_DOMAIN = (0.545, 1.0)
PANEL_TITLES = ("Density: histogram of the sample under the PDF",
                "Cumulative: ECDF of the sample against the CDF")
#: Trace indices of the noise figure, in drawing order.
HISTOGRAM, PDF_LINE, ECDF_LINE, CDF_LINE = range(4)


def _panel_titles() -> list[dict]:
    return [{"text": text, "x": domain[0], "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "left", "yanchor": "bottom", "showarrow": False,
             "font": {"size": 14, "color": "#333"}}
            for text, domain in zip(PANEL_TITLES, (PDF_DOMAIN, CDF_DOMAIN), strict=True)]


def noise_values(grid, pdf_theory, cdf_theory, ecdf, bin_edges, density, *, mean: float,
                 variance: float) -> dict:
    """What changes in the noise figure when the noise moves (used by the figure and by
    patches): the histogram's outline, the PDF curve and its name, the ECDF and CDF on
    ``grid``, the title and the annotations.

    The histogram is drawn as a filled step line: point i at bin edge i carries the density
    of bin i up to edge i + 1, and the last edge drops to 0 (one SVG path; bars cost the
    browser twice as long to redraw).
    """
    edges = np.asarray(bin_edges, dtype=float)
    sigma = float(np.sqrt(variance))
    annotations = _panel_titles()
    if variance == 0:
        annotations.append({"x": mean, "y": 0.5, "xref": "x", "yref": "y domain",
                            "showarrow": False, "xanchor": "left", "bgcolor": "white",
                            "text": f"σ = 0: every sample equals the mean {mean:g}"})
    return {
        "hist_x": edges, "hist_y": np.append(np.asarray(density, dtype=float), 0.0),
        "grid": np.asarray(grid, dtype=float), "pdf": np.asarray(pdf_theory, dtype=float),
        "cdf": np.asarray(cdf_theory, dtype=float), "ecdf": np.asarray(ecdf, dtype=float),
        "pdf_name": f"N({mean:g}, {variance:g}) PDF",
        "title": f"Noise ε ~ N(μ={mean:g}, σ²={variance:g}); σ = {255 * sigma:.1f} levels",
        "annotations": annotations,
        # σ = 0 is a point mass: a vertical line at the mean in both panels.
        "shapes": [] if variance else [
            {"type": "line", "x0": mean, "x1": mean, "xref": xref, "y0": 0, "y1": 1,
             "yref": f"{yref} domain", "line": {"color": THEORY_COLOUR, "width": 3}}
            for xref, yref in (("x", "y"), ("x2", "y2"))],
    }


def noise_figure(grid, pdf_theory, cdf_theory, ecdf, bin_edges, density, *, mean: float,
                 variance: float) -> go.Figure:
    """The sampled noise against N(mean, variance), in two panels: the density histogram
    under the PDF (left), and the ECDF against the CDF on ``grid`` (right).

    ``grid`` and ``bin_edges`` are noise values on the [0, 1] intensity scale; ``density`` has
    one value per bin; ``pdf_theory``, ``cdf_theory`` and ``ecdf`` one per grid point.
    """
    values = noise_values(grid, pdf_theory, cdf_theory, ecdf, bin_edges, density, mean=mean,
                          variance=variance)
    fig = go.Figure([
        go.Scatter(x=values["hist_x"], y=values["hist_y"], mode="lines", line_shape="hv",
                   fill="tozeroy", fillcolor="rgba(123, 97, 255, 0.45)",
                   line={"color": SAMPLE_COLOUR, "width": 1},
                   name="sampled noise (histogram)",
                   hovertemplate="ε from %{x:.4f}<br>density %{y:.4g}<extra></extra>"),
        go.Scatter(x=values["grid"], y=values["pdf"], mode="lines", name=values["pdf_name"],
                   line={"color": THEORY_COLOUR, "width": 2.5, "dash": "dash"},
                   hovertemplate="ε %{x:.4f}<br>pdf %{y:.4g}<extra></extra>"),
        go.Scatter(x=values["grid"], y=values["ecdf"], mode="lines", xaxis="x2", yaxis="y2",
                   name="sampled noise (ECDF)", line={"color": SAMPLE_COLOUR, "width": 3},
                   line_shape="hv", hovertemplate="ε %{x:.4f}<br>ECDF %{y:.4f}<extra></extra>"),
        go.Scatter(x=values["grid"], y=values["cdf"], mode="lines", xaxis="x2", yaxis="y2",
                   name="theoretical CDF",
                   line={"color": THEORY_COLOUR, "width": 2, "dash": "dash"},
                   hovertemplate="ε %{x:.4f}<br>Φ %{y:.4f}<extra></extra>"),
    ])
    layout = styled_layout({"xaxis": {"domain": list(PDF_DOMAIN)}, "yaxis": {"anchor": "x"},
                            "xaxis2": {"domain": list(CDF_DOMAIN), "anchor": "y2"},
                            "yaxis2": {"anchor": "x2"}},
                           title=values["title"],
                           x_title="noise ε (intensity scale 0–1; × 255 = levels)",
                           y_title="density", height=400)
    layout["yaxis2"] = {**layout["yaxis2"], "title": {"text": "P(ε ≤ x)"}, "range": [0, 1.02],
                        "rangemode": "normal"}
    # At the foot of the figure, below both axis titles.
    layout["legend"] = {**layout["legend"], "yref": "container", "y": 0, "yanchor": "bottom"}
    layout["annotations"] = values["annotations"]
    layout["shapes"] = values["shapes"]
    fig.layout = fixed_margins(layout, l=74, r=24, t=82, b=100)
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
    (solid) against theory (dashed), as in the other distribution figures, each channel with
    its marker symbol.

    ``offsets`` are level differences (e.g. −255..255); ``empirical`` and ``theory`` are
    (3, len(offsets)) probabilities. The y axis is logarithmic so clipping spikes and tails show.
    """
    offsets = np.asarray(offsets)
    values = effective_noise_values(offsets, empirical, theory)
    traces = []
    for ci, channel in enumerate(CHANNELS):
        traces.append(go.Scatter(
            x=offsets, y=values["ys"][2 * ci], name=f"{channel} sampled",
            legendgroup=channel, **channel_trace_style(channel, dash="solid"),
            hovertemplate=f"{channel}: Δ %{{x}} levels<br>P %{{y:.3g}}<extra>sampled</extra>"))
        traces.append(go.Scatter(
            x=offsets, y=values["ys"][2 * ci + 1], name=f"{channel} theory",
            legendgroup=channel, **channel_trace_style(channel, width=1.5, dash="dash"),
            hovertemplate=f"{channel}: Δ %{{x}} levels<br>P %{{y:.3g}}<extra>theory</extra>"))
    fig = go.Figure(traces)
    layout = styled_layout({}, title="Effective noise after clipping and rounding "
                           "(noisy − original)", x_title="difference in levels",
                           y_title="P(difference) (log scale)")
    layout["yaxis"] = {**layout["yaxis"], "type": "log", "rangemode": "normal",
                       "range": values["y_range"], "exponentformat": "power"}
    layout["xaxis"] = {**layout["xaxis"], "range": values["x_range"]}
    fig.layout = fixed_margins(layout, l=88, r=24, b=110)
    return fig
