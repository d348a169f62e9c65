"""The Procfile command under real gunicorn: two workers, one shared cache, hardened HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import __version__
from dashboard.server.cache import KEY_PREFIX, BoundedFileSystemCache
from dashboard.server.hardening import SECURITY_HEADERS
from tests.support.gunicorn import Gunicorn, start_gunicorn
from tests.support.probe_app import SECRET
from tests.support.processes import wait_until
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.slow

PROBE = "tests.support.probe_app:server"
MAX_UPLOAD = 3000
LIMIT = 4 * 1000 + 1024 * 1024


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Gunicorn]:
    with start_gunicorn(
        tmp_path, app_target=PROBE, env={"DASHBOARD_MAX_UPLOAD_BYTES": str(MAX_UPLOAD)}
    ) as server:
        yield server


def assert_second_worker_gets_a_hit(server: Gunicorn, n: int, cache_dir: Path) -> None:
    """The first request computes ``n * n``; a request on the other worker must not."""
    first = server.get(f"/_probe/square/{n}").json()
    assert first["square"] == n * n
    assert first["computed"] is True

    def answer_from_other_worker() -> dict | None:
        reply = server.get(f"/_probe/square/{n}").json()
        assert reply["square"] == n * n
        assert reply["computed"] is False, reply
        return reply if reply["pid"] != first["pid"] else None

    other = wait_until(
        answer_from_other_worker, timeout=60, what="a request served by the other worker"
    )
    assert sorted([first["pid"], other["pid"]]) == server.worker_pids()
    markers = list((cache_dir / "probe-computations").glob(f"{n}-*"))
    assert [m.name.split("-")[1] for m in markers] == [str(first["pid"])]


def test_two_workers_share_the_filesystem_cache(gunicorn: Gunicorn, tmp_path: Path) -> None:
    assert len(gunicorn.worker_pids()) == 2
    assert_second_worker_gets_a_hit(gunicorn, 12, tmp_path / "cache")


@pytest.mark.redis
def test_two_workers_share_the_redis_cache(tmp_path: Path, redis_server: RedisServer) -> None:
    with start_gunicorn(
        tmp_path, app_target=PROBE, env={"REDIS_URL": redis_server.url}
    ) as server:
        assert server.get("/healthz").json()["cache"]["backend"] == "redis"
        assert_second_worker_gets_a_hit(server, 21, tmp_path / "cache")
        assert redis_server.client().keys(f"{KEY_PREFIX}*")
        # Nothing fell back to the local files (only the entry-count file is there).
        fallback = BoundedFileSystemCache(str(tmp_path / "cache" / "fs"), key_prefix=KEY_PREFIX)
        assert fallback.entry_count() == 0


def test_serves_the_page_and_healthz(gunicorn: Gunicorn) -> None:
    page = gunicorn.get("/")
    assert page.status_code == 200
    assert "_dash-config" in page.text
    health = gunicorn.get("/healthz")
    assert health.status_code == 200
    assert health.json()["version"] == __version__
    assert health.json()["status"] == "ok"
    for response in (page, health):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value


def test_oversized_body_gets_413_with_a_message(gunicorn: Gunicorn) -> None:
    response = gunicorn.post(
        "/_dash-update-component",
        data=b" " * (LIMIT + 1),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"
    assert f"at most {LIMIT:,} bytes" in response.json()["message"]


def test_500_shows_no_traceback_but_the_log_has_it(gunicorn: Gunicorn) -> None:
    response = gunicorn.get("/_probe/boom")
    assert response.status_code == 500
    for leak in (SECRET, "Traceback", "RuntimeError"):
        assert leak not in response.text
    wait_until(lambda: SECRET in gunicorn.log(), timeout=10, what="the traceback in the log")
    assert "Traceback" in gunicorn.log()


def test_the_exact_procfile_command_serves_the_real_app(tmp_path: Path) -> None:
    with start_gunicorn(tmp_path) as server:
        assert server.get("/").status_code == 200
        assert server.get("/healthz").json()["version"] == __version__
