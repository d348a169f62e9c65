"""dashboard.server.hardening in-process: headers, body cap, healthz, errors, load limit."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, request

from dashboard import __version__
from dashboard.config import Settings, load_settings
from dashboard.server.hardening import (
    SECURITY_HEADERS,
    STATIC_MAX_AGE,
    HeavyLimiter,
    ServerBusy,
    callback_body_problem,
    heavy_slot,
    request_body_limit,
)
from tests.support.probe_app import SECRET, build_server
from tests.support.processes import wait_until

MAX_UPLOAD = 3000
LIMIT = 4 * 1000 + 1024 * 1024  # 4 bytes per 3 of 3000, plus 1 MiB of JSON around them


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {}, cache_dir=tmp_path / "cache", max_upload_bytes=MAX_UPLOAD, max_heavy_computations=1
    )


@pytest.fixture
def server(settings: Settings) -> Flask:
    return build_server(settings)


def dash_callback_body(value: str) -> dict:
    """The JSON a Dash renderer posts for the probe's failing callback."""
    return {
        "output": "probe-callback-out.children",
        "outputs": {"id": "probe-callback-out", "property": "children"},
        "inputs": [{"id": "probe-callback-in", "property": "value", "value": value}],
        "changedPropIds": ["probe-callback-in.value"],
        "state": [],
    }


def test_request_body_limit_is_base64_plus_overhead() -> None:
    assert request_body_limit(MAX_UPLOAD) == LIMIT
    assert request_body_limit(3) == 4 + 1_048_576
    # 20 MiB = 20_971_520 bytes -> ceil(/3) = 6_990_507 groups of 4 base64 characters.
    assert request_body_limit(20 * 2**20) == 27_962_028 + 1_048_576
    with pytest.raises(ValueError, match="max_upload_bytes=0"):
        request_body_limit(0)


@pytest.mark.parametrize("path", ["/", "/healthz", "/_dash-layout", "/no-such-page"])
def test_security_headers_on_every_response(server: Flask, path: str) -> None:
    response = server.test_client().get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_versioned_static_files_may_be_cached_and_pages_not(server: Flask) -> None:
    client = server.test_client()
    page = client.get("/").get_data(as_text=True)
    favicon = re.search(r'href="(/_favicon\.ico\?v=[^"]+)"', page).group(1)
    stylesheet = re.search(r'href="(/assets/[^"]+\.css\?m=[^"]+)"', page).group(1)
    for url in (favicon, stylesheet):
        assert client.get(url).headers["Cache-Control"] == f"public, max-age={STATIC_MAX_AGE}"
    # Without its version in the URL a file may change under the same address.
    assert "max-age" not in client.get(stylesheet.split("?")[0]).headers.get("Cache-Control", "")
    assert "max-age" not in client.get("/").headers.get("Cache-Control", "")


def test_healthz_reports_version_and_cache(server: Flask) -> None:
    response = server.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["cache"]["backend"] == "filesystem"
    assert body["cache"]["healthy"] is True
    assert body["heavy_computations"] == {
        "busy": 0, "slots": 1, "waiting": 0, "max_waiting": 8, "refused": 0}


