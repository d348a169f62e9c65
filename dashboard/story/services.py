"""Slides from views: each page's own ``snapshot(query)`` gathers what its link shows (the
same services and caches as the page), and pictures are made small enough to embed."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from dashboard.artist import snapshot as artist
from dashboard.data.files import encode_jpeg
from dashboard.diffusion import snapshot as diffusion
from dashboard.explorer import snapshot as explorer
from dashboard.server import context
from dashboard.server.hardening import ServerBusy
from dashboard.server.story_store import StoryStore, open_story_store
from dashboard.story.state import Story, StoryView, link_page, link_query
from dashboard.ui.snapshot import ViewSnapshot

#: Each page's snapshot function, by the page name of :data:`dashboard.story.state.PAGES`.
SNAPSHOTS = {"explorer": explorer.snapshot, "artist": artist.snapshot,
             "diffusion": diffusion.snapshot}
#: Long side (pixels) and JPEG quality of a picture embedded in a slide or a report.
EMBED_SIDE = 640
EMBED_QUALITY = 80


@dataclass(frozen=True)
class Slide:
    """A view of a story and what it shows (``snapshot``), or why it could not be shown."""

    view: StoryView
    snapshot: ViewSnapshot | None = None
    problem: str | None = None

    @property
    def title(self) -> str:
        if self.view.title:
            return self.view.title
        return self.snapshot.title if self.snapshot is not None else self.view.link


def embeddable_jpeg(data: bytes, side: int = EMBED_SIDE, quality: int = EMBED_QUALITY) -> bytes:
    """``data`` (JPEG bytes) with its long side at most ``side`` pixels, re-encoded at
    ``quality``: a picture of a few tens of kB for a data URI."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        return encode_jpeg(np.asarray(image), quality=quality)


def view_snapshot(link: str) -> ViewSnapshot:
    """What the app-relative ``link`` shows, pictures made embeddable. Needs the app context
    (the pages' services reach the app's corpus, image store and cache)."""
    snapshot = SNAPSHOTS[link_page(link)](link_query(link))
    pictures = tuple((label, embeddable_jpeg(data)) for label, data in snapshot.pictures)
    return ViewSnapshot(path=snapshot.path, query=snapshot.query, title=snapshot.title,
                        caption=snapshot.caption, figures=snapshot.figures, pictures=pictures,
                        texts=snapshot.texts, notices=snapshot.notices)


def slide(view: StoryView) -> Slide:
    """The slide of ``view``; a view the server cannot draw now gives a slide saying why."""
    try:
        return Slide(view, view_snapshot(view.link))
    except ServerBusy:
        return Slide(view, problem="The server is busy; reload to draw this slide.")
    except (ValueError, OSError) as error:
        return Slide(view, problem=f"This view could not be drawn: {error}")


def slides(story: Story) -> list[Slide]:
    """Every slide of ``story``, in order."""
    return [slide(view) for view in story.views]


def story_store() -> StoryStore:
    """This app's story store (opened once per app, on the cache's backend)."""
    extension = context.extension()
    if "story_store" not in extension:
        extension["story_store"] = open_story_store(context.settings())
    return extension["story_store"]
