"""The story editor at ``/story`` (``?from=<id>`` offers a shared story for editing)."""

from __future__ import annotations

from dashboard.server.story_store import StoryStoreUnavailable, valid_id
from dashboard.story import services
from dashboard.story.layout import story_layout
from dashboard.story.state import Story, StoryError

NOT_FOUND = "The story in this link is not on this server; your own story is shown."


def layout(**query):
    """The editor; a bad or unknown ``from`` id becomes a notice, never an error."""
    sid = query.get("from")
    if not sid:
        return story_layout(None, None)
    if not valid_id(sid):
        return story_layout(None, NOT_FOUND)
    try:
        document = services.story_store().get(sid)
    except StoryStoreUnavailable as error:
        return story_layout(None, str(error))
    try:
        story = Story.from_document(document) if document is not None else None
    except StoryError:
        story = None
    if story is None:
        return story_layout(None, NOT_FOUND)
    return story_layout(story.to_json(), None)
