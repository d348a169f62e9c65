"""Figures of the artist page: pooled distributions, periods side by side, a timeline, and one
painting against the rest. Every number drawn comes from ``dashboard.artist.services``; these
functions only style it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.core.vocabulary import CHANNELS, LEVELS
from dashboard.figures.colour3d import AXIS_TITLES, colour_3d_figure
from dashboard.figures.distributions import clip_spike_layout
from dashboard.figures.theme import (
    BASE_FONT_SIZE,
    CHANNEL_COLOURS,
    THEORY_COLOUR,
    base_layout,
    channel_trace_style,
)

#: Intensity levels 0..255 as uint8: sent to the browser as 256 bytes per trace, not 2 KB.
LEVEL_AXIS = np.arange(LEVELS, dtype=np.uint8)

#: One colour per period, chosen to echo it (Dutch earth, Paris grey-violet, Arles chrome
#: yellow darkened to 3.8:1 on white, Saint-Rémy blue, Auvers green), and a dash style and a
#: marker symbol of its own so that they differ without colour.
PERIOD_COLOURS = {"dutch": "#6b4a1f", "paris": "#8a6fb0", "arles": "#a67c00",
                 "saint-remy": "#1f5fbf", "auvers": "#2e8b57"}
PERIOD_DASHES = {"dutch": "solid", "paris": "dot", "arles": "longdash", "saint-remy": "dash",
                 "auvers": "dashdot"}
PERIOD_SYMBOLS = {"dutch": "square", "paris": "diamond", "arles": "circle",
                  "saint-remy": "triangle-up", "auvers": "x"}
#: The colour statistics with the words and units shown to people; shares are drawn in %.
STAT_LABELS = {
    "mean_lightness": "Mean lightness L* (0–100)",
    "mean_saturation": "Mean saturation (HSV S, 0–1)",
    "yellow_share": "Yellow share (% of pixels)",
    "blue_share": "Blue share (% of pixels)",
    "entropy_bits": "Colour entropy (bits, 16³ RGB bins)",
}
PERCENT_STATS = frozenset({"yellow_share", "blue_share"})
#: Lines for the painting / its period / the corpus in the comparison figure.
COMPARISON_STYLES = {"painting": {"width": 2.5}, "period": {"width": 2, "dash": "dash"},
                     "corpus": {"width": 2, "dash": "dot"}}
CORPUS_LINE_COLOUR = THEORY_COLOUR
#: Fill of the paintings' 25–75 % band: light, as three bands overlap.
BAND_COLOURS = {"red": "rgba(214,39,40,0.16)", "green": "rgba(26,127,55,0.16)",
                "blue": "rgba(31,95,191,0.16)"}
YEARLY_LINE_COLOUR = "#333333"


def stat_scale(stat: str) -> float:
    """Factor from stored values to the values drawn (shares as percentages)."""
    return 100.0 if stat in PERCENT_STATS else 1.0


def stat_value_text(stat: str, value: float) -> str:
    """One statistic value in words: ``"23.4%"``, ``"54.1"``, ``"0.321"``."""
    if stat in PERCENT_STATS:
        return f"{100 * value:.1f}%"
    if stat == "mean_saturation":
        return f"{value:.3f}"
    return f"{value:.1f}"


# ----------------------------------------------------------------------------- the corpus

def pooled_pmf_figure(pmf, band, *, n_paintings: int) -> go.Figure:
    """Equal-weight mean PMF per channel (3, 256) with the paintings' 25–75 % band (2, 3, 256)."""
    fig = go.Figure()
    for ci, channel in enumerate(CHANNELS):
        lo, hi = np.asarray(band[0][ci], float), np.asarray(band[1][ci], float)
        fig.add_trace(go.Scatter(x=LEVEL_AXIS, y=hi, mode="lines", line={"width": 0},
                                 legendgroup=channel, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=LEVEL_AXIS, y=lo, mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=BAND_COLOURS[channel],
                                 legendgroup=channel, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=LEVEL_AXIS, y=np.asarray(pmf[ci], float), name=channel,
            legendgroup=channel, **channel_trace_style(channel),
            hovertemplate=f"{channel}<br>level %{{x}}<br>mean P %{{y:.4g}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="middle half of paintings",
                             line={"color": "#bbbbbb", "width": 8}, hoverinfo="skip"))
    base_layout(fig, title=f"Per-channel PMF, mean of {n_paintings} paintings",
                x_title="intensity level (0–255)", y_title="P(level)", height=400)
    spikes = clip_spike_layout((pmf, band[1]))
    fig.update_layout(annotations=spikes["annotations"])
    fig.update_yaxes(range=spikes["range"])
    fig.update_xaxes(range=[-2, 257])
    return fig


