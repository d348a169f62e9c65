"""Figures of the Collections view: two collections' distributions side by side, their dated
images year by year, and their palettes as one picture per collection.

The two figures are plain plotly dicts on a layout built once per process: building them as
``go.Figure`` (``make_subplots`` and its validation) cost ~100 ms a view on the 2-core
machine, a third of the view's whole budget, for the same JSON. The palettes are one SVG
image per collection rather than a Dash component per swatch: the browser's Dash renderer
mounts every component one by one, and the ~400 of 15 palette rows took ~700 ms to appear.
"""

from __future__ import annotations

import base64
import copy
import functools
import html
from collections.abc import Sequence

import numpy as np
from plotly.subplots import make_subplots

from dashboard.core.corpus_stats import hex_colour
from dashboard.core.vocabulary import CHANNELS, LEVELS
from dashboard.figures.artist import (
    PERIOD_COLOURS,
    PERIOD_DASHES,
    PERIOD_SYMBOLS,
    STAT_LABELS,
    channel_and_lightness_axes,
    level_axes_top,
    stat_scale,
)
from dashboard.figures.theme import (
    FONT_FAMILY,
    MUTED_TEXT_COLOUR,
    TEXT_COLOUR,
    base_layout,
    packed,
    text_colour_on,
)

#: The two sides drawn as two of the artist's periods: the dark Dutch line and the bright
#: Arles one (each with its own dash and marker, so they differ without colour).
SIDE_STYLES = ("dutch", "arles")
COMPARISON_HEIGHT = 620
YEARS_HEIGHT = 360
#: Intensity levels 0..255 as a typed array (256 bytes).
_LEVELS = {"dtype": "u1", "bdata": base64.b64encode(bytes(range(LEVELS))).decode("ascii")}


@functools.lru_cache(maxsize=1)
def _comparison_layout() -> dict:
    """The comparison figure's layout without its data-dependent parts (built once)."""
    fig = make_subplots(rows=2, cols=2, horizontal_spacing=0.08, vertical_spacing=0.14,
                        subplot_titles=("Red", "Green", "Blue", "Lightness L*"))
    base_layout(fig, title="", x_title="", y_title="", height=COMPARISON_HEIGHT)
    channel_and_lightness_axes(fig)
    fig.update_layout(legend={"y": -0.13}, margin={"t": 80, "b": 90})
    return fig.layout.to_plotly_json()


def comparison_figure(view: dict) -> dict:
    """Pooled PMF of red, green and blue and the lightness distribution of two collections
    (``view`` from ``compare_view``), one line style per collection, as a figure dict."""
    edges = np.asarray(view["lightness_edges"], float)
    centres = (edges[:-1] + edges[1:]) / 2
    data = []
    for side, style in enumerate(SIDE_STYLES):
        label = view["labels"][side]
        name = f"{label} ({view['counts'][side]})"
        line = {"color": PERIOD_COLOURS[style], "width": 2, "dash": PERIOD_DASHES[style]}
        for ci, channel in enumerate(CHANNELS):
            axis = "" if ci == 0 else str(ci + 1)
            data.append({
                "type": "scatter", "mode": "lines", "x": _LEVELS,
                "y": packed(np.asarray(view["pmfs"][side][ci], float)), "name": name,
                "legendgroup": style, "showlegend": ci == 0, "line": line,
                "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                "hovertemplate": f"{html.escape(label)}<br>{channel} level %{{x}}"
                                 "<br>mean P %{y:.4g}<extra></extra>"})
        data.append({
            "type": "scatter", "mode": "lines+markers", "x": packed(centres),
            "y": packed(100 * np.asarray(view["lightness"][side], float)), "name": name,
            "legendgroup": style, "showlegend": False, "line": line,
            "marker": {"size": 5, "symbol": PERIOD_SYMBOLS[style]}, "xaxis": "x4",
            "yaxis": "y4", "hovertemplate": f"{html.escape(label)}<br>L* %{{x:.1f}}"
                                            "<br>%{y:.1f}% of pixels<extra></extra>"})
    layout = copy.deepcopy(_comparison_layout())
    layout["title"]["text"] = (f"{html.escape(view['labels'][0])} against "
                               f"{html.escape(view['labels'][1])} (each image counts equally)")
    top = level_axes_top(view["pmfs"])
    for axis in ("yaxis", "yaxis2", "yaxis3"):
        layout[axis]["range"] = [0, top]
    return {"data": data, "layout": layout}


@functools.lru_cache(maxsize=1)
def _years_layout() -> dict:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.68, 0.32])
    base_layout(fig, title="", x_title="", y_title="", height=YEARS_HEIGHT)
    fig.update_xaxes(title_text="year", row=2, col=1)
    fig.update_yaxes(title_text="images", rangemode="tozero", row=2, col=1)
    fig.update_layout(barmode="group", bargap=0.15, legend={"y": -0.25},
                      margin={"t": 48, "b": 70})
    return fig.layout.to_plotly_json()


