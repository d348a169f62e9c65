"""Layout of the artist page: how Van Gogh used colour, over the corpus, by period and year,
one painting against the rest, and paintings found by colour.

``artist_layout`` builds the page from a parsed share link (``dashboard.artist.page``); the
pieces that callbacks fill in (cards, palettes, tables, summaries) are small functions here.
"""

from __future__ import annotations

import math
from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.artist import ids
from dashboard.artist.routes import thumbnail_url
from dashboard.core.vocabulary import CHANNELS
from dashboard.data.corpus import CORPUS_HELP, PERIOD_LABELS
from dashboard.data.corpus_index import STAT_NAMES
from dashboard.figures.artist import STAT_LABELS, stat_value_text
from dashboard.figures.collections import (
    COMPARISON_HEIGHT,
    YEARS_HEIGHT,
    data_uri,
    palette_description,
    palette_picture,
)
from dashboard.ui.components import (
    caption,
    labelled,
    loading_graph,
    message,
    palette_swatches,
    rich_text,
)
from dashboard.ui.story_control import story_control

SPACE_LABELS = {"rgb": "RGB", "hsv": "HSV", "lab": "CIE Lab", "oklab": "Oklab"}
#: How find by colour names its ΔE, and its format, per distance space.
DELTA_E = {"oklab": ("ΔE_ok", ".3f"), "lab": ("ΔE76", ".1f")}

CAPTIONS = {
    ids.CORPUS_PMF_GRAPH: "How often each intensity occurs, per channel, averaged over the "
                          "paintings. The shaded band holds the middle half of the paintings "
                          "at each level: where it is wide, paintings disagree.",
    ids.CORPUS_CDF_GRAPH: "The share of pixels at or below each level, averaged over the "
                          "paintings. A curve that rises early means a dark palette; blue "
                          "rising before red and green means blue is the darker channel.",
    ids.CORPUS_3D_GRAPH: "The pooled colour distribution: each ball is a small cube of colours, "
                         "its size the average share of a painting's pixels in it. Balls are "
                         "drawn in the colour of their cube's centre (the index keeps shares "
                         "per cube, not the exact mean colour of its pixels).",
    ids.CORPUS_PALETTE: "The most likely colours: the fullest cubes of the pooled RGB histogram "
                        "(16 levels wide), each merged with its free neighbours as the "
                        "per-painting palettes are. A swatch is the share-weighted mean of the "
                        "merged cubes' centres, so it can differ from the true mean colour by "
                        "a few levels; shares are of the pooled distribution.",
    ids.PERIODS_GRAPH: "One line per period, the mean of its paintings' distributions. Watch "
                       "the mass leave the dark levels after the Dutch years, and the "
                       "lightness curve move to the right.",
    ids.PERIOD_PALETTES: "Each period's most likely colours, found as for the whole corpus "
                         "from the period's pooled RGB histogram.",
    ids.TIMELINE_GRAPH: "Each point is a painting (hover for its title, click to open it in "
                        "the explorer); the dark line joins the yearly means. Paintings of one "
                        "year are spread sideways so they do not hide each other.",
    ids.PAINTING_GRAPH: "The painting's own PMF per channel (solid) against the mean of the "
                        "other paintings of its period (dashed) and of all other paintings "
                        "(dotted), each painting weighted equally.",
    ids.TYPICAL_LISTS: "Typicality: the Jensen-Shannon divergence between a painting's 3D "
                       "colour histogram (in the colour space chosen above) and the mean "
                       "histogram of the other paintings of its period. 0 bits = the same "
                       "distribution, 1 bit = no colour in common.",
    ids.SEARCH_RESULTS: "Distance: for each picked colour, the smallest over the painting's "
                        "palette colours of ΔE plus a penalty × (1 − the share of the painting "
                        "that palette colour covers), averaged over the picked colours; lower "
                        "is closer. ΔE is the straight-line distance in Oklab (ΔE_ok, about "
                        "0.02 just noticeable, penalty 0.2), or in CIE Lab when CIE Lab is "
                        "chosen above (the CIE 1976 ΔE76, about 100 times ΔE_ok, about 2.3 "
                        "just noticeable, penalty 20).",
}

