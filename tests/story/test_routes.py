"""The story pages over HTTP (Flask's test client on the real app): shared stories, their
presentation and offline download, and everything a hostile link can send."""

from __future__ import annotations

import re

import pytest

from dashboard.server.story_store import FileStoryStore
from dashboard.story import services
from dashboard.story.callbacks import share_outputs
from dashboard.story.page import layout as editor_layout
from dashboard.ui.snapshot import component_text

SIX_VIEWS = [
    "/?artwork=sample-astronaut&view=distributions&variance=0.02",
    "http://deployed.example/?artwork=sample-coffee&view=joint",
    "https://deployed.example/?view=colour3d&bins=12",
    "/?view=noise&variance=0.05&seed=3",
    "/diffusion?artwork=sample-astronaut&steps=200&t=50",
    "/artist?view=periods",
]
EVIL = "<script>alert('x')</script> & <img src=x onerror=alert(1)>"


def share(app, views, title="Six views"):
    """Share a story through the editor's callback; return its id."""
    draft = {"title": title, "views": [{"link": link, "title": f"View {i} {EVIL}",
                                        "note": f"Say {i}\nthen {EVIL}"}
                                       for i, link in enumerate(views, 1)]}
    with app.server.app_context():
        result = component_text(share_outputs(draft))
    match = re.search(r"/story/([0-9a-f]{32})", result)
    assert match, result
    return match[1]


@pytest.fixture
def client(fresh_app):
    return fresh_app.server.test_client()


def test_a_shared_story_shows_every_view_as_text(fresh_app, client):
    sid = share(fresh_app, SIX_VIEWS, title=f"Story {EVIL}")
    assert share(fresh_app, SIX_VIEWS, title=f"Story {EVIL}") == sid  # same story, same id
    response = client.get(f"/story/{sid}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    # <title> and <h1>; on each slide its kicker (the story's title), label and heading.
    assert page.count(escaped) == 2 + 3 * 6
    assert re.findall(r"<h2>View (\d) ", page) == ["1", "2", "3", "4", "5", "6"]
    # The page itself draws nothing: each slide comes from its own request.
    assert page.count('class="plot"') == 0
    assert re.findall(r'data-src="(/story/\w+/slide/\d)"', page) == [
        f"/story/{sid}/slide/{n}" for n in range(1, 7)]
    assert '<script src="/story/plotly.min.js"></script>' in page
    assert client.get("/story/plotly.min.js").status_code == 200
    present = client.get(f"/story/{sid}/present").get_data(as_text=True)
    assert 'data-mode="present"' in present and present.count('class="slide"') == 6

    slide = client.get(f"/story/{sid}/slide/2")
    assert slide.status_code == 200 and slide.mimetype == "application/json"
    data = slide.get_json()
    assert data["html"].count(escaped) == 3  # kicker, heading and note
    assert "<script>alert" not in data["html"]
    assert data["html"].count('class="plot"') == len(data["figures"]) == 2
    assert {"data", "layout"} <= set(data["figures"][0])
    # Links are app-relative on the server's own page.
    assert 'href="/?artwork=sample-coffee&amp;view=joint"' in data["html"]
    for bad in (0, 7, 10**6):
        assert client.get(f"/story/{sid}/slide/{bad}").status_code == 404
    assert client.get(f"/story/{sid}/slide/-1").status_code == 404
    assert client.get(f"/story/{'0' * 32}/slide/1").status_code == 404


def test_the_download_is_one_self_contained_file_under_10_mb(fresh_app, client):
    sid = share(fresh_app, SIX_VIEWS)
    response = client.get(f"/story/{sid}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="story-{sid}.html"'
    page = response.get_data(as_text=True)
    assert len(response.data) < 10 * 1024 * 1024
    assert page.count("plotly.js v") == 1  # plotly.js embedded once, its banner once
    assert not re.search(r"""<(script|img|link|iframe)[^>]*\s(src|href)=["']?(https?:)?//""",
                         page)
    assert "<script src=" not in page
    images = re.findall(r'<img src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2 + 2 + 2 + 2 + 3  # explorer: 2 each; diffusion: 3; artist: none
    # Each slide's link is absolute for those who can reach the server.
    assert 'href="http://localhost/diffusion?artwork=sample-astronaut' in page


@pytest.mark.parametrize("path", [
    "/story/" + "0" * 32, "/story/" + "A" * 32, "/story/abc", "/story/..%2F..%2Fetc%2Fpasswd",
    "/story/" + "0" * 32 + "/present", "/story/" + "0" * 32 + "/download",
    "/story/" + "0" * 31 + "g",
])
def test_tampered_ids_are_404_with_a_sentence(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "no story with this link" in response.get_data(as_text=True) or \
        "not a story page" in response.get_data(as_text=True)


def test_a_story_changed_on_disk_is_not_shown(fresh_app, client):
    sid = share(fresh_app, SIX_VIEWS[:1])
    with fresh_app.server.app_context():
        path = services.story_store().folder / f"{sid}.json"
    path.write_bytes(path.read_bytes().replace(b"View 1", b"View 9"))
    assert client.get(f"/story/{sid}").status_code == 404


def test_other_paths_under_a_story_are_404(fresh_app, client):
    sid = share(fresh_app, SIX_VIEWS[:1])
    assert client.get(f"/story/{sid}/edit").status_code == 404
    assert client.get(f"/story/{sid}/present/x").status_code == 404


@pytest.mark.parametrize(("link", "words"), [
    ("ftp://h/", "not http or https"), ("https://h/admin", "not one of this app's pages"),
    ("", "non-empty"), ("javascript:alert(1)", "not http or https"),
])
def test_a_single_view_download_refuses_foreign_links(client, link, words):
    response = client.get("/story/view.html", query_string={"link": link})
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_a_single_view_download(client):
    response = client.get("/story/view.html",
                          query_string={"link": "/?artwork=sample-coffee&view=distributions"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<section class="slide"') == 1 and page.count('class="plot"') == 2
    assert "Coffee" in page


def test_sharing_reports_a_full_store_and_bad_stories(fresh_app):
    with fresh_app.server.app_context():
        from dashboard.server import context
        context.extension()["story_store"] = FileStoryStore(
            context.settings().cache_dir / "tiny-stories", max_stories=1)
        assert "Shared" in component_text(share_outputs({"views": [{"link": "/"}]}))
        full = component_text(share_outputs({"views": [{"link": "/artist"}]}))
        assert "store is full (1 of 1 stories" in full
        assert "at least one view" in component_text(share_outputs({"views": []}))
        assert "not one of this app's pages" in component_text(
            share_outputs({"views": [{"link": "https://evil.example/phish"}]}))
        assert "at most 50 views" in component_text(
            share_outputs({"views": [{"link": "/"}] * 51}))
        assert "cannot be shared" in component_text(share_outputs("not a story"))


def test_the_editor_offers_a_shared_story_and_ignores_bad_ids(fresh_app):
    sid = share(fresh_app, SIX_VIEWS[:2])
    with fresh_app.server.test_request_context("/story"):
        offered = component_text(editor_layout(**{"from": sid}))
        assert "Edit a copy of the shared story" in offered and "(2 views)" in offered
        for bad in ("0" * 32, "../x", "x" * 5000):
            text = component_text(editor_layout(**{"from": bad}))
            assert "not on this server" in text
        assert "Your story" in component_text(editor_layout(unexpected="1"))
