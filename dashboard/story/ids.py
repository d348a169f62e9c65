"""Component ids of the story editor (``/story``), prefixed ``story-``."""

TITLE_INPUT = "story-title"
VIEW_LIST = "story-view-list"
NOTICES = "story-notices"
SHARE_BUTTON = "story-share"
SHARE_RESULT = "story-share-result"
CLEAR_BUTTON = "story-clear"
IMPORT_STORE = "story-import"
IMPORT_BUTTON = "story-import-button"
#: The draft last drawn in the list, so that a redraw happens only when the draft changed.
RENDERED_STORE = "story-rendered"
#: Pattern-matching ids of each view's controls: {"type": ..., "index": i}.
VIEW_ACTION = "story-view-action"
VIEW_TITLE = "story-view-title"
VIEW_NOTE = "story-view-note"
