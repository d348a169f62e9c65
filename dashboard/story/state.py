"""A story: an ordered list of views (share links of this app's pages), each with a title and
a note, and the one reader of stories from the browser, the server's store and the command line.

Everything from outside is checked here: a link must be http(s) or relative and name one of the
app's pages; at most :data:`MAX_VIEWS` views; titles and notes are plain text, bounded in
length, with control characters removed. :meth:`Story.to_document` gives the canonical bytes
whose hash names a shared story.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from dashboard.ui.query import shortened

#: The app's pages a story may show: path -> page name.
PAGES = {"/": "explorer", "/artist": "artist", "/diffusion": "diffusion"}
MAX_VIEWS = 50
MAX_TITLE = 120
MAX_NOTE = 2000
MAX_LINK = 2000
#: Version of the document layout.
FORMAT = 1
DEFAULT_TITLE = "Untitled story"


class StoryError(ValueError):
    """A story, a view or a link that cannot be used; the message says why, in one line."""


def plain_text(value: object, limit: int, *, name: str, multiline: bool = False) -> str:
    """``value`` as plain text: stripped, control characters removed (newlines kept when
    ``multiline``), at most ``limit`` characters; StoryError if it is not a string or longer."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise StoryError(f"{name} must be text")
    kept = []
    for char in value:
        if multiline and char == "\n":
            kept.append(char)
        elif char in "\t\r\n":
            kept.append(" ")
        elif unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            kept.append(char)
    text = "".join(kept).strip()
    if len(text) > limit:
        raise StoryError(f"{name} has {len(text):,} characters; at most {limit:,} are allowed")
    return text


def read_link(link: object) -> str:
    """The app-relative share link (``/artist?view=...``) of ``link``, an http(s) URL on any
    host or a path; StoryError for another scheme, a path that is not one of the app's pages,
    or a malformed link."""
    if not isinstance(link, str) or not link.strip():
        raise StoryError("a view's link must be a non-empty URL")
    text = link.strip()
    if len(text) > MAX_LINK:
        raise StoryError(f"the link {shortened(text)!r} is longer than {MAX_LINK:,} characters")
    if any(ord(char) < 33 or ord(char) == 127 for char in text):
        raise StoryError(f"the link {shortened(text)!r} contains spaces or control characters")
    try:
        parts = urlsplit(text)
        _ = parts.port  # a malformed port raises here
    except ValueError:
        raise StoryError(f"the link {shortened(text)!r} is not a well-formed URL") from None
    if parts.scheme not in {"http", "https", ""}:
        raise StoryError(f"the link {shortened(text)!r} is not http or https")
    if parts.scheme and not parts.netloc:
        raise StoryError(f"the link {shortened(text)!r} has no host")
    if not parts.scheme and (parts.netloc or not text.startswith("/")):
        raise StoryError(f"the link {shortened(text)!r} is neither an http(s) URL nor a path "
                         "starting with /")
    path = parts.path or "/"
    if path != "/":
        path = path.rstrip("/")
    if path not in PAGES:
        raise StoryError(f"the link {shortened(text)!r} is not one of this app's pages "
                         f"({', '.join(PAGES)})")
    return path + (f"?{parts.query}" if parts.query else "")


def link_query(link: str) -> dict[str, str]:
    """The query of an app-relative link as the page's ``layout(**query)`` receives it."""
    return dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))


def link_page(link: str) -> str:
    """The page name (explorer, artist, diffusion) of an app-relative link."""
    return PAGES[urlsplit(link).path or "/"]


@dataclass(frozen=True)
class StoryView:
    """One view of a story: an app-relative share link, a title and a note (plain text)."""

    link: str
    title: str = ""
    note: str = ""

    @classmethod
    def read(cls, value: object, position: int = 1) -> StoryView:
        """A view from JSON (``{"link", "title", "note"}``); StoryError naming its position."""
        if not isinstance(value, Mapping):
            raise StoryError(f"view {position} is not an object with a link, title and note")
        try:
            return cls(link=read_link(value.get("link")),
                       title=plain_text(value.get("title"), MAX_TITLE, name="its title"),
                       note=plain_text(value.get("note"), MAX_NOTE, name="its note",
                                       multiline=True))
        except StoryError as error:
            raise StoryError(f"view {position}: {error}") from None

    def to_json(self) -> dict[str, str]:
        return {"link": self.link, "title": self.title, "note": self.note}


@dataclass(frozen=True)
class Story:
    """A title and at most :data:`MAX_VIEWS` views, in order."""

    title: str = DEFAULT_TITLE
    views: tuple[StoryView, ...] = ()

    @classmethod
    def read(cls, value: object) -> Story:
        """A story from JSON (``{"title", "views": [...]}``); StoryError saying what is wrong."""
        if not isinstance(value, Mapping):
            raise StoryError("a story must be an object with a title and views")
        views = value.get("views")
        if not isinstance(views, list):
            raise StoryError("a story's views must be a list")
        if not views:
            raise StoryError("a story needs at least one view")
        if len(views) > MAX_VIEWS:
            raise StoryError(f"a story has at most {MAX_VIEWS} views; this one has {len(views)}")
        title = plain_text(value.get("title"), MAX_TITLE, name="the story's title")
        return cls(title=title or DEFAULT_TITLE,
                   views=tuple(StoryView.read(view, i) for i, view in enumerate(views, 1)))

    def to_json(self) -> dict:
        return {"format": FORMAT, "title": self.title,
                "views": [view.to_json() for view in self.views]}

    def to_document(self) -> bytes:
        """Canonical UTF-8 JSON bytes: the same story always gives the same bytes (and id)."""
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_document(cls, document: bytes) -> Story:
        """The story of stored bytes; StoryError if they are not one."""
        try:
            value = json.loads(document.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StoryError("the stored story is not readable") from None
        if not isinstance(value, Mapping) or value.get("format") != FORMAT:
            raise StoryError("the stored story has an unknown format")
        return cls.read(value)


def read_draft(value: object) -> tuple[Story | None, list[str]]:
    """The story being edited in the browser (localStorage, possibly stale or tampered with):
    the views that can be read, in order, and a notice for each one dropped. None if there
    are no views."""
    notices: list[str] = []
    if not isinstance(value, Mapping):
        return None, notices
    try:
        title = plain_text(value.get("title"), MAX_TITLE, name="the title")
    except StoryError as error:
        title = ""
        notices.append(f"The story's title was dropped: {error}.")
    raw_views = value.get("views")
    views: list[StoryView] = []
    for position, raw in enumerate(raw_views if isinstance(raw_views, list) else [], 1):
        if len(views) == MAX_VIEWS:
            notices.append(f"Only the first {MAX_VIEWS} views are kept.")
            break
        try:
            views.append(StoryView.read(raw, position))
        except StoryError as error:
            notices.append(f"Dropped {error}.")
    if not views:
        return None, notices
    return Story(title=title or DEFAULT_TITLE, views=tuple(views)), notices