def pooled_cdf_figure(cdf, *, n_paintings: int) -> go.Figure:
    """Cumulative distribution per channel (3, 256) of the equal-weight mean PMF."""
    fig = go.Figure()
    for ci, channel in enumerate(CHANNELS):
        fig.add_trace(go.Scatter(
            x=LEVEL_AXIS, y=np.asarray(cdf[ci], float), name=channel,
            **channel_trace_style(channel),
            hovertemplate=f"{channel}<br>level ≤ %{{x}}<br>share %{{y:.3f}}<extra></extra>"))
    base_layout(fig, title=f"Per-channel CDF, mean of {n_paintings} paintings",
                x_title="intensity level (0–255)", y_title="P(level ≤ x)", height=400)
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(range=[-2, 257])
    return fig


def corpus_3d_figure(view: dict, *, space: str, n_paintings: int) -> go.Figure:
    """The pooled 3D histogram's fullest bins, drawn in their centres' colours."""
    bins = view["bins"]
    if view["shown"] < view["occupied"]:
        shown = (f"the fullest {view['shown']:,} of {view['occupied']:,} bins "
                 f"({100 * view['shown_share']:.1f}% of the mass)")
    else:
        shown = f"{view['occupied']:,} occupied bins"
    title = f"{n_paintings} paintings pooled: {bins}³ {space.upper()} bins, {shown}"
    fig = colour_3d_figure(view["centres"], view["shares"], view["colours"], space=space,
                           title=title, bin_ids=view["bin_ids"])
    names = AXIS_TITLES[space]
    fig.update_traces(hovertemplate=(
        f"{names[0]}: %{{x:.3g}}<br>{names[1]}: %{{y:.3g}}<br>{names[2]}: %{{z:.3g}}"
        "<br>mean share %{customdata[1]:.3f}%<extra></extra>"))
    fig.update_layout(title={"font": {"size": BASE_FONT_SIZE}})
    return fig


# ------------------------------------------------------------------------------ periods

def level_axes_top(pmfs) -> float:
    """Top of the level axes for PMFs (..., 256): 1.15 times the highest probability of
    levels 2..253, leaving out the spikes of clipped colours at 0, 1, 254 and 255 (1 when
    all are zero)."""
    top = 1.15 * float(np.asarray(pmfs, float)[..., 2:254].max())
    return top if top > 0 else 1.0


