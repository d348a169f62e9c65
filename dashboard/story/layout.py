"""The story editor at ``/story``: the views kept with "Add to story", in order, each with its
title and note; reorder, edit, remove, and share the story."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.story import ids
from dashboard.story.state import MAX_NOTE, MAX_TITLE, MAX_VIEWS, Story


def view_card(index: int, count: int, link: str, title: str, note: str) -> html.Div:
    """One view of the story: its number, title and note fields, its link and buttons."""
    number = index + 1

    def action(label: str, name: str, disabled: bool, colour: str = "secondary"):
        return dbc.Button(label, id={"type": ids.VIEW_ACTION, "action": name, "index": index},
                          size="sm", color=colour, outline=True, disabled=disabled,
                          title=f"{label}: view {number}")

    title_id = {"type": ids.VIEW_TITLE, "index": index}
    note_id = {"type": ids.VIEW_NOTE, "index": index}
    return html.Div([
        html.Div([html.Span(f"{number}.", className="story-view-number"),
                  html.A(link, href=link, className="story-view-link")], className="mb-2"),
        # A label wrapping its field names it (pattern-matching ids cannot be label targets).
        html.Label([html.Span(f"Title of view {number}", className="story-field-label"),
                    dbc.Input(id=title_id, value=title, maxLength=MAX_TITLE, debounce=True,
                              placeholder="Title", className="mb-2")], className="w-100"),
        html.Label([html.Span(f"Note of view {number}", className="story-field-label"),
                    dbc.Textarea(id=note_id, value=note, maxLength=MAX_NOTE, rows=2,
                                 debounce=True, placeholder="What to say about it",
                                 className="mb-2")], className="w-100"),
        html.Div([action("Move up", "up", index == 0),
                  action("Move down", "down", index == count - 1),
                  action("Remove", "remove", False, "danger")], className="story-actions"),
    ], className="story-view", **{"data-index": str(index)})


def view_list(story: Story | None) -> list:
    """The cards of every view, or a sentence saying how to add one."""
    if story is None:
        return [html.P("This story has no views yet. On the Explorer, Van Gogh's colours or "
                       "Diffusion page, set up a view and press \"Add to story\".",
                       className="story-empty")]
    count = len(story.views)
    return [view_card(i, count, view.link, view.title, view.note)
            for i, view in enumerate(story.views)]


def story_layout(imported: dict | None, import_problem: str | None) -> html.Div:
    """The editor; ``imported`` is a shared story offered for editing (``?from=<id>``)."""
    # The button is always in the layout (the editor's callback listens to it), hidden when
    # no shared story is offered.
    button = dbc.Button("Replace my story with this one", id=ids.IMPORT_BUTTON, size="sm",
                        color="primary", className="ms-2")
    if imported is not None:
        offer = [dbc.Alert([
            f"Edit a copy of the shared story \u201c{imported['title']}\u201d "
            f"({len(imported['views'])} views)? It replaces the story in this browser. ",
            button], color="info")]
    else:
        offer = [html.Div(button, hidden=True)]
        if import_problem:
            offer.append(dbc.Alert(import_problem, color="warning"))
    return html.Div([
        html.H1("Your story"),
        html.P("Views you keep with \u201cAdd to story\u201d on any page are listed here, in "
               f"order (at most {MAX_VIEWS}). They stay in this browser until you share the "
               "story: sharing stores it on the server under a link that always shows the "
               "same views, with a presentation mode and an offline HTML download."),
        *offer,
        dcc.Store(id=ids.IMPORT_STORE, data=imported),
        dcc.Store(id=ids.RENDERED_STORE),
        dbc.Label("Story title", html_for=ids.TITLE_INPUT, className="control-label"),
        dbc.Input(id=ids.TITLE_INPUT, maxLength=MAX_TITLE, debounce=True,
                  placeholder="Untitled story", className="mb-3"),
        html.Div(id=ids.NOTICES, role="status"),
        html.Div(view_list(None), id=ids.VIEW_LIST),
        html.Div([
            dbc.Button("Share story", id=ids.SHARE_BUTTON, color="primary", className="me-2"),
            dbc.Button("Clear story", id=ids.CLEAR_BUTTON, color="danger", outline=True),
        ], className="my-3"),
        html.Div(id=ids.SHARE_RESULT, className="story-share-result", role="status",
                 **{"aria-live": "polite"}),
    ], className="story-editor")
