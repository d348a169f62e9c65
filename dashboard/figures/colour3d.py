"""3D scatter of a binned colour histogram: one marker per occupied bin."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.theme import BASE_FONT_SIZE, FONT_FAMILY, PLAIN_LAYOUT

AXIS_TITLES = {
    "rgb": ("red (0–255)", "green (0–255)", "blue (0–255)"),
    "hsv": ("hue (0–1)", "saturation (0–1)", "value (0–1)"),
    "lab": ("L* (0–100)", "a* (green–red)", "b* (blue–yellow)"),
    "oklab": ("L (0–1)", "a (green–red)", "b (blue–yellow)"),
}

#: Three labelled ticks per axis, all inside the space's axis ranges (core.colours.SPACE_AXES).
#: Each new tick label costs the 3D scene a text tracing in the browser (tens of ms without a
#: GPU), and three read well on a projector.
AXIS_TICKS = {
    "rgb": ((0, 128, 255),) * 3,
    "hsv": ((0, 0.5, 1),) * 3,
    "lab": ((0, 50, 100), (-80, 0, 80), (-80, 0, 80)),
    "oklab": ((0, 0.5, 1), (-0.2, 0, 0.2), (-0.3, 0, 0.2)),
}


def colour_3d_figure(centres, shares, colours, *, space: str, title: str,
                     bin_ids=None, axis_ranges=None, max_marker_px: float = 28.0) -> go.Figure:
    """Markers at bin ``centres`` (n, 3) in ``space`` coordinates; size ∝ share, colour = RGB.

    ``colours`` are (n, 3) uint8 representative colours; ``bin_ids`` (n,) flat bin indices are
    carried as customdata so a click can name its bin. ``axis_ranges`` (three (lo, hi) pairs)
    fixes the axes, so that two figures of the same space compare at a glance.
    """
    centres = np.asarray(centres, float).reshape(-1, 3)
    shares = np.asarray(shares, float).ravel()
    colours = np.asarray(colours, dtype=np.uint8).reshape(-1, 3)
    biggest = float(shares.max()) if shares.size else 1.0
    sizes = 3.0 + max_marker_px * np.sqrt(shares / biggest) if shares.size else shares
    colour_strings = [f"rgb({r},{g},{b})" for r, g, b in colours.tolist()]
    custom = np.column_stack([
        np.asarray(bin_ids if bin_ids is not None else np.arange(len(shares))), shares * 100,
    ])
    names = AXIS_TITLES[space]
    fig = go.Figure(go.Scatter3d(
        x=centres[:, 0], y=centres[:, 1], z=centres[:, 2], mode="markers",
        marker={"size": sizes, "color": colour_strings, "opacity": 0.9,
                "line": {"width": 0}},
        customdata=custom,
        hovertemplate=(f"{names[0]}: %{{x:.3g}}<br>{names[1]}: %{{y:.3g}}<br>"
                       f"{names[2]}: %{{z:.3g}}<br>share %{{customdata[1]:.3f}}%"
                       "<extra>click to highlight</extra>"),
    ))
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": BASE_FONT_SIZE + 2}},
        font={"family": FONT_FAMILY, "size": BASE_FONT_SIZE - 1},
        height=520, margin={"l": 0, "r": 0, "t": 48, "b": 0},
        scene={**{axis: {"title": {"text": name}, "tickvals": list(ticks)}
                  for axis, name, ticks in zip(("xaxis", "yaxis", "zaxis"), names,
                                               AXIS_TICKS[space], strict=True)},
               "aspectmode": "cube"},
        uirevision=space, **PLAIN_LAYOUT,
    )
    if axis_ranges is not None:
        for axis, (lo, hi) in zip(("xaxis", "yaxis", "zaxis"), axis_ranges, strict=True):
            fig.layout.scene[axis].range = [lo, hi]
    return fig