STAT_HELP = {
    "mean_lightness": "Average CIE L* of the pixels: 0 is black, 100 white.",
    "mean_saturation": "Average HSV saturation: 0 is grey, 1 fully saturated.",
    "yellow_share": "Share of pixels with a yellow hue (40°–70°) and HSV saturation and value "
                    "of at least 0.2: ochres and browns count as well as chrome yellow.",
    "blue_share": "Share of pixels with a blue hue (190°–260°) and HSV saturation and value of "
                  "at least 0.2.",
    "entropy_bits": "Shannon entropy of the 16³-bin RGB histogram: how many distinct colours "
                    "the painting uses, in bits (at most 12).",
}


def explorer_href(artwork_id: str) -> str:
    """The explorer's link for one artwork."""
    return f"/?artwork={quote(artwork_id)}"


def _caption(key: str) -> html.P:
    return caption(CAPTIONS[key])


# --------------------------------------------------------------------------- pieces

#: Said where a painting's picture would be when only its statistics are here.
NO_IMAGE_TEXT = "add the images to see the painting"
#: Said where a link to the explorer would be when only the statistics are here.
NO_EXPLORER_TEXT = "the explorer needs the image"
SNAPSHOT_NOTE = ("The images are not installed, so the page shows the colour statistics "
                 "shipped with the code: every distribution, palette and distance is the same "
                 "as with the images, but the paintings are drawn as their palettes and the "
                 "explorer, which needs the pixels, cannot open them. ")


def swatch_thumbnail(entry: dict) -> html.Div:
    """The painting's palette as a strip of colours, in place of its picture."""
    swatches = entry.get("swatches") or []
    total = sum(share for _, share in swatches) or 1.0
    strip = html.Div([html.Span(className="artist-swatch-band",
                                style={"backgroundColor": colour,
                                       "flex": f"{share / total:.4f} 1 0", "minWidth": "2px"})
                      for colour, share in swatches],
                     style={"display": "flex", "height": "64px", "borderRadius": "4px",
                            "overflow": "hidden"})
    return html.Div([strip, html.Small(NO_IMAGE_TEXT, className="text-muted")],
                    className="artist-swatch-thumb", title=f"{entry['title']}: palette")


def painting_card(entry: dict, details: list, *, selected: bool = False) -> html.Div:
    """A painting as a card: thumbnail and title open it in the explorer; a button compares it.

    Without the image (``entry["image"]`` False) the thumbnail is the painting's palette and
    the card says the explorer needs the image."""
    href = explorer_href(entry["id"])
    year = f" ({entry['year']})" if entry.get("year") else ""
    if entry.get("image", True):
        picture = dcc.Link(html.Img(src=thumbnail_url(entry["id"]), alt=entry["title"],
                                    className="thumb"),
                           href=href, title="Open in the explorer", className="artist-thumb-link")
        title = dcc.Link(entry["title"], href=href, className="artist-card-title")
    else:
        picture = swatch_thumbnail(entry)
        title = html.Span([entry["title"], html.Small(f" ({NO_EXPLORER_TEXT})",
                                                      className="text-muted")],
                          className="artist-card-title", title=NO_EXPLORER_TEXT)
    return html.Div([
        picture,
        html.Div([title, year], className="artist-card-heading"),
        html.Div(details, className="artist-card-details"),
        html.Button("Compare with the artist", n_clicks=0, className="artist-compare",
                    title="Show this painting against its period and the whole corpus",
                    id={"type": ids.COMPARE_BUTTON, "index": entry["id"]}),
    ], className="artist-card" + (" artist-card-selected" if selected else ""),
        **{"data-artwork": entry["id"]})


def corpus_summary(view: dict) -> html.P:
    """How many paintings, which years, how many per period."""
    counts = ", ".join(f"{PERIOD_LABELS[p]} {n}" for p, n in view["counts"].items() if n)
    years = f" from {view['years'][0]} to {view['years'][1]}" if view["years"] else ""
    return html.P([
        html.Strong(f"{view['n']} paintings"), f"{years} ({counts}). ",
        "Each painting counts equally: a pooled distribution is the mean of the paintings' own "
        "distributions, not one histogram of all their pixels, so a large canvas weighs no "
        "more than a small one.",
    ], className="mb-0")


