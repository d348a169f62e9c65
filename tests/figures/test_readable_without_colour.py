"""Every figure reads without colour (a person who does not tell red from green sees which line
is which) and its colours meet WCAG AA contrast on white.

A figure reads without colour when, within each panel, no two drawn traces look the same once
their colours are taken away: they differ in dash, marker symbol or size, or fill. Contrast
ratios follow WCAG 2.x: (L1 + 0.05) / (L2 + 0.05) of relative luminances.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from dashboard.core.vocabulary import CHANNELS
from dashboard.figures import artist, diffusion, distributions, joint, noise, theme
from dashboard.figures.theme import contrast_ratio, text_colour_on

ASSETS = Path(__file__).resolve().parents[2] / "assets"


# ------------------------------------------------------------------------- contrast ratios

def test_contrast_ratio_matches_hand_computed_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #777777: 0x77 / 255 = 0.4667 -> ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845;
    # 1.05 / 0.2345 = 4.48, the classic "just below AA" grey.
    assert contrast_ratio("#777777", "#fff") == pytest.approx(4.48, abs=0.01)
    # Pure red: L = 0.2126, so 1.05 / 0.2626 = 4.0 on white.
    assert contrast_ratio("#ff0000", "#ffffff") == pytest.approx(3.998, abs=0.001)
    with pytest.raises(ValueError, match="#rgb or #rrggbb"):
        contrast_ratio("red", "#ffffff")
    with pytest.raises(ValueError, match="#rgb or #rrggbb"):
        contrast_ratio("#12345", "#ffffff")


@pytest.mark.parametrize(("rgb", "expected"), [
    ((255, 255, 255), "#000000"), ((0, 0, 0), "#ffffff"),
    ((118, 118, 118), "#000000"),   # #767676: 4.62:1 with black against 4.54:1 with white
    ((117, 117, 117), "#ffffff"),   # #757575: 4.61:1 with white against 4.56:1 with black
    ((255, 0, 0), "#000000"),       # pure red: 5.25:1 with black, 4.0:1 with white
    ((31, 95, 191), "#ffffff"),     # the blue channel colour: 6.1:1 with white
])
def test_swatch_text_takes_the_stronger_of_black_and_white(rgb, expected):
    chosen = text_colour_on(*rgb)
    background = "#{:02x}{:02x}{:02x}".format(*rgb)
    assert chosen == expected
    assert contrast_ratio(chosen, background) >= 4.5


WHITE = theme.BACKGROUND_COLOUR
#: Colours used for text on white (figure text, and channel names in the summaries): 4.5:1.
TEXT_COLOURS = {
    "text": theme.TEXT_COLOUR, "muted text": theme.MUTED_TEXT_COLOUR,
    **{f"{channel} (channel names in summaries)": theme.CHANNEL_COLOURS[channel]
       for channel in CHANNELS},
}
#: Colours of lines, markers and axes: graphical objects need 3:1 (WCAG 1.4.11).
GRAPHIC_COLOURS = {
    "axis line": theme.AXIS_LINE_COLOUR, "theory": theme.THEORY_COLOUR,
    "sample": theme.SAMPLE_COLOUR,
    **{f"{c} original": theme.CHANNEL_LIGHT[c] for c in CHANNELS},
    **{f"period {p}": colour for p, colour in artist.PERIOD_COLOURS.items()},
    **{f"schedule {s}": colour for s, colour in diffusion.SCHEDULE_COLOURS.items()},
    "step marker": diffusion.STEP_COLOUR, "yearly mean": artist.YEARLY_LINE_COLOUR,
}


@pytest.mark.parametrize("name", sorted(TEXT_COLOURS))
def test_text_colours_meet_aa_on_white(name):
    assert contrast_ratio(TEXT_COLOURS[name], WHITE) >= 4.5, name


@pytest.mark.parametrize("name", sorted(GRAPHIC_COLOURS))
def test_line_colours_stand_out_from_white(name):
    assert contrast_ratio(GRAPHIC_COLOURS[name], WHITE) >= 3.0, name


def css_variables(path: Path) -> dict[str, str]:
    """``--name: #hex`` custom properties declared in a stylesheet."""
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", path.read_text()))


