"""Joint PMF heatmap of two channels and the conditional PMF beside it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.theme import CHANNEL_COLOURS, THEORY_COLOUR, base_layout


def joint_figure(joint_pmf, level_edges, *, x_channel: str, y_channel: str,
                 selection: tuple[int, int] | None = None, log_scale: bool = True) -> go.Figure:
    """Heatmap of P(x_channel, y_channel); ``joint_pmf`` is (bins_y, bins_x) over ``level_edges``.

    ``selection`` shades the conditioning range of ``x_channel`` (inclusive levels).
    """
    pmf = np.asarray(joint_pmf, float)
    edges = np.asarray(level_edges, float)
    centres = 0.5 * (edges[:-1] + edges[1:]) - 0.5
    shown = np.log10(np.where(pmf > 0, pmf, np.nan)) if log_scale else pmf
    fig = go.Figure(go.Heatmap(
        x=centres, y=centres, z=shown, colorscale="Viridis",
        customdata=pmf,
        colorbar={"title": {"text": "log₁₀ P" if log_scale else "P"}},
        hovertemplate=f"{x_channel} ≈ %{{x:.0f}}<br>{y_channel} ≈ %{{y:.0f}}"
                      "<br>P %{customdata:.3g}<extra></extra>",
    ))
    base_layout(fig, title=f"Joint PMF of {x_channel} and {y_channel}",
                x_title=f"{x_channel} level", y_title=f"{y_channel} level", height=460)
    fig.update_xaxes(range=[-1, 256], constrain="domain", color=CHANNEL_COLOURS[x_channel])
    fig.update_yaxes(range=[-1, 256], scaleanchor="x", rangemode="normal",
                     color=CHANNEL_COLOURS[y_channel])
    fig.update_layout(dragmode="select", selectdirection="h", clickmode="event+select")
    if selection is not None:
        lo, hi = selection
        fig.add_vrect(x0=lo - 0.5, x1=hi + 0.5, line={"color": "#ffc400", "width": 2},
                      fillcolor="rgba(255,196,0,0.12)")
    return fig


def conditional_figure(levels, conditional_pmf, marginal_pmf, *, given_channel: str,
                       other_channel: str, given_range: tuple[int, int]) -> go.Figure:
    """P(other | given in range) against the marginal P(other); arrays over ``levels``."""
    lo, hi = given_range
    condition = f"{given_channel} = {lo}" if lo == hi else f"{given_channel} ∈ [{lo}, {hi}]"
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.asarray(levels), y=np.asarray(marginal_pmf, float),
                             mode="lines", name=f"P({other_channel}) (all pixels)",
                             line={"color": THEORY_COLOUR, "width": 1.5, "dash": "dot"}))
    if conditional_pmf is not None:
        fig.add_trace(go.Scatter(x=np.asarray(levels), y=np.asarray(conditional_pmf, float),
                                 mode="lines", name=f"P({other_channel} | {condition})",
                                 line={"color": CHANNEL_COLOURS[other_channel], "width": 3},
                                 fill="tozeroy"))
    else:
        fig.add_annotation(text=f"No pixel has {condition}", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
    base_layout(fig, title=f"Conditional PMF of {other_channel} given {condition}",
                x_title=f"{other_channel} level", y_title="probability", height=460)
    return fig
