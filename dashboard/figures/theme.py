"""One place for colours, fonts, margins and export settings of every figure."""

from __future__ import annotations

import base64
import textwrap

import numpy as np
import plotly.graph_objects as go

#: Trace colours per channel: saturated enough to read on a projector, distinct for colour-blind
#: viewers thanks to the dash styles that always accompany them.
CHANNEL_COLOURS = {"red": "#d62728", "green": "#2ca02c", "blue": "#1f5fbf"}
#: Lighter shade of each channel for the "original" traces.
CHANNEL_LIGHT = {"red": "rgba(214,39,40,0.35)", "green": "rgba(44,160,44,0.35)",
                 "blue": "rgba(31,95,191,0.35)"}
THEORY_COLOUR = "#111111"
SAMPLE_COLOUR = "#7b61ff"
HIGHLIGHT_COLOUR = "rgba(255, 196, 0, 0.35)"

FONT_FAMILY = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
BASE_FONT_SIZE = 15

#: Export size (px) and scale for the modebar's download button: readable in a slide.
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 700
EXPORT_SCALE = 2
EXPORT_FORMATS = ("png", "svg")


#: Plotly's "plotly_white" look, set directly rather than as a template: assigning a template
#: re-validates all of it, ~6 ms per figure, which is a fifth of a slider move.
PLAIN_LAYOUT = {
    "template": None,
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "colorway": ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692",
                 "#B6E880", "#FF97FF", "#FECB52"],
}
#: ``ticklabeloverflow="allow"``: automargin keeps the labels inside the figure already, and
#: plotly's default check measures every tick label after each redraw, forcing the browser to
#: lay out the page again once per label (a tenth of a slider move on the noise tab).
AXIS_STYLE = {"gridcolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "zerolinewidth": 2,
              "automargin": True, "ticklabeloverflow": "allow"}


def _merge(base: dict, extra: dict) -> dict:
    """``base`` updated by ``extra``, recursively for nested dicts (neither is changed)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def base_layout(fig: go.Figure, *, title: str, x_title: str, y_title: str,
                height: int = 380, subtitle: str | None = None) -> go.Figure:
    """Apply the shared look to ``fig`` (every x and y axis of it) and return it.

    ``subtitle`` is a second, smaller title line (a key to the line styles, say): it is part
    of the figure, so it survives a PNG or SVG export.

    The layout is assigned as one dict: plotly's ``update_layout`` on a figure with traces
    costs ~10 ms, most of a slider move's server time.
    """
    current = fig.layout.to_plotly_json()
    axis = {"showline": True, "linecolor": "#888", "ticks": "outside", **AXIS_STYLE}
    style = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top",
                  "font": {"size": BASE_FONT_SIZE + 3}},
        "font": {"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": "#1d1d1f"},
        **PLAIN_LAYOUT,
        "height": height,
        "margin": {"l": 64, "r": 20, "t": 52, "b": 40},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left",
                   "x": 0.0, "font": {"size": BASE_FONT_SIZE - 2}},
        "hoverlabel": {"font": {"size": BASE_FONT_SIZE - 1}},
        "uirevision": "keep",
    }
    if subtitle:
        style["title"]["subtitle"] = {"text": subtitle, "font": {"size": BASE_FONT_SIZE - 2,
                                                                 "color": "#555"}}
        style["margin"] = {**style["margin"], "t": 74}
    x_axes = [k for k in current if k.startswith("xaxis")] or ["xaxis"]
    y_axes = [k for k in current if k.startswith("yaxis")] or ["yaxis"]
    for name in x_axes:
        style[name] = {**axis, "title": {"text": x_title}}
    for name in y_axes:
        style[name] = {**axis, "title": {"text": y_title}, "rangemode": "tozero"}
    fig.layout = _merge(current, style)
    return fig


def packed(values) -> dict:
    """``values`` (1-D numbers) in plotly.js's typed-array form: float64 bytes in base64.

    For partial figure updates (``Patch``), which would otherwise travel as JSON numbers:
    about half the bytes, and the browser decodes them without parsing numbers. The values are
    the same float64s; NaN stays NaN (a gap in a line).
    """
    array = np.ascontiguousarray(values, dtype="<f8")
    if array.ndim != 1:
        raise ValueError(f"packed() takes a 1-D array, got shape {array.shape}")
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def fixed_margins(layout: dict, **margin: int) -> dict:
    """``layout`` (a dict) with the given margins (px) and automatic margins off on every axis.

    For figures redrawn on every slider move: with automatic margins plotly measures the tick
    labels and, when their width changes (a density axis rescaled by σ, say), draws the whole
    figure a second time. The margins given must hold the widest labels the figure can get.
    """
    layout = dict(layout)
    layout["margin"] = {**layout.get("margin", {}), **margin}
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        layout[name] = {**layout[name], "automargin": False}
    return layout


def graph_config(export_format: str = "png", filename: str = "figure") -> dict:
    """``dcc.Graph.config``: modebar download in ``export_format`` at slide size."""
    if export_format not in EXPORT_FORMATS:
        export_format = "png"
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": export_format,
            "filename": filename,
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": EXPORT_SCALE if export_format == "png" else 1,
        },
        "modeBarButtonsToRemove": ["lasso2d", "autoScale2d"],
    }


#: Characters per line of a message drawn in an empty figure.
MESSAGE_WIDTH = 70


def figure_message(message: str) -> str:
    """``message`` as a figure annotation: `backticks` dropped (plotly shows them as typed) and
    long text broken into lines, unless it already has its own ``<br>``."""
    text = message.replace("`", "")
    if "<br>" in text:
        return text
    return "<br>".join(textwrap.wrap(text, MESSAGE_WIDTH)) or text


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A blank figure carrying ``message`` in its centre (no data, no axes)."""
    message = figure_message(message)
    fig = go.Figure()
    fig.update_layout(
        **PLAIN_LAYOUT, height=height,
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": BASE_FONT_SIZE}}],
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
    )
    return fig