def test_stylesheet_colours_meet_aa():
    css = css_variables(ASSETS / "10-dashboard.css")
    page, card = css["--dash-page-bg"], "#ffffff"
    for background in (page, card):
        assert contrast_ratio(css["--dash-text"], background) >= 4.5
        assert contrast_ratio(css["--dash-muted"], background) >= 4.5
        assert contrast_ratio(css["--dash-accent"], background) >= 4.5  # links and buttons
        assert contrast_ratio(css["--bs-link-color"], background) >= 4.5
        # The focus ring is a UI component's state: 3:1 against what surrounds it.
        assert contrast_ratio(css["--dash-focus"], background) >= 3.0
    for background in (css["--dash-info-bg"], css["--dash-warning-bg"], card):
        assert contrast_ratio(css["--bs-code-color"], background) >= 4.5
    # In the dark navigation bar the ring is light.
    assert contrast_ratio(css["--dash-focus-on-dark"], css["--dash-navbar-bg"]) >= 3.0


def test_button_colours_meet_aa():
    text = (ASSETS / "10-dashboard.css").read_text()
    page = css_variables(ASSETS / "10-dashboard.css")["--dash-page-bg"]
    # Outline and link buttons: their text colour on the page and on white cards.
    colours = re.findall(r"--bs-btn-(?:hover-)?color:\s*(#[0-9a-fA-F]{6})", text)
    # Filled buttons: white text on their background, at rest, hovered and pressed.
    fills = re.findall(r"--bs-btn-(?:hover-|active-)?bg:\s*(#[0-9a-fA-F]{6})", text)
    assert len(colours) >= 4 and len(fills) >= 6
    for colour in colours:
        assert min(contrast_ratio(colour, page), contrast_ratio(colour, "#ffffff")) >= 4.5
    for fill in fills:
        assert contrast_ratio("#ffffff", fill) >= 4.5


# ------------------------------------------------------------------- readable without colour

def _mode(trace) -> str:
    return trace.mode or "lines+markers"


def look_without_colour(trace) -> tuple:
    """What tells a trace apart once colours are removed: dash, marker symbol and size, fill."""
    mode = _mode(trace)
    dash = (trace.line.dash or "solid") if "lines" in mode else None
    if "markers" in mode:
        symbol = trace.marker.symbol
        symbol = tuple(symbol) if isinstance(symbol, (list, tuple)) else (symbol or "circle")
        marker = (symbol, trace.marker.size)
    else:
        marker = None
    return dash, marker, trace.fill or "none"


def drawn(trace) -> bool:
    """A trace that draws something (not a legend-only entry, not a band's invisible edge)."""
    if trace.visible is False or trace.line.width == 0:
        return False
    x = trace.x
    return x is not None and not (len(x) == 1 and x[0] is None)


def panels(fig) -> dict[tuple, list]:
    groups: dict[tuple, list] = {}
    for trace in fig.data:
        if drawn(trace):
            groups.setdefault((trace.xaxis or "x", trace.yaxis or "y"), []).append(trace)
    return groups


def _pmfs(rng, n=3):
    return rng.dirichlet(np.ones(256), size=n)


