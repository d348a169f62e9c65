"""``python -m dashboard story export``: the offline report of a story, from share links.

    python -m dashboard story export --url URL [--url URL ...] [--title TEXT] --html OUT

Each link is read by its path and query (any host, http or https, so links copied from a
deployed copy work). The file is the one ``/story/<id>/download`` gives: plotly.js embedded
once, every figure interactive, pictures embedded, the numbers behind each slide, and each
slide's link. No server runs: the app is built in this process and its pages' services draw
the views directly. A link of another scheme, a path that is not one of the app's pages or a
malformed link is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from dashboard.cli.output import check_output_path, fail
from dashboard.config import Settings, load_settings
from dashboard.server import context
from dashboard.story import services
from dashboard.story.document import story_document
from dashboard.story.state import (
    MAX_TITLE,
    MAX_VIEWS,
    Story,
    StoryError,
    StoryView,
    plain_text,
    read_link,
)

DEFAULT_TITLE = "Noise & Colour: a story"


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``story`` command (``story export``) to the one CLI tree."""
    parser = commands.add_parser(
        "story", help="export a story of share links as one offline HTML file",
        description="Build the offline HTML report of a story from share links of the "
        "dashboard's pages, without a browser or a running server.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    export = actions.add_parser(
        "export", help="write the story of --url links as one self-contained HTML file",
        description="Write one HTML file that opens with no network: every view's figures "
        "(interactive), pictures, numbers, notes and link.")
    export.add_argument("--url", action="append", required=True, metavar="URL",
                        help="a share link of the explorer (/), /artist or /diffusion, on any "
                        f"host; repeat for each slide, in order (at most {MAX_VIEWS})")
    export.add_argument("--title", default=DEFAULT_TITLE,
                        help=f"the story's title (at most {MAX_TITLE} characters)")
    export.add_argument("--html", required=True, metavar="OUT", help="the HTML file to write")
    export.set_defaults(run=run)
    return parser


def offline_html(settings: Settings, views: Sequence[StoryView], hrefs: Sequence[str],
                 title: str) -> str:
    """The offline report of ``views`` drawn by an app built for ``settings`` (no server)."""
    from dashboard.app import create_app

    app = create_app(settings)
    with app.server.app_context():
        slides = [services.slide(view) for view in views]
    return story_document(title, slides, hrefs, offline=True)


def explorer_view_html(settings: Settings, query: dict[str, str], *,
                       upload: bytes | None = None) -> str:
    """The offline report of one explorer view (``query`` as its share link has it); with
    ``upload``, the view is of those image bytes, stored as the explorer stores an upload."""
    from dashboard.app import create_app

    app = create_app(settings)
    with app.server.app_context():
        if upload is not None:
            source, _ = context.store().save_upload(upload)
            query = {**query, "upload": source.removeprefix("upload:")}
        link = read_link("/?" + urlencode(query))
        slide = services.slide(StoryView(link))
    return story_document(slide.title, [slide], [link], offline=True)


def read_story(urls: Sequence[str], title: str) -> tuple[Story, list[str]]:
    """The story of the ``--url`` links and their hrefs; StoryError saying which link is bad."""
    if len(urls) > MAX_VIEWS:
        raise StoryError(f"at most {MAX_VIEWS} --url links make a story; got {len(urls)}")
    views, hrefs = [], []
    for url in urls:
        views.append(StoryView(read_link(url)))
        hrefs.append(url.strip())
    title = plain_text(title, MAX_TITLE, name="--title") or DEFAULT_TITLE
    return Story(title=title, views=tuple(views)), hrefs


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run ``story export`` with parsed ``args``."""
    try:
        story, hrefs = read_story(args.url, args.title)
        check_output_path(args.html)
        settings = load_settings() if settings is None else settings
    except ValueError as error:  # StoryError, InputError, SettingsError
        return fail(str(error))
    text = offline_html(settings, story.views, hrefs, story.title)
    try:
        Path(args.html).write_text(text, encoding="utf-8")
    except OSError as error:
        return fail(f"cannot write {args.html} ({error.strerror or error}); "
                    "choose a writable path")
    return 0
