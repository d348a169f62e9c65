"""The explorer with the keyboard alone, in headless Chromium: Tab reaches every control, each
shows a focus ring when it has focus, the view tabs switch with Enter and the arrow keys, and
the copy-link icon presses with Enter and Space."""

from __future__ import annotations

import pytest

from dashboard.explorer import ids
from tests.support import plotly_page

pytestmark = pytest.mark.browser

#: What the focused element is, and whether its focus shows: an outline of at least 2 px on it
#: (on the upload zone for the zone's transparent file input), drawn at full opacity.
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const ringOwner = e.matches('input[type=file]') ? e.closest('.upload-zone') : e;
  const style = getComputedStyle(ringOwner);
  let opacity = 1;
  for (let n = ringOwner; n && n.nodeType === 1; n = n.parentElement) {
    opacity *= Number(getComputedStyle(n).opacity);
  }
  const tabs = e.closest('[role=tablist]');
  return {
    id: e.id, tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || '',
    type: e.getAttribute('type') || '', name: (e.getAttribute('aria-label') || e.title ||
      e.textContent || '').trim().slice(0, 60),
    within: (e.closest('[id]') || {}).id || '', tablist: tabs ? tabs.id : '',
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    opaque: opacity > 0.99,
  };
}"""


def tab_through(page, limit: int = 150) -> list[dict]:
    """Focus descriptions from pressing Tab from the top until focus comes back round."""
    seen = []
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        if seen and focused == seen[0]:
            break
        seen.append(focused)
    return seen


def test_tab_reaches_every_control_with_a_visible_focus(page, live_server):
    page.goto(live_server + "/")
    plotly_page.wait_for_graph(page, ids.NOISE_GRAPH, timeout=60_000)
    stops = tab_through(page)
    by_id = {stop["id"]: stop for stop in stops if stop["id"]}
    expected_ids = [ids.ARTWORK_SELECT, ids.SEED_INPUT, ids.NEW_SEED_BUTTON,
                    ids.SHARE_CLIPBOARD, ids.CLEAR_SELECTION]
    missing = [name for name in expected_ids if name not in by_id]
    assert not missing, (missing, stops)
    assert any(s["type"] == "file" and s["within"] == ids.UPLOAD for s in stops)
    sliders = {s["name"] for s in stops if s["role"] == "slider"}
    assert {"Noise mean μ", "Noise variance σ²"} <= sliders
    radios = [s for s in stops if s["type"] == "radio"]
    assert radios, "the export format's radio buttons"
    tabs = [s["name"] for s in stops if s["role"] == "tab" and s["tablist"] == ids.VIEW_TABS]
    assert tabs == ["Noise", "Colour distribution", "Joint & conditional", "3D colour"]
    assert any(s["tag"] == "a" and s["name"] == "Explorer" for s in stops)  # navigation bar
    without_ring = [s for s in stops if not (s["ring"] and s["opaque"])]
    assert without_ring == [], "\n".join(map(str, without_ring))
    assert page.console_errors == []


def test_view_tabs_and_the_copy_link_work_with_keys(page, live_server):
    page.goto(live_server + "/?view=noise")
    plotly_page.wait_for_graph(page, ids.NOISE_GRAPH, timeout=60_000)
    tab = page.get_by_role("tab", name="Colour distribution", exact=True)
    tab.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('view=distributions')")
    plotly_page.wait_for_graph(page, ids.PMF_GRAPH, timeout=60_000)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('view=joint')")
    assert page.evaluate("() => document.activeElement.textContent") == "Joint & conditional"
    page.keyboard.press("Home")
    page.wait_for_function("() => location.search.includes('view=noise')")
    page.keyboard.press("ArrowLeft")  # wraps round to the last tab
    page.wait_for_function("() => location.search.includes('view=colour3d')")
    # Each tab names the panel it controls, and that panel names the tab back.
    pairs = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#view-tabs [role=tab]')).map(t => {
            const panel = document.getElementById(t.getAttribute('aria-controls'));
            return panel && panel.getAttribute('aria-labelledby') === t.id; })""")
    assert pairs == [True] * 4
    # The copy-link icon (a div in Dash) is pressed with Enter and Space like a button.
    page.evaluate(f"""() => {{ window.clipboardClicks = 0; document.getElementById(
        '{ids.SHARE_CLIPBOARD}').addEventListener('click', () => window.clipboardClicks++); }}""")
    page.focus(f"#{ids.SHARE_CLIPBOARD}[role=button]")
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    assert page.evaluate("() => window.clipboardClicks") == 2
    assert page.console_errors == []
