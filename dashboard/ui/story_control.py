""""Add to story": the control every page shows to keep its current view in a story, and the
story being edited, kept in the browser's localStorage (so nothing is lost on reload).

The control and the store are shared pieces; adding a view happens in the browser
(``story.addView`` in assets/story.js): the view's link is the page's share link, which
reproduces it exactly. The story editor at ``/story`` (``dashboard.story``) reorders, edits,
removes and shares the views; the server checks everything again when a story is shared.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard.ui.registry import CallbackRegistry

#: The story being edited: ``{"title": str, "views": [{"link", "title", "note"}]}``.
DRAFT_STORE = "story-draft"
OPEN_BUTTON = "story-add-open"
PANEL = "story-add-panel"
TITLE_INPUT = "story-add-title"
NOTE_INPUT = "story-add-note"
ADD_BUTTON = "story-add-confirm"
CANCEL_BUTTON = "story-add-cancel"
STATUS = "story-add-status"
DOWNLOAD_LINK = "story-view-download"
#: Longest title and note the control accepts (the server checks them again).
MAX_TITLE = 120
MAX_NOTE = 2000

registry = CallbackRegistry()


def draft_store() -> dcc.Store:
    """The story being edited, in localStorage; one per app (in the navigation bar)."""
    return dcc.Store(id=DRAFT_STORE, storage_type="local")


def story_control() -> html.Div:
    """The "Add to story" button, its panel (title, prefilled from the view, and note), and a
    link that downloads the current view as one offline HTML file."""
    panel = dbc.Collapse(html.Div([
        dbc.Label("Title of this view", html_for=TITLE_INPUT, className="control-label"),
        dbc.Input(id=TITLE_INPUT, type="text", maxLength=MAX_TITLE, className="mb-2"),
        dbc.Label("Note (what to say about it)", html_for=NOTE_INPUT,
                  className="control-label"),
        dbc.Textarea(id=NOTE_INPUT, maxLength=MAX_NOTE, rows=3, className="mb-2"),
        html.Div([
            dbc.Button("Add", id=ADD_BUTTON, color="primary", size="sm", className="me-2"),
            dbc.Button("Cancel", id=CANCEL_BUTTON, color="secondary", outline=True, size="sm"),
        ]),
    ], className="story-add-panel"), id=PANEL, is_open=False)
    return html.Div([
        html.Div([
            dbc.Button("Add to story", id=OPEN_BUTTON, color="primary", outline=True,
                       size="sm", className="me-2"),
            html.A("Download this view as HTML", id=DOWNLOAD_LINK, href="/story/view.html",
                   className="story-download-link small"),
        ], className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        panel,
        html.Div(id=STATUS, className="story-status small", role="status",
                 **{"aria-live": "polite"}),
    ], className="story-control mb-3")


registry.clientside_callback(
    ClientsideFunction(namespace="story", function_name="togglePanel"),
    Output(PANEL, "is_open"), Output(TITLE_INPUT, "value"), Output(DOWNLOAD_LINK, "href"),
    Input(OPEN_BUTTON, "n_clicks"), Input(CANCEL_BUTTON, "n_clicks"),
    State(PANEL, "is_open"),
    prevent_initial_call=True,
)
registry.clientside_callback(
    ClientsideFunction(namespace="story", function_name="addView"),
    Output(DRAFT_STORE, "data", allow_duplicate=True), Output(STATUS, "children"),
    Output(PANEL, "is_open", allow_duplicate=True), Output(NOTE_INPUT, "value"),
    Input(ADD_BUTTON, "n_clicks"),
    State(TITLE_INPUT, "value"), State(NOTE_INPUT, "value"), State(DRAFT_STORE, "data"),
    prevent_initial_call=True,
)
