"""A worker whose heavy-computation slots are all taken, under the Procfile's gunicorn: heavy
work beyond the queue is refused at once with 503 and Retry-After, while /healthz and cached
results are answered at once; in Chromium the page says it is busy, retries, and draws the
figure once the slots free up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dashboard.server.hardening import HEAVY_QUEUE_PER_SLOT, RETRY_AFTER_SECONDS
from tests.deploy.crafted_requests import CALLBACK_PATH, EXPLORER_VIEW, Bodies, dumps
from tests.support.gunicorn import Gunicorn, start_gunicorn
from tests.support.processes import wait_until

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

APP = "tests.deploy.busy_app:server"
SLOTS = 2


def _hold(server: Gunicorn, count: int) -> list[threading.Thread]:
    """``count`` requests to /_busy/hold, each in its own thread (released by the file)."""
    threads = [threading.Thread(target=lambda: requests.get(server.base_url + "/_busy/hold",
                                                            timeout=150), daemon=True)
               for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _heavy(server: Gunicorn) -> dict:
    return server.get("/healthz").json()["heavy_computations"]


def _release(server: Gunicorn, threads: list[threading.Thread]) -> None:
    (server.log_path.parent / "cache" / "release").touch()
    for thread in threads:
        thread.join(timeout=60)


def _callback(server: Gunicorn, bodies: Bodies, **changes) -> tuple[int, float, requests.Response]:
    values = {**EXPLORER_VIEW, **changes}
    started = time.monotonic()
    response = server.post(CALLBACK_PATH, data=dumps(bodies.body("noise-graph.figure", values)),
                           headers={"Content-Type": "application/json"})
    return response.status_code, time.monotonic() - started, response


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[Gunicorn]:
    with start_gunicorn(tmp_path, app_target=APP, workers=1,
                        env={"DASHBOARD_MAX_HEAVY": str(SLOTS)}) as server:
        yield server


def test_full_slots_refuse_heavy_work_at_once_and_answer_the_rest(one_worker: Gunicorn) -> None:
    server = one_worker
    bodies = Bodies(server.get("/_dash-dependencies").json())
    cached = {"view-tabs.active_tab": "distributions"}
    assert _callback(server, bodies, **cached)[0] == 200  # now in the cache

    queue = HEAVY_QUEUE_PER_SLOT * SLOTS
    holders = _hold(server, SLOTS + queue)
    try:
        wait_until(lambda: _heavy(server) == {"busy": SLOTS, "slots": SLOTS, "waiting": queue,
                                              "max_waiting": queue, "refused": 0},
                   timeout=30, what="every slot held and the queue full")
        # Heavy work nobody has computed yet (a 3D colour histogram at a new seed): refused
        # at once, not after the queue's 20 s wait.
        status, seconds, refused = _callback(server, bodies, **{"seed-input.value": 4242})
        assert status == 503, refused.text
        assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert refused.json()["error"] == "server_busy"
        assert seconds < 1.0
        # Health and cached results do not wait for the slots.
        timings = []
        for _ in range(5):
            started = time.monotonic()
            assert server.get("/healthz").status_code == 200
            status, seconds, _ = _callback(server, bodies, **cached)
            assert status == 200
            timings.append((time.monotonic() - started, seconds))
        assert max(health for health, _ in timings) < 1.0, timings
        assert _heavy(server)["refused"] == 1
    finally:
        _release(server, holders)
    # Free again: the refused computation now runs.
    assert _callback(server, bodies, **{"seed-input.value": 4242})[0] == 200
    assert "Traceback" not in server.log()


@pytest.fixture
def refusing_worker(tmp_path: Path) -> Iterator[Gunicorn]:
    # No queue: while the slots are held, every heavy request of the page is refused.
    with start_gunicorn(tmp_path, app_target=APP, workers=1,
                        env={"DASHBOARD_MAX_HEAVY": str(SLOTS),
                             "BUSY_APP_MAX_WAITING": "0"}) as server:
        yield server


def test_the_page_says_busy_retries_and_draws_once_free(refusing_worker: Gunicorn,
                                                        browser) -> None:
    server = refusing_worker
    holders = _hold(server, SLOTS)
    context = browser.new_context()
    try:
        wait_until(lambda: _heavy(server)["busy"] == SLOTS, timeout=30, what="slots held")
        page = context.new_page()
        refused: list[int] = []
        page.on("response", lambda r: refused.append(r.status) if r.status == 503 else None)
        page.goto(server.base_url + "/")
        notice = page.locator("#server-busy-notice")
        notice.wait_for(state="visible", timeout=60_000)
        assert "busy" in notice.inner_text() and "retrying" in notice.inner_text()
        # Still busy after a few retries: no figure yet, the notice stays.
        wait_until(lambda: len(refused) >= 4, timeout=30, what="the page's retries")
        assert notice.is_visible()
        assert page.evaluate("window.dash_clientside.busy.status().waiting") > 0
        _release(server, holders)
        page.wait_for_function(
            "() => { const g = document.querySelector('#noise-graph .js-plotly-plot');"
            " return g && g.data && g.data.length > 0; }", timeout=60_000)
        notice.wait_for(state="hidden", timeout=30_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('#noisy-image');"
            " return i && i.complete && i.naturalWidth > 0; }", timeout=30_000)
        status = page.evaluate("window.dash_clientside.busy.status()")
    finally:
        context.close()
        _release(server, holders)
    assert status["waiting"] == 0 and status["refusals"] >= 2 and status["waits"] >= 1
    assert "Traceback" not in server.log()