def test_oversized_callback_body_gets_413_json(server: Flask) -> None:
    response = server.test_client().post(
        "/_dash-update-component",
        data=b" " * (LIMIT + 1),
        content_type="application/json",
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "request_too_large"
    assert f"{LIMIT + 1:,} bytes" in body["message"]
    assert f"at most {LIMIT:,} bytes" in body["message"]
    assert "DASHBOARD_MAX_UPLOAD_BYTES" in body["message"]


def test_oversized_body_gets_plain_text_for_a_browser(server: Flask) -> None:
    response = server.test_client().post(
        "/", data=b"x" * (LIMIT + 10), headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert response.status_code == 413
    assert response.mimetype == "text/plain"
    assert "Choose a smaller image" in response.get_data(as_text=True)


def test_body_at_the_limit_is_accepted(server: Flask) -> None:
    server.add_url_rule(
        "/_test/length", "length", lambda: str(len(request.get_data())), methods=["POST"]
    )
    response = server.test_client().post("/_test/length", data=b"y" * LIMIT)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == str(LIMIT)


def test_500_shows_no_traceback_and_is_logged(
    server: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    response = server.test_client().get("/_probe/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    for leak in (SECRET, "Traceback", "RuntimeError", ".py"):
        assert leak not in text
    assert "Something went wrong on the server" in text
    logged = [r for r in caplog.records if r.exc_info and SECRET in str(r.exc_info[1])]
    assert logged, "the traceback must be logged server-side"


def test_failing_dash_callback_shows_no_traceback(server: Flask) -> None:
    response = server.test_client().post(
        "/_dash-update-component",
        data=json.dumps(dash_callback_body("x")),
        content_type="application/json",
    )
    assert response.status_code == 500
    assert response.get_json() == {
        "error": "internal_error",
        "message": "Something went wrong on the server. The error has been logged; "
        "please try again or choose other settings.",
    }


def test_heavy_slot_gives_503_when_the_worker_is_full(server: Flask) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold() -> str:
        with heavy_slot():
            entered.set()
            release.wait(timeout=30)
        return "held"

    def try_heavy() -> str:
        with heavy_slot(wait_seconds=0.05):
            return "computed"

    server.add_url_rule("/_test/hold", "hold", hold)
    server.add_url_rule("/_test/heavy", "heavy", try_heavy)
    client = server.test_client()
    results: dict[str, int] = {}
    holder = threading.Thread(
        target=lambda: results.setdefault("hold", client.get("/_test/hold").status_code)
    )
    holder.start()
    try:
        assert entered.wait(timeout=30)
        busy = client.get("/_test/heavy", headers={"Accept": "application/json"})
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "1"
        assert busy.get_json()["error"] == "server_busy"
        assert "try again" in busy.get_json()["message"]
        assert client.get("/healthz").get_json()["heavy_computations"] == {
            "busy": 1, "slots": 1, "waiting": 0, "max_waiting": 8, "refused": 1}
    finally:
        release.set()
        holder.join(timeout=30)
    assert results == {"hold": 200}
    assert client.get("/_test/heavy").get_data(as_text=True) == "computed"


def test_heavy_limiter_is_reentrant_and_releases_on_error() -> None:
    limiter = HeavyLimiter(1, wait_seconds=0)
    with limiter.slot():
        with limiter.slot():  # nested in one thread: no second slot, no deadlock
            assert limiter.busy == 1
    assert limiter.busy == 0
    with pytest.raises(KeyError):
        with limiter.slot():
            raise KeyError("inside")
    with limiter.slot():
        assert limiter.busy == 1


@contextmanager
def slot_held(limiter: HeavyLimiter) -> Iterator[None]:
    """A thread holds one of ``limiter``'s slots until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with limiter.slot():
            taken.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(timeout=30)
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def queue_for_a_slot(limiter: HeavyLimiter, count: int, outcomes: list[str]) -> list:
    """``count`` threads queued for a slot one after the other (each appends "computed" to
    ``outcomes`` once it gets one)."""

    def queue() -> None:
        with limiter.slot():
            outcomes.append("computed")

    threads = [threading.Thread(target=queue) for _ in range(count)]
    for queued, thread in enumerate(threads, start=1):
        thread.start()
        wait_until(lambda queued=queued: limiter.waiting == queued, timeout=30,
                   what=f"{queued} queued")
    return threads


def test_heavy_limiter_refuses_when_full() -> None:
    limiter = HeavyLimiter(1, wait_seconds=0)
    with slot_held(limiter):
        with pytest.raises(ServerBusy):
            with limiter.slot():
                pass


def test_heavy_limiter_queues_only_what_it_can_serve_within_its_wait_budget() -> None:
    limiter = HeavyLimiter(1, wait_seconds=30, max_waiting=10, min_waiting=1)
    for _ in range(60):  # computations that held the slot 0.3 s each, as far as it knows
        limiter.observe_hold(0.3)
    assert limiter.mean_hold == pytest.approx(0.3, abs=1e-4)
    outcomes: list[str] = []
    with slot_held(limiter):
        # Worked by hand: the first always queues; the n-th expects n x 0.3 s on one slot,
        # and the third's 0.9 s is within the 1 s budget.
        queued = queue_for_a_slot(limiter, 3, outcomes)
        assert limiter.expected_wait() == pytest.approx(1.2, abs=1e-3)
        with pytest.raises(ServerBusy):  # 1.2 s > 1 s: refused at once, with room left
            with limiter.slot():
                pass
        assert (limiter.waiting, limiter.refused) == (3, 1)
    for thread in queued:
        thread.join(timeout=30)
    assert outcomes == ["computed"] * 3
    # Four holds far shorter than 0.3 s (the queued ones took no time) brought the mean down.
    assert limiter.mean_hold < 0.3


def test_heavy_limiter_queues_a_few_and_refuses_the_rest_at_once() -> None:
    limiter = HeavyLimiter(1, wait_seconds=30, max_waiting=2)
    outcomes: list[str] = []
    with slot_held(limiter):
        queued = queue_for_a_slot(limiter, 2, outcomes)
        # The queue is full: the next one is refused without waiting its 30 s.
        with pytest.raises(ServerBusy):
            with limiter.slot():
                pass
        assert limiter.refused == 1
        assert (limiter.busy, limiter.waiting) == (1, 2)
    for thread in queued:
        thread.join(timeout=30)
    assert outcomes == ["computed", "computed"]  # the queued ones ran once the slot freed
    assert (limiter.busy, limiter.waiting, limiter.refused) == (0, 0, 1)


def test_heavy_limiter_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="slots=0"):
        HeavyLimiter(0)
    with pytest.raises(ValueError, match="wait_seconds=-1"):
        HeavyLimiter(1, wait_seconds=-1)
    with pytest.raises(ValueError, match="max_waiting=-1"):
        HeavyLimiter(1, max_waiting=-1)
    with pytest.raises(ValueError, match="min_waiting=-1"):
        HeavyLimiter(1, min_waiting=-1)
    assert HeavyLimiter(2).min_waiting == 8 and HeavyLimiter(2, max_waiting=3).min_waiting == 3


def test_heavy_slot_outside_an_app_limits_nothing() -> None:
    with heavy_slot(wait_seconds=0):
        with heavy_slot(wait_seconds=0):
            pass


def test_a_new_app_serves_its_scripts_to_concurrent_first_requests(settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dashboard.app import create_app, prepare_to_serve

    app = prepare_to_serve(create_app(settings))
    # Dash's one-time set-up is done before any request arrives ...
    assert {"dash", "plotly", "dash_bootstrap_components"} <= set(app.registered_paths)
    scripts = sorted(f"/_dash-component-suites/{package}/{path}"
                     for package, paths in app.registered_paths.items() for path in paths
                     if path.endswith(".js"))
    assert len(scripts) >= 5
    # ... so the page's script requests, arriving together on fresh threads, all succeed.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda path: app.server.test_client().get(path).status_code,
                                 scripts))
    assert statuses == [200] * len(scripts)


CALLBACKS = {
    "out.children": {"inputs": [{"id": "in", "property": "value"}], "state": []},
    "..a.children...b.children..": {
        "inputs": [{"id": {"type": "card", "index": "ALL"}, "property": "n_clicks"}],
        "state": [{"id": "s", "property": "data"}]},
}
GOOD = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "in", "property": "value", "value": 1}],
        "changedPropIds": ["in.value"], "state": []}


def test_a_well_formed_callback_body_passes() -> None:
    assert callback_body_problem(GOOD, CALLBACKS) is None
    pattern = {"output": "..a.children...b.children..",
               "outputs": [{"id": "a", "property": "children"},
                           {"id": "b", "property": "children"}],
               "inputs": [[{"id": {"type": "card", "index": "x"}, "property": "n_clicks"}]],
               "changedPropIds": ['{"index":"x","type":"card"}.n_clicks'],
               "state": [{"id": "s", "property": "data", "value": None}]}
    assert callback_body_problem(pattern, CALLBACKS) is None


@pytest.mark.parametrize("body, said", [
    ([], "not a JSON object"), (None, "not a JSON object"), ("x", "not a JSON object"),
    ({**GOOD, "output": "other.children"}, "no callback of this app"),
    ({**GOOD, "output": ["out.children"]}, "no callback of this app"),
    ({**GOOD, "inputs": []}, "'inputs' must list the callback's 1 inputs"),
    ({**GOOD, "inputs": [5]}, "'inputs' holds an item"),
    ({**GOOD, "inputs": [{"id": 5, "property": "value"}]}, "'inputs' holds an item"),
    ({**GOOD, "state": {"a": 1}}, "'state' must list the callback's 0 state"),
    ({**GOOD, "outputs": 5}, "'outputs' holds an item"),
    ({**GOOD, "changedPropIds": 5}, "'changedPropIds'"),
    ({**GOOD, "changedPropIds": ['{"index":.n_clicks']}, "'changedPropIds'"),
    ({**GOOD, "inputs": [{"id": "loc", "property": "pathname", "value": 5}]},
     "'pathname' must be text"),
])
def test_a_malformed_callback_body_is_named(body, said: str) -> None:
    assert said in callback_body_problem(body, CALLBACKS)


@pytest.mark.parametrize("text", ["[]", "null", "{}", '{"output": ', '{"output": "x.y"}'])
def test_a_malformed_callback_body_gets_400_before_dash_reads_it(
        server: Flask, text: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    response = server.test_client().post("/_dash-update-component", data=text,
                                         content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_callback_request"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_script_dash_does_not_serve_is_404_not_500(server: Flask) -> None:
    for path in ("/_dash-component-suites/os/x.js", "/_dash-component-suites/dash/nothing.js"):
        response = server.test_client().get(path)
        assert response.status_code == 404
        assert "registered" not in response.get_data(as_text=True)


def test_dash_hot_reload_poll_is_served_only_in_debug_mode(tmp_path: Path) -> None:
    production = build_server(load_settings({}, cache_dir=tmp_path / "a"))
    assert production.test_client().get("/_reload-hash").status_code == 404
    debug = build_server(load_settings({}, cache_dir=tmp_path / "b", debug=True))
    assert debug.test_client().get("/_reload-hash").status_code == 200
