"""Find by colour in Oklab (ΔE_ok) or CIE Lab (ΔE76), and the 3D views in Oklab."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.app import create_app
from dashboard.artist import callbacks as cb
from dashboard.artist import services
from dashboard.artist.state import ArtistState
from dashboard.core.corpus_stats import parse_hex_colour
from dashboard.core.oklab import rgb_to_oklab


def _state(view, space=None, pickers=(), switches=()) -> ArtistState:
    return ArtistState.from_controls(view, None, space, None, list(pickers), list(switches))


def bytes_of(hex_colour: str) -> np.ndarray:
    return np.array(parse_hex_colour(hex_colour), dtype=np.uint8)


def _text(component) -> str:
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return "".join(_text(c) for c in children)
    return _text(children)


@pytest.fixture
def tiny_context(tiny_corpus):
    app = create_app(tiny_corpus.settings)
    with app.server.app_context():
        yield app


def test_the_link_keeps_oklab_and_old_spaces():
    for space in ("oklab", "lab", "hsv", "rgb"):
        assert f"space={space}" in _state("search", space).to_query()


def test_search_ranks_by_oklab_unless_cie_lab_is_chosen(tiny_context):
    picked = ("#c81e14",)
    in_oklab = services.search_view(picked, "rgb")
    assert in_oklab == services.search_view(picked, "oklab")
    in_lab = services.search_view(picked, "lab")
    assert {r["space"] for r in in_oklab} == {"oklab"} and {r["space"] for r in in_lab} == {"lab"}
    best = in_oklab[0]
    match = best["matches"][0]
    expected = math.dist(rgb_to_oklab(bytes_of(match["target"])),
                         rgb_to_oklab(bytes_of(match["match"])))
    assert match["delta_e"] == pytest.approx(expected, abs=1e-12)


def test_the_cards_name_the_difference_they_show(tiny_context):
    result, key = cb.search_outputs(_state("search", "oklab", ["#c81e14"], [True]))
    assert "ΔE_ok" in _text(result) and "ΔE76" not in _text(result)
    result_lab, key_lab = cb.search_outputs(_state("search", "lab", ["#c81e14"], [True]))
    assert "ΔE76" in _text(result_lab)
    assert key != key_lab  # switching the space redraws the results


def test_the_corpus_3d_view_in_oklab(tiny_context):
    fig, _ = cb.corpus_3d_outputs(_state("corpus", "oklab"))
    scene = fig.layout.scene
    assert scene.xaxis.title.text == "L (0–1)"
    assert all(0 <= x <= 1 for x in fig.data[0].x)