def channel_and_lightness_axes(fig: go.Figure) -> None:
    """Axis titles and ranges of a 2 x 2 grid of the red, green and blue PMFs and the
    lightness histogram (the periods side by side, two collections compared). Only the bottom
    row names its x axis: the top row's title would hit the subplot titles below it."""
    for ci in range(3):
        fig.update_xaxes(title_text="level (0–255)" if ci == 2 else None, range=[-2, 257],
                         row=1 + ci // 2, col=1 + ci % 2)
        fig.update_yaxes(title_text="P(level)", row=1 + ci // 2, col=1 + ci % 2)
    fig.update_xaxes(title_text="L* (0 = black, 100 = white)", range=[0, 100], row=2, col=2)
    fig.update_yaxes(title_text="% of pixels", row=2, col=2)


def period_distributions_figure(view: dict) -> go.Figure:
    """Small multiples: pooled PMF of red, green, blue and the lightness distribution, one line
    per period (equal weight per painting within a period)."""
    fig = make_subplots(rows=2, cols=2, horizontal_spacing=0.08, vertical_spacing=0.14,
                        subplot_titles=("Red", "Green", "Blue", "Lightness L*"))
    edges = np.asarray(view["lightness_edges"], float)
    centres = (edges[:-1] + edges[1:]) / 2
    for pi, period in enumerate(view["periods"]):
        name = f"{view['labels'][pi]} ({view['counts'][pi]})"
        line = {"color": PERIOD_COLOURS[period], "width": 2, "dash": PERIOD_DASHES[period]}
        for ci, channel in enumerate(CHANNELS):
            fig.add_trace(go.Scatter(
                x=LEVEL_AXIS, y=np.asarray(view["pmfs"][pi][ci], float), mode="lines", name=name,
                legendgroup=period, showlegend=ci == 0, line=line,
                hovertemplate=f"{view['labels'][pi]}<br>{channel} level %{{x}}"
                              "<br>mean P %{y:.4g}<extra></extra>"),
                row=1 + ci // 2, col=1 + ci % 2)
        fig.add_trace(go.Scatter(
            x=centres, y=100 * np.asarray(view["lightness"][pi], float), mode="lines+markers",
            name=name, legendgroup=period, showlegend=False, line=line,
            marker={"size": 5, "symbol": PERIOD_SYMBOLS[period]},
            hovertemplate=f"{view['labels'][pi]}<br>L* %{{x:.1f}}"
                          "<br>%{y:.1f}% of pixels<extra></extra>"),
            row=2, col=2)
    base_layout(fig, title="The periods side by side (each painting counts equally)",
                x_title="", y_title="", height=620)
    channel_and_lightness_axes(fig)
    top = level_axes_top(view["pmfs"])
    for ci in range(3):
        fig.update_yaxes(range=[0, top], row=1 + ci // 2, col=1 + ci % 2)
    fig.update_layout(legend={"y": -0.13}, margin={"t": 80, "b": 90})
    return fig


def timeline_figure(view: dict, *, stat: str, selected: str | None = None) -> go.Figure:
    """One marker per painting (x = year, spread within the year), the yearly mean as a line.

    Markers carry ``customdata = [artwork id, title]`` so a click can open the painting.
    """
    scale = stat_scale(stat)
    years = np.asarray(view["years"], float)
    values = scale * np.asarray(view["values"], float)
    # Spread the paintings of one year over ±0.3 years so they do not hide each other.
    offsets = np.zeros_like(years)
    for year in np.unique(years):
        members = np.flatnonzero(years == year)
        if members.size > 1:
            offsets[members] = np.linspace(-0.3, 0.3, members.size)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=np.asarray(view["yearly_years"], float), y=scale * np.asarray(view["yearly_means"]),
        mode="lines+markers", name="yearly mean",
        line={"color": YEARLY_LINE_COLOUR, "width": 2.5},
        marker={"size": 9, "symbol": "line-ew-open", "line": {"width": 3}},
        customdata=np.asarray(view["yearly_counts"]),
        hovertemplate="%{x:.0f}: mean %{y:.3g} over %{customdata} paintings<extra></extra>"))
    periods = list(view["periods"])
    for period in PERIOD_COLOURS:
        rows = [i for i, p in enumerate(periods) if p == period]
        if not rows:
            continue
        label = view["labels"].get(period, period)
        fig.add_trace(go.Scatter(
            x=years[rows] + offsets[rows], y=values[rows], mode="markers", name=label,
            marker={"size": 11, "color": PERIOD_COLOURS[period], "symbol": PERIOD_SYMBOLS[period],
                    "line": {"width": 1, "color": "#ffffff"}, "opacity": 0.9},
            customdata=[[view["ids"][i], view["titles"][i], view["years"][i]] for i in rows],
            hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>%{y:.3g}"
                          "<extra>click to open</extra>"))
    if selected in view["ids"]:
        i = list(view["ids"]).index(selected)
        fig.add_trace(go.Scatter(
            x=[years[i] + offsets[i]], y=[values[i]], mode="markers", name="compared painting",
            marker={"size": 20, "color": "rgba(0,0,0,0)",
                    "line": {"width": 3, "color": "#111111"}},
            customdata=[[view["ids"][i], view["titles"][i], view["years"][i]]],
            hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>%{y:.3g}"
                          "<extra>click to open</extra>"))
    base_layout(fig, title=f"{STAT_LABELS[stat]} by year, one point per painting",
                x_title="year", y_title=STAT_LABELS[stat], height=480)
    fig.update_xaxes(dtick=1, range=[years.min() - 0.6, years.max() + 0.6] if years.size else None)
    fig.update_yaxes(rangemode="normal")
    fig.update_layout(hovermode="closest", legend={"y": -0.16})
    return fig


# ------------------------------------------------------------------ one painting vs the rest

def painting_comparison_figure(view: dict) -> go.Figure:
    """The painting's PMF per channel against the other paintings of its period and corpus."""
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=tuple(c.capitalize() for c in CHANNELS))
    series = (("painting", "this painting", view["pmf"]),
              ("period", f"other {view['period_label']} paintings ({view['n_period_others']})",
               view["pmf_period"]),
              ("corpus", f"all other paintings ({view['n_corpus_others']})",
               view["pmf_corpus"]))
    drawn = []
    for ci, channel in enumerate(CHANNELS):
        for kind, name, pmf in series:
            values = np.asarray(pmf[ci], float)
            if not np.all(np.isfinite(values)):
                continue
            colour = CHANNEL_COLOURS[channel] if kind == "painting" else (
                PERIOD_COLOURS.get(view["period"], "#555") if kind == "period"
                else CORPUS_LINE_COLOUR)
            fig.add_trace(go.Scatter(
                x=LEVEL_AXIS, y=values, mode="lines", name=name, legendgroup=kind,
                showlegend=False, line={"color": colour, **COMPARISON_STYLES[kind]},
                hovertemplate=f"{name}<br>{channel} level %{{x}}<br>P %{{y:.4g}}<extra></extra>"),
                row=1, col=ci + 1)
            drawn.append(values)
    for kind, name, pmf in series:
        if np.all(np.isfinite(np.asarray(pmf, float))):
            colour = {"painting": "#444444", "period": PERIOD_COLOURS.get(view["period"], "#555"),
                      "corpus": CORPUS_LINE_COLOUR}[kind]
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name,
                                     line={"color": colour, **COMPARISON_STYLES[kind]},
                                     hoverinfo="skip"))
    base_layout(fig, title=f"{view['title']} against the rest of Van Gogh's paintings",
                x_title="", y_title="", height=420)
    for ci in range(3):
        fig.update_xaxes(title_text="level (0–255)", range=[-2, 257], row=1, col=ci + 1)
    fig.update_yaxes(title_text="P(level)", row=1, col=1)
    top = 1.15 * max(float(v[2:254].max()) for v in drawn) if drawn else 1.0
    fig.update_yaxes(range=[0, top])
    fig.update_layout(legend={"y": -0.22}, margin={"t": 80})
    return fig