def palette_rows(rows: list[tuple[str, object, object]]) -> html.Div:
    """Rows of swatches: ``(label, colours (k, 3) uint8, shares (k,))``."""
    return html.Div([palette_swatches(label, colours, shares) for label, colours, shares in rows],
                    className="palette artist-palettes")


def period_table(view: dict) -> dbc.Table:
    """Mean colour statistics per period (equal weight per painting)."""
    names = list(view["stat_names"])
    header = html.Thead(html.Tr([html.Th("Period"), html.Th("Paintings")]
                                + [html.Th(STAT_LABELS[n]) for n in names]))
    body = []
    for pi, label in enumerate(view["labels"]):
        cells = [html.Td([html.Strong(label), html.Br(),
                          html.Small(view["years"][pi], className="text-muted")]),
                 html.Td(str(view["counts"][pi]))]
        cells += [html.Td(stat_value_text(n, float(view["stat_means"][pi][si])))
                  for si, n in enumerate(names)]
        body.append(html.Tr(cells))
    return dbc.Table([header, html.Tbody(body)], bordered=False, hover=True, size="sm",
                     responsive=True, className="artist-table mb-1")


def _bits(value: float) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3f} bits"


def _emd(values) -> str:
    if values is None or not all(math.isfinite(v) for v in values):
        return "n/a"
    return ", ".join(f"{c} {v:.1f}" for c, v in zip(CHANNELS, values, strict=True))


def painting_summary(view: dict, space: str, rank: tuple[int, int] | None) -> html.Div:
    """Distances of one painting from its period and the corpus, in words."""
    period_others = view["n_period_others"]
    if period_others:
        period_text = [f"From the other {period_others} {view['period_label']} paintings: ",
                       html.Strong(_bits(view["js_period"])), "."]
    else:
        period_text = [f"It is the only {view['period_label']} painting here, so there is no "
                       "period to compare it with."]
    rank_text = ""
    if rank is not None:
        position, total = rank
        rank_text = (f" It is number {position} of {total} in its period from most to least "
                     "typical.")
    return html.Div([
        html.P([html.Strong(view["title"]), f" ({view['year']}, {view['period_label']}). ",
                f"Jensen-Shannon divergence of its {SPACE_LABELS[space]} colour histogram "
                "(0 = same colours in the same shares, 1 = nothing in common). ",
                *period_text, " From all other paintings: ",
                html.Strong(_bits(view["js_corpus"])), ".", rank_text], className="mb-1"),
        html.P([f"Earth mover's distance per channel, in levels (how far the average pixel "
                f"would have to move): from its period {_emd(view['emd_period'])}; "
                f"from the corpus {_emd(view['emd_corpus'])}. ",
                *([dcc.Link("Open it in the explorer", href=explorer_href(view["id"])), "."]
                  if view.get("image", True) else [f"({NO_EXPLORER_TEXT.capitalize()}: "
                                                   f"{NO_IMAGE_TEXT} to open it there.)"])],
               className="mb-0"),
    ])


def typical_lists(view: dict, selected: str | None) -> html.Div:
    """Per period: the most and least typical paintings, as cards with their distances."""
    rows = []
    for period in view["periods"]:
        def cards(entries: list[dict]) -> html.Div:
            return html.Div([painting_card(e, [f"JS {e['distance']:.3f} bits"],
                                           selected=e["id"] == selected) for e in entries],
                            className="artist-cards")

        rows.append(html.Div([
            html.H6(f"{period['label']} ({period['count']} paintings)", className="mb-2"),
            dbc.Row([
                dbc.Col([html.Div("Most typical", className="artist-list-label"),
                         cards(period["most"])], lg=6),
                dbc.Col([html.Div("Least typical", className="artist-list-label"),
                         cards(period["least"]) if period["least"]
                         else message("Too few paintings.")], lg=6),
            ]),
        ], className="artist-period-block", **{"data-period": period["period"]}))
    if not rows:
        return html.Div(message("No period has two paintings or more to compare."))
    return html.Div(rows)


