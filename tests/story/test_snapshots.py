"""Each page's snapshot(query): what its share link shows, from the page's own parser and
outputs, for a story's slide."""

from __future__ import annotations

from dashboard.artist.snapshot import snapshot as artist_snapshot
from dashboard.diffusion.snapshot import snapshot as diffusion_snapshot
from dashboard.explorer.snapshot import snapshot as explorer_snapshot
from dashboard.story.services import view_snapshot


def test_an_explorer_view(app_context):
    view = explorer_snapshot({"artwork": "sample-coffee", "view": "distributions",
                              "variance": "0.02", "seed": "3", "tracking": "x"})
    assert view.path == "/" and view.link.startswith("/?artwork=sample-coffee&")
    assert dict(view.parameters)["variance"] == "0.02" and dict(view.parameters)["seed"] == "3"
    assert [label for label, _ in view.figures] == ["Probability mass function per channel",
                                                    "Cumulative distribution per channel"]
    assert [label for label, _ in view.pictures] == ["Coffee (scikit-image sample), original",
                                                     "Coffee (scikit-image sample), noisy"]
    assert all(data[:3] == b"\xff\xd8\xff" for _, data in view.pictures)
    assert view.texts[0].startswith("Theory against sample on")
    assert [text.split(":")[0] for text in view.texts[1:]] == ["Red", "Green", "Blue"]
    assert view.notices == ()
    assert "variance 0.02" in view.caption and "seed 3" in view.caption


def test_bad_link_values_become_the_pages_notices(app_context):
    view = explorer_snapshot({"artwork": "nope", "variance": "lots", "view": "noise"})
    assert len(view.notices) == 2 and "Unknown artwork 'nope'" in view.notices[0]
    assert [label for label, _ in view.figures][:1] != []


def test_a_diffusion_view_and_an_artist_view(app_context):
    view = diffusion_snapshot({"artwork": "sample-astronaut", "steps": "200", "t": "50"})
    assert view.path == "/diffusion" and "t=50" in view.query
    assert len(view.figures) >= 1 and len(view.pictures) == 3
    artist = artist_snapshot({"view": "periods"})
    assert artist.path == "/artist"
    if artist.figures:  # the page draws the samples' periods
        assert "periods" in artist.caption and "view=periods" in artist.query
    else:
        assert "No Van Gogh images were found" in artist.caption


def test_pictures_are_embedded_small(app_context):
    view = view_snapshot("/?artwork=sample-astronaut&view=noise")
    from io import BytesIO

    from PIL import Image
    assert [Image.open(BytesIO(data)).size for _, data in view.pictures] == [(512, 512)] * 2
