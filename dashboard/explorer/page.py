"""The explorer page at ``/``: built from the share link's query string."""

from __future__ import annotations

from dashboard.data.corpus import CORPUS_HELP
from dashboard.explorer.layout import explorer_layout
from dashboard.explorer.state import parse_query
from dashboard.server import context
from dashboard.ui.sources import artwork_options, default_source


def layout(**query):
    """Explorer layout for a query string (``?artwork=…&mean=…``); bad values become notices."""
    corpus = context.corpus()
    store = context.store()
    state, notices = parse_query(query, is_known_source=store.is_known,
                                 default_source=default_source(corpus))
    message = None if corpus.has_artworks() else CORPUS_HELP
    return explorer_layout(state, artwork_options(corpus, state.source), notices, message,
                           context.settings().max_upload_bytes)
