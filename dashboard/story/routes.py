"""A shared story's pages: ``/story/<id>`` (every slide), ``/story/<id>/present`` (one slide
at a time), ``/story/<id>/slide/<n>`` (one slide, drawn, for those two pages),
``/story/<id>/download`` (the offline report), ``/story/view.html?link=…`` (the offline report
of one view) and plotly.js for the live pages.

The slides are drawn when they are asked for, from the pages' own services and caches, so a
slide is as live as the page it comes from; the live pages ask for them one at a time, so the
first slide shows at once and no request draws a whole 50-view story. A malformed or unknown
id is a 404 with a sentence saying so.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request, send_file

from dashboard.server.story_store import StoryStoreUnavailable, valid_id
from dashboard.story import services
from dashboard.story.document import PLOTLY_JS, slide_json, story_document
from dashboard.story.state import Story, StoryError, StoryView, read_link
from dashboard.ui.query import shortened

NOT_FOUND = ("There is no story with this link on this server: check that the link was "
             "copied whole (a story id is 32 letters and digits, 0-9 and a-f).")


def story_path(sid: str) -> str:
    """The path of a shared story."""
    return f"/story/{sid}"


def load_story(sid: str) -> Story:
    """The shared story ``sid``; aborts with 404 (unknown or changed) or 503 (store down)."""
    if not valid_id(sid):
        abort(404, NOT_FOUND)
    try:
        document = services.story_store().get(sid)
    except StoryStoreUnavailable as error:
        abort(503, str(error))
    if document is None:
        abort(404, NOT_FOUND)
    try:
        return Story.from_document(document)
    except StoryError:
        abort(404, NOT_FOUND)


def _html(text: str, *, download: str | None = None) -> Response:
    response = Response(text, mimetype="text/html")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    response.headers["Cache-Control"] = "no-store" if not download else "private, max-age=60"
    return response


def _absolute(link: str) -> str:
    return request.host_url.rstrip("/") + link


def serve_story(sid: str, present: bool = False) -> Response:
    """Flask view: the story's slides one after the other, or presented."""
    story = load_story(sid)
    actions = [("Present", f"{story_path(sid)}/present"),
               ("Download as HTML", f"{story_path(sid)}/download"),
               ("Edit a copy", f"/story?from={sid}"), ("Back to the dashboard", "/")]
    if present:
        actions = [("Leave the presentation", story_path(sid))]
    return _html(story_document(story.title, story.views, [view.link for view in story.views],
                                offline=False, present=present, actions=actions,
                                slide_src=f"{story_path(sid)}/slide/{{number}}"))


def serve_slide(sid: str, number: int) -> Response:
    """Flask view: slide ``number`` (from 1) of a story, drawn, as JSON for its page."""
    story = load_story(sid)
    if not 1 <= number <= len(story.views):
        abort(404, f"This story has {len(story.views)} slides; there is no slide {number}.")
    view = story.views[number - 1]
    text = slide_json(number, len(story.views), services.slide(view), view.link, story.title)
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def present_story(sid: str) -> Response:
    return serve_story(sid, present=True)


def download_story(sid: str) -> Response:
    """Flask view: the offline report of a shared story, as a file."""
    story = load_story(sid)
    slides = services.slides(story)
    hrefs = [_absolute(view.link) for view in story.views]
    return _html(story_document(story.title, slides, hrefs, offline=True),
                 download=f"story-{sid}.html")


def download_view() -> Response:
    """Flask view: the offline report of one view, its app-relative link in ``link``."""
    try:
        link = read_link(request.args.get("link", ""))
    except StoryError as error:
        abort(400, f"Cannot export this view: {error}.")
    slide = services.slide(StoryView(link))
    title = slide.title
    return _html(story_document(title, [slide], [_absolute(link)], offline=True),
                 download="view.html")


def serve_plotly() -> Response:
    """Flask view: the plotly.js bundle the story pages draw with (cached for a day)."""
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)
    return response


def not_a_story(rest: str) -> Response:
    abort(404, f"{shortened('/story/' + rest)!r} is not a story page.")


def register_story_routes(server: Flask) -> None:
    """Add the story routes to ``server``."""
    server.add_url_rule("/story/plotly.min.js", "story_plotly", serve_plotly)
    server.add_url_rule("/story/view.html", "story_view_download", download_view)
    server.add_url_rule("/story/<sid>", "story_document", serve_story)
    server.add_url_rule("/story/<sid>/present", "story_present", present_story)
    server.add_url_rule("/story/<sid>/download", "story_download", download_story)
    server.add_url_rule("/story/<sid>/slide/<int:number>", "story_slide", serve_slide)
    server.add_url_rule("/story/<sid>/<path:rest>", "story_other", lambda sid, rest:
                        not_a_story(f"{sid}/{rest}"))
