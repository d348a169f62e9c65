"""The artist page at ``/artist``: Van Gogh's colour distributions across his corpus."""

from __future__ import annotations

from dashboard.layout.artist import artist_layout


def layout(**query):
    """Artist layout for a query string; bad values become notices."""
    return artist_layout(query)