def _figures() -> dict:
    rng = np.random.default_rng(3)
    pmf = [_pmfs(rng) for _ in range(3)]
    steps = 50
    curves = {name: np.linspace(1, 0, steps + 1) ** (i + 1)
              for i, name in enumerate(diffusion.SCHEDULE_DASHES)}
    betas = {name: np.full(steps, 0.01 * (i + 1)) for i, name in enumerate(curves)}
    periods = ["dutch", "paris", "arles", "saint-remy", "auvers"]
    period_view = {
        "periods": periods, "labels": ["Dutch", "Paris", "Arles", "Saint-Rémy", "Auvers"],
        "counts": [1] * 5, "pmfs": [_pmfs(rng) for _ in periods],
        "lightness_edges": np.linspace(0, 100, 17),
        "lightness": [rng.dirichlet(np.ones(16)) for _ in periods]}
    timeline_view = {
        "years": [1884, 1886, 1888, 1889, 1890], "values": [0.2, 0.3, 0.5, 0.4, 0.35],
        "yearly_years": [1884, 1886, 1888, 1889, 1890],
        "yearly_means": [0.2, 0.3, 0.5, 0.4, 0.35], "yearly_counts": [1] * 5,
        "periods": periods, "labels": dict(zip(periods, period_view["labels"], strict=True)),
        "ids": [f"p{i}" for i in range(5)], "titles": [f"Painting {i}" for i in range(5)]}
    comparison_view = {"title": "A painting", "period": "arles", "period_label": "Arles",
                       "n_period_others": 4, "n_corpus_others": 9, "pmf": _pmfs(rng),
                       "pmf_period": _pmfs(rng), "pmf_corpus": _pmfs(rng)}
    grid = np.linspace(-0.5, 0.5, 101)
    offsets = np.arange(-20, 21)
    levels = np.arange(256)
    return {
        "pmf": distributions.pmf_figure(*pmf),
        "cdf": distributions.cdf_figure(*(np.cumsum(p, axis=1) for p in pmf)),
        "noise": noise.noise_figure(grid, np.exp(-grid ** 2), np.linspace(0, 1, 101),
                                    np.linspace(0, 1, 101), np.linspace(-0.5, 0.5, 21),
                                    np.ones(20), mean=0.0, variance=0.01),
        "effective noise": noise.effective_noise_figure(
            offsets, rng.dirichlet(np.ones(41), size=3), rng.dirichlet(np.ones(41), size=3)),
        "conditional": joint.conditional_figure(levels, pmf[0][0], pmf[0][1],
                                                given_channel="red", other_channel="green",
                                                given_range=(10, 20)),
        "pooled pmf": artist.pooled_pmf_figure(pmf[0], np.stack([pmf[1], pmf[2]]),
                                               n_paintings=3),
        "pooled cdf": artist.pooled_cdf_figure(np.cumsum(pmf[0], axis=1), n_paintings=3),
        "periods": artist.period_distributions_figure(period_view),
        "timeline": artist.timeline_figure(timeline_view, stat="mean_lightness",
                                           selected="p2"),
        "comparison": artist.painting_comparison_figure(comparison_view),
        "schedules": diffusion.schedule_figure(curves, curves, betas, selected="cosine", t=10),
        "information": diffusion.information_figure(
            np.ones((3, steps + 1)), np.ones((3, steps + 1)), np.ones((3, steps + 1)), t=10,
            mse_sample=np.ones(3), mse_colour_prior=0.5),
        "marginal": diffusion.marginal_figure(grid, np.ones((3, 101)), np.linspace(-0.5, 0.5, 11),
                                              np.ones((3, 10)), np.ones(101), t=10,
                                              alpha_bar_t=0.5),
        "correlation": diffusion.correlation_figure(np.zeros((3, steps + 1)), np.zeros(3), t=10),
    }


FIGURES = _figures()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_no_two_traces_of_a_panel_look_alike_without_colour(name):
    for panel, traces in panels(FIGURES[name]).items():
        for first, second in combinations(traces, 2):
            assert look_without_colour(first) != look_without_colour(second), (
                name, panel, first.name, second.name, look_without_colour(first))


CHANNEL_FIGURES = ("pmf", "cdf", "effective noise", "pooled pmf", "pooled cdf", "information")


@pytest.mark.parametrize("name", CHANNEL_FIGURES)
def test_channel_lines_carry_their_channels_symbol_a_few_times(name):
    seen = set()
    for trace in FIGURES[name].data:
        channel = (trace.name or "").split(" ")[0]
        if channel not in CHANNELS or not drawn(trace):
            continue
        assert "markers" in _mode(trace), (name, trace.name)
        assert trace.marker.symbol == theme.CHANNEL_SYMBOLS[channel]
        # A handful of markers per line, not one per level: the payload and redraw stay small.
        assert trace.marker.maxdisplayed == theme.MARKERS_PER_LINE
        seen.add(channel)
    assert seen == set(CHANNELS)


def test_channel_symbols_and_dashes_are_distinct():
    assert len(set(theme.CHANNEL_SYMBOLS.values())) == len(CHANNELS)
    assert len(set(theme.CHANNEL_DASHES.values())) == len(CHANNELS)
    assert len(set(artist.PERIOD_DASHES.values())) == len(artist.PERIOD_DASHES)
    assert len(set(artist.PERIOD_SYMBOLS.values())) == len(artist.PERIOD_SYMBOLS)


def test_distribution_figures_name_channels_in_the_legend_and_key_the_styles():
    fig = FIGURES["pmf"]
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == list(CHANNELS)
    subtitle = fig.layout.title.subtitle.text
    assert "dotted: original" in subtitle and "dashed" in subtitle
    for channel in CHANNELS:  # "● red", "▲ green", "■ blue"
        assert re.search(rf"\S {channel}\b", subtitle)


def test_measured_errors_show_each_channel_by_its_symbol():
    measured = next(t for t in FIGURES["information"].data
                    if t.name == "MSE measured on this image")
    assert list(measured.marker.symbol) == [f"{theme.CHANNEL_SYMBOLS[c]}-open"
                                            for c in CHANNELS]