def search_results(results: list[dict], n_colours: int) -> html.Div:
    """Cards of the paintings closest to the picked colours, with how each colour matched."""
    if n_colours == 0:
        return html.Div(message("Switch on at least one colour to search."))
    if not results:
        return html.Div(message("No painting has a palette to compare."))
    cards = []
    for rank, result in enumerate(results, start=1):
        name, fmt = DELTA_E[result.get("space", "lab")]
        matches = [html.Div([
            html.Span(className="match-swatch", style={"backgroundColor": m["target"]}),
            html.Span("→", className="mx-1"),
            html.Span(className="match-swatch", style={"backgroundColor": m["match"]}),
            html.Small(f" {name} {m['delta_e']:{fmt}} · {100 * m['share']:.0f}%"),
        ], className="match-row",
            title=f"picked {m['target']} → palette colour {m['match']}: {name} "
                  f"{m['delta_e']:{fmt}}, {100 * m['share']:.1f}% of the painting's pixels")
            for m in result["matches"]]
        details = [html.Div(f"#{rank} · distance {result['distance']:{fmt}}",
                            className="artist-distance"), *matches]
        cards.append(painting_card(result, details))
    return html.Div(cards, className="artist-cards")


# ----------------------------------------------------------------------------- tabs

def corpus_tab() -> dbc.Tab:
    return dbc.Tab(label="The whole corpus", tab_id="corpus", children=[
        html.Div(id=ids.CORPUS_SUMMARY, className="summary mt-3"),
        dbc.Row([
            dbc.Col([loading_graph(ids.CORPUS_PMF_GRAPH, 400),
                     _caption(ids.CORPUS_PMF_GRAPH)], xl=6),
            dbc.Col([loading_graph(ids.CORPUS_CDF_GRAPH, 400),
                     _caption(ids.CORPUS_CDF_GRAPH)], xl=6),
        ]),
        dbc.Row([
            dbc.Col([loading_graph(ids.CORPUS_3D_GRAPH, 520), _caption(ids.CORPUS_3D_GRAPH)], xl=7),
            dbc.Col([html.H5("Van Gogh's most likely colours", className="mt-2"),
                     dcc.Loading(html.Div(id=ids.CORPUS_PALETTE), delay_show=300),
                     _caption(ids.CORPUS_PALETTE)], xl=5),
        ]),
    ])


def periods_tab() -> dbc.Tab:
    return dbc.Tab(label="Periods", tab_id="periods", children=[
        dbc.Row([
            dbc.Col([loading_graph(ids.PERIODS_GRAPH, 620), _caption(ids.PERIODS_GRAPH)], xl=7,
                    className="mt-3"),
            dbc.Col([html.H5("Palettes by period", className="mt-3"),
                     dcc.Loading(html.Div(id=ids.PERIOD_PALETTES), delay_show=300),
                     _caption(ids.PERIOD_PALETTES)], xl=5),
        ]),
        html.H5("Colour statistics by period (mean over its paintings)", className="mt-2"),
        dcc.Loading(html.Div(id=ids.PERIOD_TABLE), delay_show=300),
    ])


def timeline_tab(state) -> dbc.Tab:
    return dbc.Tab(label="Timeline", tab_id="timeline", children=[
        dbc.Row([
            dbc.Col(labelled("Statistic", dbc.Select(
                id=ids.TIMELINE_STAT, value=state.stat,
                options=[{"label": label, "value": name} for name, label in STAT_LABELS.items()],
            ), html.Span(id=ids.TIMELINE_HELP, children=STAT_HELP[state.stat]),
                label_for=ids.TIMELINE_STAT), md=6, lg=4),
        ], className="mt-3"),
        loading_graph(ids.TIMELINE_GRAPH, 480), _caption(ids.TIMELINE_GRAPH),
    ])


def painting_tab(state, options: list[dict]) -> dbc.Tab:
    return dbc.Tab(label="One painting against the artist", tab_id="painting", children=[
        dbc.Row([
            dbc.Col(labelled("Painting", dcc.Dropdown(
                id=ids.ARTWORK_SELECT, options=options, value=state.artwork, clearable=False,
                searchable=True, placeholder="Search by title, year or period",
            ), label_for=ids.ARTWORK_SELECT), md=8, lg=6),
        ], className="mt-3"),
        dcc.Loading(html.Div(id=ids.PAINTING_SUMMARY, className="summary"), delay_show=300),
        loading_graph(ids.PAINTING_GRAPH, 420), _caption(ids.PAINTING_GRAPH),
        dcc.Loading(html.Div(id=ids.PAINTING_PALETTES), delay_show=300),
        html.H5("The most and least typical paintings of each period", className="mt-4"),
        _caption(ids.TYPICAL_LISTS),
        dcc.Loading(html.Div(id=ids.TYPICAL_LISTS), delay_show=300),
    ])


