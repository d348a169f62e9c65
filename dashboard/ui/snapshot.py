"""What one view of a page shows, gathered without a browser: for stories, slides and the
offline report.

Each page has ``snapshot(query) -> ViewSnapshot`` (``dashboard/<page>/snapshot.py``): it reads
the share link's query with the page's own parser, calls the page's own ``*_outputs``
functions (so the figures come from the same services and caches as the page), and keeps what
they drew. The story package, a layer above the pages, puts snapshots on slides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import plotly.graph_objects as go


@dataclass(frozen=True)
class ViewSnapshot:
    """One view: the page's path and canonical query, a suggested title, a caption, the drawn
    figures ``(label, figure)``, the pictures ``(label, JPEG bytes)``, the texts the page shows
    beside them, and the notices its parser gave about the link."""

    path: str
    query: str
    title: str
    caption: str
    figures: tuple[tuple[str, go.Figure], ...] = ()
    pictures: tuple[tuple[str, bytes], ...] = ()
    texts: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default=())

    @property
    def link(self) -> str:
        """The view's share link, relative to the app (``/artist?view=...``)."""
        return self.path + self.query

    @property
    def parameters(self) -> tuple[tuple[str, str], ...]:
        """The link's parameters as ``(name, value)`` pairs, in the link's order."""
        return tuple(parse_qsl(self.query.removeprefix("?"), keep_blank_values=True))


def component_text(value: object) -> str:
    """The visible text of a Dash component tree (or a string, or a list of them), words
    joined by single spaces; "" for anything else (figures, ``no_update``, None)."""
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            parts.append(str(node))
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json") and not isinstance(node, go.Figure):
            walk(getattr(node, "children", None))

    walk(value)
    return " ".join(" ".join(parts).split())


def figure_label(figure: go.Figure, fallback: str) -> str:
    """The figure's title text without markup, or ``fallback``."""
    title = figure.layout.title.text if figure.layout.title is not None else None
    if not title:
        return fallback
    return " ".join(str(title).replace("<br>", " ").split())


def drawn_outputs(specs: Sequence, values: Iterable) -> tuple[list[tuple[str, go.Figure]],
                                                               list[str]]:
    """From a callback's outputs (Dash ``Output`` objects) and the values a page's
    ``*_outputs`` function gave them: the figures drawn ``(label, figure)``, and the texts of
    the components shown (``children`` outputs), skipping what was not updated."""
    figures: list[tuple[str, go.Figure]] = []
    texts: list[str] = []
    for spec, value in zip(specs, values, strict=True):
        if spec.component_property == "figure" and isinstance(value, go.Figure):
            figures.append((figure_label(value, str(spec.component_id)), value))
        elif spec.component_property == "children":
            text = component_text(value)
            if text:
                texts.append(text)
    return figures, texts
