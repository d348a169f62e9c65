"""Story editor callbacks: edit the story kept in the browser, and share it.

The logic is in :func:`editor_outputs` and :func:`share_outputs`, which tests call directly;
the decorated wrappers only read what triggered them.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update

from dashboard.server.story_store import StoryStoreError
from dashboard.story import ids, services
from dashboard.story.layout import view_list
from dashboard.story.routes import story_path
from dashboard.story.state import (
    MAX_NOTE,
    MAX_TITLE,
    Story,
    StoryError,
    StoryView,
    plain_text,
    read_draft,
)
from dashboard.ui.registry import CallbackRegistry
from dashboard.ui.story_control import DRAFT_STORE

registry = CallbackRegistry()


def _clean(value: object, limit: int, multiline: bool = False) -> str:
    try:
        return plain_text(value, limit, name="text", multiline=multiline)
    except StoryError:
        return plain_text(value[:limit] if isinstance(value, str) else "", limit, name="text",
                          multiline=multiline)


def _kind(trigger: object) -> str | None:
    """The id (or pattern-matching type) of what triggered a callback, if it is text."""
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    return kind if isinstance(kind, str) else None


def _draft(title: str, views: list[StoryView]) -> dict:
    return {"title": title, "views": [view.to_json() for view in views]}


def apply_edit(draft: object, trigger: object, *, titles=(), notes=(), story_title=None,
               imported=None) -> tuple[dict, list[str]]:
    """The draft after the edit ``trigger`` names (a view's button, title or note, the story's
    title, clear, import), and notices about what in the stored draft could not be read."""
    story, notices = read_draft(draft)
    views = list(story.views) if story is not None else []
    title = _clean(draft.get("title"), MAX_TITLE) if isinstance(draft, dict) else ""
    kind = _kind(trigger)
    index = trigger.get("index") if isinstance(trigger, dict) else None
    in_range = isinstance(index, int) and 0 <= index < len(views)
    if kind == ids.VIEW_ACTION and in_range:
        action = trigger.get("action")
        if action == "remove":
            del views[index]
        elif action in {"up", "down"}:
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(views):
                views[index], views[other] = views[other], views[index]
    elif kind == ids.VIEW_TITLE and in_range and isinstance(titles, list | tuple) and \
            index < len(titles):
        views[index] = StoryView(views[index].link, _clean(titles[index], MAX_TITLE),
                                 views[index].note)
    elif kind == ids.VIEW_NOTE and in_range and isinstance(notes, list | tuple) and \
            index < len(notes):
        views[index] = StoryView(views[index].link, views[index].title,
                                 _clean(notes[index], MAX_NOTE, multiline=True))
    elif kind == ids.TITLE_INPUT:
        title = _clean(story_title, MAX_TITLE)
    elif kind == ids.CLEAR_BUTTON:
        title, views = "", []
    elif kind == ids.IMPORT_BUTTON and imported is not None:
        try:
            shared = Story.read(imported)
            title, views = shared.title, list(shared.views)
        except StoryError as error:
            notices.append(f"The shared story could not be copied: {error}.")
    return _draft(title, views), notices


def editor_outputs(draft, trigger, titles=(), notes=(), story_title=None, imported=None,
                   rendered=None) -> tuple:
    """(draft, list, drawn draft, story title field, notices) after ``trigger``.

    The list is redrawn only when its views changed since it was last drawn (``rendered``):
    a title or note typed in stays where it is, focus included.
    """
    new_draft, notices = apply_edit(draft, trigger, titles=titles, notes=notes,
                                    story_title=story_title, imported=imported)
    kind = _kind(trigger)
    typed = kind in {ids.VIEW_TITLE, ids.VIEW_NOTE, ids.TITLE_INPUT}
    if typed or new_draft == rendered:
        view_cards, drawn = no_update, (new_draft if typed else no_update)
    else:
        story, _ = read_draft(new_draft)
        view_cards, drawn = view_list(story), new_draft
    notice = dbc.Alert([html.Div(text) for text in notices], color="warning") if notices else None
    return (new_draft if new_draft != draft else no_update, view_cards, drawn,
            no_update if kind == ids.TITLE_INPUT else new_draft["title"], notice)


@registry.callback(
    Output(DRAFT_STORE, "data"), Output(ids.VIEW_LIST, "children"),
    Output(ids.RENDERED_STORE, "data"), Output(ids.TITLE_INPUT, "value"),
    Output(ids.NOTICES, "children"),
    Input({"type": ids.VIEW_ACTION, "action": ALL, "index": ALL}, "n_clicks"),
    Input({"type": ids.VIEW_TITLE, "index": ALL}, "value"),
    Input({"type": ids.VIEW_NOTE, "index": ALL}, "value"),
    Input(ids.TITLE_INPUT, "value"), Input(ids.CLEAR_BUTTON, "n_clicks"),
    Input(ids.IMPORT_BUTTON, "n_clicks"),
    # The draft is read, not listened to: it lives in the navigation bar of every page, and
    # this callback's other inputs exist on the editor only.
    State(DRAFT_STORE, "data"), State(ids.IMPORT_STORE, "data"),
    State(ids.RENDERED_STORE, "data"),
)
def edit_story(_actions, titles, notes, story_title, _clear, _import, draft, imported, rendered):
    trigger = ctx.triggered_id
    trigger = dict(trigger) if isinstance(trigger, dict) else trigger
    clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))
    is_button = (isinstance(trigger, dict) and trigger.get("type") == ids.VIEW_ACTION) or (
        isinstance(trigger, str) and trigger in {ids.CLEAR_BUTTON, ids.IMPORT_BUTTON})
    if is_button and not clicked:
        trigger = None  # a button drawn anew reports n_clicks None: only a click counts
    return editor_outputs(draft, trigger, titles, notes, story_title, imported, rendered)


def share_outputs(draft) -> html.Div:
    """Store the story and answer with its links, or say why it was not stored."""
    try:
        story = Story.read(draft)
    except StoryError as error:
        return dbc.Alert(f"This story cannot be shared: {error}.", color="warning")
    try:
        sid = services.story_store().put(story.to_document())
    except StoryStoreError as error:
        return dbc.Alert(str(error), color="danger")
    path = story_path(sid)
    return html.Div([
        html.P(["Shared. This link always shows these views: ",
                html.A(path, href=path, id="story-shared-link")]),
        html.Div([
            dbc.Button("Open", href=path, color="primary", size="sm", className="me-2"),
            dbc.Button("Present", href=f"{path}/present", color="primary", outline=True,
                       size="sm", className="me-2"),
            dbc.Button("Download as HTML", href=f"{path}/download", color="primary",
                       outline=True, size="sm", external_link=True),
        ]),
    ])


def shown_draft(draft, story_title, titles, notes) -> dict:
    """The draft with the titles and notes the fields show now: a field's last edit reaches
    the stored draft a round trip later, so a click on "Share" right after typing reads the
    fields themselves."""
    shown, _ = apply_edit(draft, ids.TITLE_INPUT, story_title=story_title)
    count = len(shown["views"])
    if isinstance(titles, list) and isinstance(notes, list) and len(titles) == len(notes) == count:
        for index in range(count):
            shown, _ = apply_edit(shown, {"type": ids.VIEW_TITLE, "index": index}, titles=titles)
            shown, _ = apply_edit(shown, {"type": ids.VIEW_NOTE, "index": index}, notes=notes)
    return shown


@registry.callback(
    Output(ids.SHARE_RESULT, "children"),
    Input(ids.SHARE_BUTTON, "n_clicks"), State(DRAFT_STORE, "data"),
    State(ids.TITLE_INPUT, "value"), State({"type": ids.VIEW_TITLE, "index": ALL}, "value"),
    State({"type": ids.VIEW_NOTE, "index": ALL}, "value"),
    prevent_initial_call=True,
)
def share_story(_n_clicks, draft, story_title, titles, notes):
    if not isinstance(draft, dict) or not draft.get("views"):
        return share_outputs(draft)  # nothing to share: say so
    return share_outputs(shown_draft(draft, story_title, titles, notes))