def colour_pickers(colours: tuple[str, ...], picker_defaults: tuple[str, ...]) -> html.Div:
    """Three colour inputs, each with a switch saying whether it is searched for."""
    slots = []
    for i, (picker_id, switch_id) in enumerate(zip(ids.COLOUR_PICKERS, ids.COLOUR_SWITCHES,
                                                   strict=True)):
        used = i < len(colours)
        value = colours[i] if used else picker_defaults[i]
        slots.append(html.Div([
            dbc.Label(f"Colour {i + 1}", html_for=picker_id, className="visually-hidden"),
            dbc.Input(id=picker_id, type="color", value=value, debounce=100,
                      className="artist-colour-input"),
            dbc.Switch(id=switch_id, value=used, label=f"colour {i + 1}",
                       className="ms-2 mb-0"),
        ], className="artist-colour-slot"))
    return html.Div(slots, className="artist-colour-pickers")


def search_tab(state, picker_defaults: tuple[str, ...]) -> dbc.Tab:
    return dbc.Tab(label="Find by colour", tab_id="search", children=[
        html.Div([
            dbc.Label("Pick up to three colours", className="control-label"),
            colour_pickers(state.colours, picker_defaults),
        ], className="mt-3 mb-2"),
        _caption(ids.SEARCH_RESULTS),
        dcc.Loading(html.Div(id=ids.SEARCH_RESULTS), delay_show=300),
    ])


COMPARE_HELP = ("Register your own folder of images with `python -m dashboard data collection "
                "add NAME DIR --metadata CSV` (title, year, artist, group); its groups play the "
                "role that periods play for Van Gogh.")


def compare_summary(view: dict) -> html.Div:
    """The two collections' sizes and groups, and how far apart their colours are."""
    sides = []
    for label, count, unit, groups in zip(view["labels"], view["counts"], view["units"],
                                          view["groups"], strict=True):
        shown = ", ".join(f"{g} {n}" for g, n in groups[:12])
        more = f" and {len(groups) - 12} more groups" if len(groups) > 12 else ""
        sides.append(html.Li([html.Strong(label), f": {count} {unit} ({shown}{more})"]))
    return html.Div([
        html.Ul(sides, className="mb-1"),
        html.P(["Jensen-Shannon divergence of the pooled ",
                f"{SPACE_LABELS[view['space']]} colour histograms: ",
                html.Strong(_bits(view["js"])),
                " (0 = the same colours in the same shares, 1 = nothing in common). Earth "
                f"mover's distance per channel, in levels: {_emd(view['emd'])}. Each image "
                "counts equally in its collection."], className="mb-0"),
    ])


PALETTE_PICTURE_STYLE = {"display": "block", "maxWidth": "100%", "height": "auto",
                         "marginBottom": "14px"}


def compare_palettes(sides: list[list[tuple[str, object, object]]]) -> html.Div:
    """Each collection's palette rows (whole, then its groups) as one picture, described in
    words for screen readers."""
    return html.Div([html.Img(src=data_uri(palette_picture(rows)), alt=palette_description(rows),
                              style=PALETTE_PICTURE_STYLE) for rows in sides if rows],
                    className="artist-palettes")


YEARS_CAPTION = ("Each collection's dated images year by year: the mean of the chosen "
                 "statistic over that year's images (each image counts equally) and, below, "
                 "how many images the year has; undated images are left out.")


