"""The Procfile command under real gunicorn: two workers, one shared cache, hardened HTTP."""

from __future__ import annotations

import socket
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


def _raw_exchange(server: Gunicorn, request: bytes) -> bytes:
    """Send ``request`` as is on a new connection; the whole answer (the server may answer
    and close before reading everything sent)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        try:
            connection.sendall(request)
        except OSError:  # the server closed the connection after refusing the request
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def test_a_chunked_body_over_the_cap_gets_413(gunicorn: Gunicorn) -> None:
    body = b"{" + b" " * LIMIT + b"}"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                      for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
    head = (b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    answer = _raw_exchange(gunicorn, head + chunks)
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b'"error":"request_too_large"' in rest
    # A chunked body within the cap is read as usual (here: not a callback of this app).
    small = b'{"output": "x.y"}'
    answer = _raw_exchange(gunicorn, head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
                           + b"%x\r\n%s\r\n0\r\n\r\n" % (len(small), small))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GARBAGE\r\n\r\n", b"400"),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", b"431"),
])
def test_gunicorns_own_error_pages_carry_the_security_headers(
        gunicorn: Gunicorn, request_bytes: bytes, status: bytes) -> None:
    answer = _raw_exchange(gunicorn, request_bytes)
    head, _, _ = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 " + status.decode()), lines[0]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert headers["Cache-Control"] == "no-store"


def test_dash_hot_reload_poll_is_not_served_in_production(gunicorn: Gunicorn) -> None:
    assert gunicorn.get("/_reload-hash").status_code == 404


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
