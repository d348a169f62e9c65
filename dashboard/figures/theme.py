"""One place for colours, fonts, margins and export settings of every figure."""

from __future__ import annotations

import base64
import re
import textwrap

import numpy as np
import plotly.graph_objects as go

#: How each channel is drawn, so that it reads without colour too (about one man in twelve does
#: not tell red from green): a colour dark enough for text on white (WCAG AA, 4.5:1), a marker
#: symbol shown a few times along every channel line (plotly staggers them between traces, so
#: where lines cross their markers still tell them apart) and the legend entry that shows it,
#: and a dash for the figures whose dashes do not already say something else.
CHANNEL_STYLES = {
    "red": {"colour": "#d62728", "symbol": "circle", "dash": "solid"},
    "green": {"colour": "#1a7f37", "symbol": "triangle-up", "dash": "dash"},
    "blue": {"colour": "#1f5fbf", "symbol": "square", "dash": "dot"},
}
CHANNEL_COLOURS = {channel: style["colour"] for channel, style in CHANNEL_STYLES.items()}
CHANNEL_SYMBOLS = {channel: style["symbol"] for channel, style in CHANNEL_STYLES.items()}
CHANNEL_DASHES = {channel: style["dash"] for channel, style in CHANNEL_STYLES.items()}
#: Lighter shade of each channel for the "original" traces (drawn dotted as well): the channel
#: colour at 75 % over white, still 3:1 on white as a line must be.
CHANNEL_LIGHT = {"red": "#e05d5e", "green": "#539f69", "blue": "#5787cf"}
#: Channel markers drawn along one line (evenly spaced over the points in view).
MARKERS_PER_LINE = 9
THEORY_COLOUR = "#111111"
#: Text in figures: titles and labels (16:1 on white), and secondary lines (7.5:1).
TEXT_COLOUR = "#1d1d1f"
MUTED_TEXT_COLOUR = "#555555"
#: Axis lines: a graphical object, at least 3:1 on white (3.5:1).
AXIS_LINE_COLOUR = "#888888"
BACKGROUND_COLOUR = "#ffffff"
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


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rgb`` or ``#rrggbb`` (0 = black, 1 = white)."""
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", colour):
        raise ValueError(f"colour must be #rgb or #rrggbb, got {colour[:20]!r}")
    text = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    linear = []
    for i in (0, 2, 4):
        c = int(text[i:i + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (same) to 21 (black on white);
    AA asks 4.5 for text, 3 for large text and for lines and controls."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(red: int, green: int, blue: int) -> str:
    """Black or white, whichever contrasts more with the background ``rgb(red, green, blue)``
    (0..255): at least 4.58:1 on any background."""
    background = f"#{red:02x}{green:02x}{blue:02x}"
    return "#000000" if contrast_ratio(background, "#000000") >= contrast_ratio(
        background, "#ffffff") else "#ffffff"


def channel_marker(channel: str, *, size: int = 8, colour: str | None = None) -> dict:
    """The channel's marker for a ``"lines+markers"`` trace: its symbol, a few times per line."""
    return {"symbol": CHANNEL_SYMBOLS[channel], "size": size,
            "color": colour or CHANNEL_COLOURS[channel], "maxdisplayed": MARKERS_PER_LINE}


def channel_trace_style(channel: str, *, width: float = 2, dash: str | None = None,
                        colour: str | None = None) -> dict:
    """Keyword arguments of a ``go.Scatter`` line for ``channel``: its colour, its marker along
    the line and ``dash`` (the channel's own dash when None)."""
    return {"mode": "lines+markers", "marker": channel_marker(channel, colour=colour),
            "line": {"color": colour or CHANNEL_COLOURS[channel], "width": width,
                     "dash": dash or CHANNEL_DASHES[channel]}}


def base_layout(fig: go.Figure, *, title: str, x_title: str, y_title: str,
                height: int = 380, subtitle: str | None = None) -> go.Figure:
    """Apply the shared look to ``fig`` (every x and y axis of it) and return it.

    ``subtitle`` is a second, smaller title line (a key to the line styles, say): it is part
    of the figure, so it survives a PNG or SVG export.

    The layout is assigned as one dict: plotly's ``update_layout`` on a figure with traces
    costs ~10 ms, most of a slider move's server time.
    """
    fig.layout = styled_layout(fig.layout.to_plotly_json(), title=title, x_title=x_title,
                               y_title=y_title, height=height, subtitle=subtitle)
    return fig


def styled_layout(current: dict, *, title: str, x_title: str, y_title: str,
                  height: int = 380, subtitle: str | None = None) -> dict:
    """The layout dict ``current`` with the shared look of :func:`base_layout` (on every x
    and y axis it names, or ``xaxis`` and ``yaxis``), for a figure that is then built once
    from it: each assignment of a layout to a plotly figure validates all of it again (about
    8 ms for a two-panel figure)."""
    axis = {"showline": True, "linecolor": AXIS_LINE_COLOUR, "ticks": "outside", **AXIS_STYLE}
    style = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top",
                  "font": {"size": BASE_FONT_SIZE + 3}},
        "font": {"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": TEXT_COLOUR},
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
                                                                 "color": MUTED_TEXT_COLOUR}}
        # Room for each line of the subtitle (lines are split with <br>).
        style["margin"] = {**style["margin"], "t": 74 + 16 * subtitle.count("<br>")}
    x_axes = [k for k in current if k.startswith("xaxis")] or ["xaxis"]
    y_axes = [k for k in current if k.startswith("yaxis")] or ["yaxis"]
    for name in x_axes:
        style[name] = {**axis, "title": {"text": x_title}}
    for name in y_axes:
        style[name] = {**axis, "title": {"text": y_title}, "rangemode": "tozero"}
    return _merge(current, style)


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
