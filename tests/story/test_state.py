"""Stories from outside: links, titles, notes and limits (dashboard.story.state)."""

from __future__ import annotations

import json

import pytest

from dashboard.server.story_store import story_id
from dashboard.story.state import (
    MAX_NOTE,
    MAX_TITLE,
    MAX_VIEWS,
    Story,
    StoryError,
    StoryView,
    link_page,
    link_query,
    read_draft,
    read_link,
)


@pytest.mark.parametrize(("link", "expected"), [
    ("http://example.org/?artwork=a&mean=0.1", "/?artwork=a&mean=0.1"),
    ("https://dash.example.org:8443/artist?view=periods#top", "/artist?view=periods"),
    ("/diffusion?t=10", "/diffusion?t=10"),
    ("/diffusion/", "/diffusion"),
    ("  http://h  ", "/"),
])
def test_a_link_is_read_by_its_path_and_query_on_any_host(link, expected):
    assert read_link(link) == expected


@pytest.mark.parametrize(("link", "words"), [
    ("ftp://h/", "not http or https"),
    ("javascript:alert(1)", "not http or https"),
    ("data:text/html,<script>", "not http or https"),
    ("http://h/admin", "not one of this app's pages"),
    ("http://h/story/abc", "not one of this app's pages"),
    ("http://[::1", "not a well-formed URL"),
    ("http://h:99999/", "not a well-formed URL"),
    ("//evil.example/", "neither an http(s) URL nor a path"),
    ("artist?view=x", "neither an http(s) URL nor a path"),
    ("http:///artist", "has no host"),
    ("/?a=1 2", "spaces or control characters"),
    ("", "non-empty"),
    ("/?" + "a" * 3000, "longer than"),
])
def test_foreign_and_malformed_links_are_refused_in_one_line(link, words):
    with pytest.raises(StoryError) as error:
        read_link(link)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_link_query_and_page():
    assert link_query("/diffusion?t=10&seed=3") == {"t": "10", "seed": "3"}
    assert [link_page(p) for p in ("/", "/artist?x=1", "/diffusion")] == [
        "explorer", "artist", "diffusion"]


def story_json(n=2, **view):
    return {"title": "T", "views": [{"link": f"/?seed={i}", "title": f"v{i}", "note": "",
                                     **view} for i in range(n)]}


def test_a_story_keeps_text_as_text_and_drops_control_characters():
    story = Story.read(story_json(1, title="<script>alert(1)</script>\u0000\u202e",
                                  note="line 1\r\nline\t2\u0007"))
    view = story.views[0]
    assert view.title == "<script>alert(1)</script>"  # escaped where shown, kept as typed
    assert view.note == "line 1 \nline 2"


@pytest.mark.parametrize(("value", "words"), [
    ([], "an object"),
    ({"title": "T", "views": "x"}, "must be a list"),
    ({"title": "T", "views": []}, "at least one view"),
    (story_json(MAX_VIEWS + 1), f"at most {MAX_VIEWS} views"),
    (story_json(1, title="x" * (MAX_TITLE + 1)), f"at most {MAX_TITLE}"),
    (story_json(1, note="x" * (MAX_NOTE + 1)), f"at most {MAX_NOTE:,}"),
    (story_json(1, title=5), "must be text"),
    (story_json(1, link="https://evil.example/login"), "not one of this app's pages"),
    ({"title": "T", "views": [7]}, "view 1 is not an object"),
])
def test_bad_stories_are_refused_with_the_reason(value, words):
    with pytest.raises(StoryError, match=words):
        Story.read(value)


def test_the_document_is_canonical_so_the_same_story_has_the_same_id():
    a = Story.read(story_json(3))
    b = Story.read(json.loads(json.dumps(story_json(3))[::1]))
    assert a.to_document() == b.to_document()
    assert story_id(a.to_document()) == story_id(b.to_document())
    reordered = Story(a.title, tuple(reversed(a.views)))
    assert story_id(reordered.to_document()) != story_id(a.to_document())
    assert Story.from_document(a.to_document()) == a
    assert json.loads(a.to_document()) == {
        "format": 1, "title": "T",
        "views": [{"link": f"/?seed={i}", "title": f"v{i}", "note": ""} for i in range(3)]}


@pytest.mark.parametrize("document", [b"\xff", b"[]", b'{"format": 2, "views": []}', b"{"])
def test_unreadable_documents_are_refused(document):
    with pytest.raises(StoryError):
        Story.from_document(document)


def test_a_stale_draft_keeps_what_it_can():
    draft = {"title": "Mine", "views": [{"link": "/?seed=1", "title": "a"},
                                        {"link": "ftp://x/", "title": "b"}, "junk",
                                        {"link": "/artist", "title": "c" * 500}]}
    story, notices = read_draft(draft)
    assert story == Story("Mine", (StoryView("/?seed=1", "a"),))
    assert len(notices) == 3 and all(n.startswith("Dropped view") for n in notices)
    assert read_draft(None) == (None, [])
    assert read_draft({"views": [{"link": "/"}] * (MAX_VIEWS + 3)})[0].views.__len__() == \
        MAX_VIEWS
