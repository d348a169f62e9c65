"""Layout of the artist page (corpus-wide and period views)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import services
from dashboard.corpus import CORPUS_HELP


def artist_layout(query: dict) -> html.Div:
    corpus = services.corpus()
    if not corpus.has_artworks():
        return dbc.Alert(CORPUS_HELP, color="info")
    return html.Div(html.H3("Van Gogh's colours"))
