"""The explorer page built from share links, without a browser."""

from __future__ import annotations

from dash import html

from dashboard.explorer import ids, page
from tests.support.apps import SAMPLE


def _find(component, predicate) -> list:
    found = [component] if predicate(component) else []
    children = getattr(component, "children", None)
    if children is None:
        return found
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            found += _find(child, predicate)
    return found


def _by_id(tree, component_id):
    matches = _find(tree, lambda c: getattr(c, "id", None) == component_id)
    assert len(matches) == 1, component_id
    return matches[0]


def test_a_link_sets_every_control(app_context):
    tree = page.layout(artwork=SAMPLE, mean="0.25", variance="0.02", seed="9", view="joint",
                       x="red", y="blue", joint="noisy", jbins="128", space="lab", bins="24")
    assert _by_id(tree, ids.ARTWORK_SELECT).value == SAMPLE
    assert _by_id(tree, ids.MEAN_SLIDER).value == 0.25
    assert _by_id(tree, ids.VARIANCE_SLIDER).value == 0.02
    assert _by_id(tree, ids.SEED_INPUT).value == 9
    assert _by_id(tree, ids.VIEW_TABS).active_tab == "joint"
    assert (_by_id(tree, ids.JOINT_X).value, _by_id(tree, ids.JOINT_Y).value) == ("red", "blue")
    assert _by_id(tree, ids.JOINT_IMAGE).value == "noisy"
    assert _by_id(tree, ids.JOINT_BINS).value == "128"
    assert _by_id(tree, ids.COLOUR_SPACE).value == "lab"
    assert _by_id(tree, ids.COLOUR_BINS).value == 24


def test_a_bad_link_still_builds_the_page_with_notices(app_context):
    tree = page.layout(artwork="../../etc/passwd", mean="1e999", joint="both", view=["x"])
    notices = _by_id(tree, ids.NOTICES)
    text = " ".join(str(a.children) for a in _find(notices, lambda c: hasattr(c, "dismissable")))
    assert "Unknown artwork" in text and "mean=" in text and "joint=" in text
    assert _by_id(tree, ids.JOINT_IMAGE).value == "original"
    assert isinstance(tree, html.Div)
