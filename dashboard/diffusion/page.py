"""The diffusion page at ``/diffusion``: built from the share link's query string."""

from __future__ import annotations

from dashboard.data.corpus import CORPUS_HELP
from dashboard.diffusion import services
from dashboard.diffusion.layout import diffusion_layout
from dashboard.diffusion.state import parse_query
from dashboard.server import context
from dashboard.ui.sources import artwork_options, default_source


def layout(**query):
    """Diffusion layout for a query string (``?artwork=…&t=…``); bad values become notices."""
    corpus = context.corpus()
    artist_prior = services.artist_prior_offered()
    state, notices = parse_query(query, is_known_source=context.store().is_known,
                                 default_source=default_source(corpus),
                                 artist_prior=artist_prior)
    message = None if corpus.has_artworks() else CORPUS_HELP
    return diffusion_layout(state, artwork_options(corpus, state.source), notices, message,
                            artist_prior, context.settings().max_upload_bytes)
