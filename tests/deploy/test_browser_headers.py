"""The real app under gunicorn, in headless Chromium: the security headers break nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gunicorn import Gunicorn, start_gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Collects every CSP violation the page reports, before any page script runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[Gunicorn]:
    with start_gunicorn(tmp_path) as server:
        yield server


def test_page_renders_graphs_without_csp_violations(real_server: Gunicorn, browser) -> None:
    console: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        response = page.goto(real_server.base_url + "/")
        assert response is not None and response.status == 200
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
        # A Plotly figure drawn by a server callback: scripts, callbacks and styles all ran.
        try:
            page.wait_for_function(
                "() => { const g = document.querySelector('#noise-graph .js-plotly-plot');"
                " return g && g.data && g.data.length > 0; }", timeout=60_000)
        except Exception as error:  # say what the page and the server saw
            raise AssertionError(f"no figure drawn: {error}\nconsole: {console}\n"
                                 f"server log:\n{real_server.log()[-4000:]}") from None
        page.wait_for_load_state("networkidle", timeout=60_000)
        violations = page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line], console
