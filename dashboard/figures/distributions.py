"""Per-channel PMF and CDF figures: original, noisy (sampled) and noisy (exact theory)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.core.vocabulary import CHANNELS, LEVELS
from dashboard.figures.theme import CHANNEL_LIGHT, channel_trace_style, styled_layout

LEVEL_AXIS = np.arange(LEVELS)

#: Order of the traces drawn for each channel; trace index = 3 * channel index + kind index.
TRACE_KINDS = ("original", "noisy", "theory")
_KIND_LABEL = {"original": "original", "noisy": "noisy (sampled)", "theory": "noisy (theory)"}
#: Line style of each kind of trace; the channel is told by its colour and marker symbol.
KIND_DASHES = {"original": "dot", "noisy": "solid", "theory": "dash"}
#: The key to the line styles and markers, shown under each figure's title.
LINE_STYLE_KEY = ("dotted: original · solid: noisy, sampled · dashed: noisy, exact theory"
                  "<br>● red ▲ green ■ blue")


def trace_index(channel: str, kind: str) -> int:
    """Index in ``fig.data`` of the trace for ``channel`` and ``kind`` (see TRACE_KINDS)."""
    return 3 * CHANNELS.index(channel) + TRACE_KINDS.index(kind)


def trace_identity(index: int) -> tuple[str, str]:
    """Inverse of :func:`trace_index`: (channel, kind) for a trace index."""
    channel_index, kind_index = divmod(int(index), 3)
    return CHANNELS[channel_index], TRACE_KINDS[kind_index]


def _channel_traces(channel: str, original, noisy, theory, hover_unit: str) -> list[go.Scatter]:
    styles = {kind: channel_trace_style(
        channel, dash=dash, colour=CHANNEL_LIGHT[channel] if kind == "original" else None)
        for kind, dash in KIND_DASHES.items()}
    traces = []
    for kind, values in zip(TRACE_KINDS, (original, noisy, theory), strict=True):
        traces.append(go.Scatter(
            x=LEVEL_AXIS, y=np.asarray(values, dtype=float),
            name=channel, legendgroup=channel, showlegend=kind == "noisy",
            meta=[channel, kind],
            hovertemplate=f"{channel} {_KIND_LABEL[kind]}<br>level %{{x}}<br>"
                          f"{hover_unit} %{{y:.4g}}<extra></extra>",
            **styles[kind],
        ))
    return traces


def _distribution_figure(original, noisy, theory, *, title: str, y_title: str,
                         hover_unit: str, selection: tuple[int, int] | None,
                         y_axis: dict, annotations: list | None = None) -> go.Figure:
    """The figure, built once from its whole layout (``y_axis``: the y axis's range and any
    other setting; ``annotations``): each assignment of a layout validates all of it again."""
    traces = []
    for ci, channel in enumerate(CHANNELS):
        traces += _channel_traces(channel, original[ci], noisy[ci], theory[ci], hover_unit)
    # The line styles are explained in the subtitle rather than by legend-only traces: each
    # trace costs every redraw in the browser, and the legend stays one entry per channel.
    layout = styled_layout({}, title=title, x_title="intensity level (0–255)", y_title=y_title,
                           subtitle=LINE_STYLE_KEY)
    layout["xaxis"] = {**layout["xaxis"], "range": [-2, 257]}
    layout["yaxis"] = {**layout["yaxis"], **y_axis}
    layout.update(dragmode="select", selectdirection="h")
    if annotations is not None:
        layout["annotations"] = annotations
    if selection is not None:
        lo, hi = selection
        layout["shapes"] = [{"type": "rect", "x0": lo - 0.5, "x1": hi + 0.5, "xref": "x",
                             "y0": 0, "y1": 1, "yref": "y domain",
                             "fillcolor": "rgba(255,196,0,0.25)", "line": {"width": 0}}]
    return go.Figure(traces, layout=layout)


def clip_spike_layout(arrays) -> dict:
    """Y range over levels 1..254 and labels for the clipping spikes at 0 and 255 above it.

    The spikes would otherwise flatten the rest of the distribution. Returns
    ``{"range": [0, top], "annotations": [...]}`` for ``layout.yaxis.range`` and
    ``layout.annotations``.
    """
    stacked = np.concatenate([np.asarray(a, float) for a in arrays])
    top = 1.15 * float(stacked[:, 1:255].max())
    annotations = []
    for level in (0, 255):
        peak = float(stacked[:, level].max())
        if peak > top > 0:
            annotations.append({
                "x": level, "y": top, "yanchor": "top", "showarrow": False,
                "xanchor": "left" if level == 0 else "right",
                "text": f"↑ up to {peak:.3f} at level {level} (clipping)",
                "font": {"size": 12}, "bgcolor": "rgba(255,255,255,0.8)",
            })
    return {"range": [0, top if top > 0 else 1], "annotations": annotations}


def pmf_figure(original_pmf, noisy_pmf, noisy_pmf_theory,
               selection: tuple[int, int] | None = None) -> go.Figure:
    """PMF per channel: original (light, dotted), noisy sampled (solid), noisy theory (dashed);
    each channel's line carries its marker symbol (``theme.CHANNEL_STYLES``).

    Arrays are (3, 256) probabilities over levels 0..255; ``selection`` is a highlighted
    inclusive level range.
    """
    spikes = clip_spike_layout((original_pmf, noisy_pmf, noisy_pmf_theory))
    return _distribution_figure(original_pmf, noisy_pmf, noisy_pmf_theory,
                                title="Probability mass function per channel",
                                y_title="P(level)", hover_unit="P", selection=selection,
                                y_axis={"range": spikes["range"]},
                                annotations=spikes["annotations"])


def cdf_figure(original_cdf, noisy_cdf, noisy_cdf_theory,
               selection: tuple[int, int] | None = None) -> go.Figure:
    """CDF per channel, same traces as :func:`pmf_figure`; arrays (3, 256) in [0, 1]."""
    return _distribution_figure(original_cdf, noisy_cdf, noisy_cdf_theory,
                                title="Cumulative distribution per channel",
                                y_title="P(level ≤ x)", hover_unit="F", selection=selection,
                                y_axis={"range": [0, 1.02]})
