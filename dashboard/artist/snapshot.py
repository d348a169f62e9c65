"""One artist view for a story slide or the offline report (:mod:`dashboard.ui.snapshot`)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
from dash import Output

from dashboard.artist import ids
from dashboard.artist.callbacks import (
    SECTION_OUTPUTS,
    collections_outputs,
    view_outputs,
    years_outputs,
)
from dashboard.artist.page import default_artwork, painting_ids
from dashboard.artist.state import parse_artist_query
from dashboard.data.corpus import CORPUS_HELP
from dashboard.server import context
from dashboard.ui.snapshot import ViewSnapshot, drawn_outputs

#: The tabs' names, as the page's tab bar writes them.
VIEW_LABELS = {"corpus": "The whole corpus", "periods": "Periods", "timeline": "Timeline",
               "painting": "One painting against the artist", "search": "Find by colour",
               "compare": "Collections"}


def snapshot(query: Mapping[str, str]) -> ViewSnapshot:
    """What ``/artist?<query>`` shows: the visible tab's figures and texts."""
    corpus = context.corpus()
    if not painting_ids(corpus):
        return ViewSnapshot(path="/artist", query="", title="Van Gogh's colours",
                            caption=CORPUS_HELP, notices=(CORPUS_HELP,))
    available = set(painting_ids(corpus))
    state, notices = parse_artist_query(query, is_painting=available.__contains__,
                                        default_artwork=default_artwork(corpus))
    if state.view == "compare":
        figures, texts = _collections_drawn(state)
    else:
        specs = [spec for section, outputs in SECTION_OUTPUTS.items()
                 for spec in (*outputs, Output(ids.DRAWN_STORES[section], "data"))]
        figures, texts = drawn_outputs(specs, view_outputs(state, {}))
    label = VIEW_LABELS[state.view]
    painting = next((a.title for a in corpus.artworks() if a.id == state.artwork), state.artwork)
    caption = f"Van Gogh's colours, {label.lower()} ({state.space.upper()})"
    if state.view == "painting":
        caption += f": {painting}"
    title = f"Van Gogh: {label}"
    if state.view == "compare" and len(figures) == 2:
        pair = figures[0][0].removesuffix(" (each image counts equally)")
        title = f"Collections: {pair}"
        caption = (f"Collections compared, {pair}: pooled colour distributions and year by "
                   f"year, each image counting equally ({state.space.upper()})")
    return ViewSnapshot(path="/artist", query=state.to_query(), title=title,
                        caption=caption + ".", figures=tuple(figures), texts=tuple(texts),
                        notices=tuple(notices))


def _collections_drawn(state) -> tuple[list, list[str]]:
    """The Collections view's figures (the comparison, then year by year for the link's
    statistic) and its summary in words."""
    figure, summary, palettes, drawn = collections_outputs(state)
    specs = [Output(ids.COMPARE_GRAPH, "figure"), Output(ids.COMPARE_SUMMARY, "children"),
             Output(ids.COMPARE_YEARS_GRAPH, "figure")]
    years = years_outputs(drawn, state.stat) if drawn else None
    # The view's figures are plain dicts (fast to send); slides take figure objects.
    values = [go.Figure(f) if isinstance(f, dict) else f for f in (figure, summary, years)]
    return drawn_outputs(specs, values)