def compare_tab(state, options: list[dict]) -> dbc.Tab:
    values = [o["value"] for o in options]
    right = state.right or next((v for v in values if v != state.left), state.left)
    return dbc.Tab(label="Collections", tab_id="compare", children=[
        dbc.Row([
            dbc.Col(labelled("Collection", dcc.Dropdown(
                id=ids.COMPARE_LEFT, options=options, value=state.left, clearable=False),
                label_for=ids.COMPARE_LEFT), md=5, lg=4),
            dbc.Col(labelled("against", dcc.Dropdown(
                id=ids.COMPARE_RIGHT, options=options, value=right, clearable=False),
                label_for=ids.COMPARE_RIGHT), md=5, lg=4),
        ], className="mt-3"),
        caption(rich_text(COMPARE_HELP)),
        dcc.Loading(html.Div(id=ids.COMPARE_SUMMARY, className="summary"), delay_show=300),
        dcc.Store(id=ids.COMPARE_DRAWN),
        loading_graph(ids.COMPARE_GRAPH, COMPARISON_HEIGHT),
        html.H5("Palettes: each collection and its groups", className="mt-2"),
        dcc.Loading(html.Div(id=ids.COMPARE_PALETTES), delay_show=300),
        html.H5("Year by year", className="mt-3"),
        dbc.Row(dbc.Col(labelled("Statistic", dbc.Select(
            id=ids.COMPARE_YEAR_STAT, value=state.stat,
            options=[{"label": STAT_LABELS[n], "value": n} for n in STAT_NAMES])),
            md=5, lg=4)),
        caption(YEARS_CAPTION),
        loading_graph(ids.COMPARE_YEARS_GRAPH, YEARS_HEIGHT),
    ])


def header(n_paintings: int, state) -> html.Div:
    return html.Div([
        html.H1("How Van Gogh used colour", className="h2 mb-1"),
        html.P(f"The colour distributions of {n_paintings} paintings, over the whole corpus, "
               "by period and by year; one painting against the rest; paintings found by "
               "colour. Every painting counts equally.", className="lead-text"),
        dbc.Row([
            dbc.Col(labelled("Colour space (3D view and distances)", dbc.RadioItems(
                id=ids.SPACE, inline=True, value=state.space,
                options=[{"label": SPACE_LABELS[s], "value": s} for s in SPACE_LABELS])),
                md="auto"),
            dbc.Col(html.Div([
                dcc.Clipboard(id=ids.SHARE_CLIPBOARD, title="Copy a link to this exact view",
                              className="share-clipboard"),
                html.Span("Copy link to this view", className="ms-2"),
            ], className="d-flex align-items-center"), md="auto", className="ms-md-4"),
            dbc.Col(story_control(), md="auto", className="ms-md-4 mt-3"),
        ], className="align-items-center"),
    ], className="artist-header")


def artist_layout(state, options: list[dict], notices: list[str], *, n_paintings: int,
                  picker_defaults: tuple[str, ...], images: bool = True,
                  collections: list[dict] | None = None) -> html.Div:
    """The whole artist page for ``state`` (an ``ArtistState``); ``images`` False: drawn
    from the shipped statistics, with a note saying so."""
    banners = [dbc.Alert(n, color="warning", dismissable=True, className="py-2") for n in notices]
    if not images:
        banners.append(dbc.Alert([SNAPSHOT_NOTE, *rich_text(CORPUS_HELP.split(". ", 1)[1])],
                                 color="info", className="py-2", id=ids.SNAPSHOT_NOTE))
    return html.Div([
        html.Div(banners, id=ids.NOTICES),
        dcc.Store(id=ids.URL_QUERY_STORE),
        dcc.Store(id=ids.URL_SYNC_SINK),
        dcc.Store(id=ids.NAVIGATION_SINK),
        dcc.Store(id=ids.IMAGES_STORE, data=images),
        *(dcc.Store(id=store_id) for store_id in ids.DRAWN_STORES.values()),
        header(n_paintings, state),
        dbc.Tabs([corpus_tab(), periods_tab(), timeline_tab(state),
                  painting_tab(state, options), search_tab(state, picker_defaults),
                  compare_tab(state, collections or [])],
                 id=ids.TABS, active_tab=state.view, className="mt-2"),
    ], className="artist-page")


def no_corpus_layout() -> html.Div:
    """What the page says when no painting is present: how to add the corpus."""
    return html.Div([
        html.H1("How Van Gogh used colour", className="h2 mb-3"),
        dbc.Alert([html.H5("The Van Gogh corpus is not installed", className="alert-heading"),
                   html.P(rich_text(CORPUS_HELP), className="mb-0")],
                  color="info", id=ids.NOTICES),
        html.P(["The explorer works on the scikit-image samples meanwhile: ",
                dcc.Link("open the explorer", href="/"), "."]),
    ], className="artist-page")
