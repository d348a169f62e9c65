"""Layout pieces shared by the pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.theme import graph_config, text_colour_on


def loading_graph(graph_id: str, height: int = 380) -> dcc.Loading:
    """A graph of fixed ``height`` (px) with slide-size export, whose spinner shows only for
    updates slower than 300 ms."""
    return dcc.Loading(
        dcc.Graph(id=graph_id, config=graph_config("png", graph_id),
                  style={"height": f"{height}px"}),
        delay_show=300, type="circle",
    )


#: Controls whose ``id`` lands on an element a ``<label for>`` names (a select, an input, the
#: dropdown's button): :func:`labelled` ties its label to them by itself.
LABELABLE = (dbc.Select, dbc.Input, dbc.Textarea, dcc.Dropdown, dcc.Input)


def labelled(label: str, control, help_text=None, label_for: str | None = None) -> html.Div:
    """A control with its label above and an optional line of help below; the label names
    the control for screen readers (``label_for``, or the id of a :data:`LABELABLE` control).
    Sliders are named from this label by ``assets/15-accessibility.js``."""
    if label_for is None and isinstance(control, LABELABLE):
        label_for = getattr(control, "id", None)
    children = [dbc.Label(label, html_for=label_for, className="control-label"), control]
    if help_text:
        children.append(html.Div(help_text, className="form-text"))
    return html.Div(children, className="mb-3")


def caption(text: str | tuple[str, ...]):
    """The plain caption under a figure; a tuple gives one caption under each of its panels
    (side by side on wide screens)."""
    if isinstance(text, tuple):
        return dbc.Row([dbc.Col(html.P(part, className="figure-caption"), lg=12 // len(text))
                        for part in text])
    return html.P(text, className="figure-caption")


def message(text: str) -> html.P:
    """A plain line where data would be (nothing to show yet, or nothing to compare)."""
    return html.P(rich_text(text), className="artist-message")


def palette_swatches(label: str, colours, shares) -> html.Div:
    """A row of colour swatches (``colours`` (k, 3) uint8) with their shares of all pixels."""
    swatches = []
    for (r, g, b), share in zip(colours.tolist(), shares.tolist(), strict=True):
        text_colour = text_colour_on(r, g, b)
        swatches.append(html.Div(
            [html.Span(f"{100 * share:.1f}%"), html.Small(f"#{r:02x}{g:02x}{b:02x}")],
            className="swatch", title=f"rgb({r}, {g}, {b}): {100 * share:.2f}% of pixels",
            style={"backgroundColor": f"rgb({r},{g},{b})", "color": text_colour},
        ))
    return html.Div([html.Div(label, className="palette-label"),
                     html.Div(swatches, className="swatches")], className="palette-row")


def rich_text(text: str) -> list:
    """``text`` as Dash children, each `backticked` piece shown as code (a command to type)."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unmatched backtick: show the text as it is
        return [text]
    return [html.Code(piece) if i % 2 else piece for i, piece in enumerate(pieces) if piece]


def notice_banners(notices: list[str], corpus_message: str | None = None) -> list:
    """What a share link changed (one dismissable warning each), then the corpus message."""
    banners = [dbc.Alert(n, color="warning", dismissable=True, className="py-2") for n in notices]
    if corpus_message:
        banners.append(dbc.Alert(rich_text(corpus_message), color="info", dismissable=True,
                                 className="py-2"))
    return banners
