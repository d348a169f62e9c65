"""axe-core (the copy bundled in axe-playwright-python: nothing is fetched) on a Playwright page.

``assert_accessible(page, "where")`` fails a test when axe finds a serious or critical
violation on the page as it is now, listing each rule and the elements that broke it;
``serious_violations(page)`` returns those violations, ``describe`` formats them. A new page
(the presentation mode, say) needs only ``page.goto(url)``, a wait for what it draws, and
``assert_accessible(page, "its name")``.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

#: Impacts that fail a page (axe's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: The rule sets checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
RULE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


#: What the page shows while it is still changing: a callback's output (drawn faded), a
#: collapse opening or closing, a tab pane fading in (Bootstrap's transitions).
UNSETTLED = '[data-dash-is-loading="true"], .collapsing, .tab-pane.active.fade:not(.show)'


def settle(page, timeout_ms: float = 60_000) -> None:
    """Wait until nothing on ``page`` is loading or in a transition, every active tab pane is
    at full opacity, and two animation frames have passed (the page's accessibility fixer,
    assets/15-accessibility.js, runs one frame after a change)."""
    page.wait_for_function(
        """sel => !document.querySelector(sel) && [...document.querySelectorAll(
            '.tab-pane.active')].every(p => getComputedStyle(p).opacity === '1')""",
        arg=UNSETTLED, timeout=timeout_ms)
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")


def axe_violations(page, context: str | None = None) -> list[dict]:
    """Every violation axe finds on ``page`` (optionally within the CSS selector ``context``)
    once it has settled (:func:`settle`): dicts with ``id``, ``impact``, ``help`` and
    ``nodes`` (each with ``target`` and ``html``)."""
    settle(page)
    options = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": list(RULE_TAGS)}}
    return Axe().run(page, context=context, options=options).response["violations"]


def serious_violations(page, context: str | None = None) -> list[dict]:
    """The violations of impact serious or critical (see :func:`axe_violations`)."""
    return [v for v in axe_violations(page, context) if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict], max_nodes: int = 5) -> str:
    """Violations as lines a person can act on: rule, impact, help, then the first elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:max_nodes]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "", context: str | None = None) -> None:
    """Fail with a readable list unless axe finds no serious or critical violation on ``page``
    as it is now. ``where`` names the view in the message (a tab, a slide)."""
    violations = serious_violations(page, context)
    assert not violations, f"axe on {where or page.url}:\n{describe(violations)}"
