"""Crafted callback bodies and paths against the real app under gunicorn: each gets a 4xx, or a
200 that updates nothing or shows a notice; never a 500, never a traceback in the log."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.deploy.crafted_requests import PROBES, Bodies, Probe
from tests.support.gunicorn import Gunicorn, start_gunicorn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    root = tmp_path_factory.mktemp("crafted")
    (root / "artworks").mkdir()
    # The embedded samples only: the probes look at sample-astronaut.
    with start_gunicorn(root, workers=1,
                        env={"DASHBOARD_ARTWORKS_DIR": str(root / "artworks")}) as running:
        yield running


@pytest.fixture(scope="module")
def bodies(server: Gunicorn) -> Bodies:
    return Bodies(server.get("/_dash-dependencies").json())


def _error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "[ERROR]" in line or "Traceback" in line]


@pytest.mark.parametrize("probe", PROBES, ids=[probe.name for probe in PROBES])
def test_crafted_request_gets_a_clean_answer(server: Gunicorn, bodies: Bodies,
                                             probe: Probe) -> None:
    logged_before = len(server.log())
    if probe.method == "GET":
        response = server.get(probe.path)
    else:
        response = server.post(probe.path, data=probe.body(bodies),
                               headers={"Content-Type": "application/json"})
    logged = server.log()[logged_before:]
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert not _error_lines(logged), logged[-3000:]
    for leak in ("Traceback", "File \"", ".py\""):
        assert leak not in response.text
    if 400 <= response.status_code < 500:
        return
    assert response.status_code in (200, 204)
    if probe.method == "POST" and response.status_code == 200:
        assert "response" in json.loads(response.text)  # a Dash update, read by the page