def years_figure(view: dict, stat: str, stat_names: Sequence[str]) -> dict:
    """Each collection's dated images year by year: the mean of ``stat`` over each year's
    images (top) and how many images each year has (bottom), as a figure dict.

    ``view["years"]`` holds, per collection, ``years``, ``counts`` and ``means`` (one column
    per name of ``stat_names``).
    """
    column = list(stat_names).index(stat)
    scale = stat_scale(stat)
    data = []
    for side, style in enumerate(SIDE_STYLES):
        label, per_year = view["labels"][side], view["years"][side]
        years = [int(y) for y in per_year["years"]]
        counts = np.asarray(per_year["counts"], np.int64)
        means = scale * np.asarray(per_year["means"], float).reshape(len(years), len(stat_names))[
            :, column]
        name = f"{label} ({int(counts.sum())} dated)"
        data.append({
            "type": "scatter", "mode": "lines+markers", "x": years, "y": packed(means),
            "customdata": counts.tolist(), "name": name, "legendgroup": style,
            "line": {"color": PERIOD_COLOURS[style], "width": 2, "dash": PERIOD_DASHES[style]},
            "marker": {"size": 6, "symbol": PERIOD_SYMBOLS[style]},
            "hovertemplate": f"{html.escape(label)}, %{{x}}<br>mean %{{y:.3g}}"
                             "<br>%{customdata} images<extra></extra>"})
        data.append({
            "type": "bar", "x": years, "y": counts.tolist(), "name": name,
            "legendgroup": style, "showlegend": False, "xaxis": "x2", "yaxis": "y2",
            "marker": {"color": PERIOD_COLOURS[style]},
            "hovertemplate": f"{html.escape(label)}, %{{x}}: %{{y}} images<extra></extra>"})
    layout = copy.deepcopy(_years_layout())
    layout["title"]["text"] = f"Year by year: {STAT_LABELS[stat]}"
    layout["yaxis"]["title"]["text"] = "mean"
    layout["yaxis"].pop("rangemode", None)
    if not any(len(side["years"]) for side in view["years"]):
        layout["annotations"] = [{
            "text": "Neither collection has dated images (give a year in the metadata).",
            "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.6, "showarrow": False}]
    return {"data": data, "layout": layout}


# ----------------------------------------------------------------------------- palettes

#: Palette picture geometry (px): label column, swatch size and gaps, as the page's swatches.
_LABEL_WIDTH = 230
_SWATCH_WIDTH, _SWATCH_HEIGHT, _GAP = 84, 58, 6
_LABEL_CHARS = 30


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def palette_picture(rows: Sequence[tuple[str, object, object]]) -> str:
    """Palette rows ``(label, colours (k, 3) uint8, shares (k,))`` drawn as one SVG document:
    each row its label, then a swatch per colour with its share and hex code."""
    step = _SWATCH_WIDTH + _GAP
    width = _LABEL_WIDTH + max([len(r[2]) for r in rows] + [1]) * step
    height = len(rows) * (_SWATCH_HEIGHT + _GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><style>'
             f"text{{font-family:{FONT_FAMILY};font-size:13px}}"
             f".h{{font-size:14px;font-weight:600;fill:{TEXT_COLOUR}}}.g{{fill:{MUTED_TEXT_COLOUR}}}"
             ".s{font-size:14px;font-weight:700}.s,.x{text-anchor:middle}.x{font-size:12px}"
             f"rect{{stroke:rgba(0,0,0,.15)}}</style>"]
    for i, (label, colours, shares) in enumerate(rows):
        y = i * (_SWATCH_HEIGHT + _GAP)
        head, _, tail = str(label).partition(": ")
        parts.append(f'<text class="h" y="{y + 24}">{html.escape(_short(head))}</text>')
        if tail:
            parts.append(f'<text class="g" y="{y + 44}">{html.escape(_short(tail))}</text>')
        for j, ((r, g, b), share) in enumerate(zip(np.asarray(colours).tolist(),
                                                   np.asarray(shares).tolist(), strict=True)):
            x = _LABEL_WIDTH + j * step
            ink = text_colour_on(r, g, b)
            middle = x + _SWATCH_WIDTH // 2
            code = hex_colour((r, g, b))
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_SWATCH_WIDTH}" height="{_SWATCH_HEIGHT}" rx="6" '
                f'fill="{code}"/><text class="s" x="{middle}" y="{y + 27}" '
                f'fill="{ink}">{100 * share:.1f}%</text><text class="x" x="{middle}" '
                f'y="{y + 45}" fill="{ink}">{code}</text>')
    parts.append("</svg>")
    return "".join(parts)


def palette_description(rows: Sequence[tuple[str, object, object]]) -> str:
    """The palette rows in words (the picture's text alternative)."""
    described = []
    for label, colours, shares in rows:
        entries = ", ".join(f"{100 * share:.1f}% {hex_colour(rgb)}" for rgb, share
                            in zip(np.asarray(colours).tolist(), np.asarray(shares).tolist(),
                                   strict=True))
        described.append(f"{label}: {entries or 'no colours'}")
    return "; ".join(described) + "."


def data_uri(svg: str) -> str:
    """An SVG document as a ``data:`` URI for an ``<img>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
