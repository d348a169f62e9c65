"""A hung Redis (paused with SIGSTOP, resumed with SIGCONT) under the Procfile's gunicorn with
``REDIS_URL``: ``/healthz`` and a cached callback keep answering, never with a 5xx, and no
request waits more than about one Redis socket timeout."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dashboard.server.cache import REDIS_SOCKET_TIMEOUT
from tests.deploy.crafted_requests import CALLBACK_PATH, EXPLORER_VIEW, Bodies, dumps
from tests.support.gunicorn import start_gunicorn
from tests.support.processes import wait_until
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.deploy, pytest.mark.redis, pytest.mark.slow]

#: Seconds Redis stays paused, twice.
PAUSE_SECONDS = 3.0
#: The variances the callback pollers cycle through: a few cache keys, read and written.
VARIANCES = (0.01, 0.02, 0.03)


class Poller:
    """Threads sending one kind of request in a loop; every status and latency recorded."""

    def __init__(self) -> None:
        self.samples: list[tuple[str, float, int, float]] = []  # kind, started, status, s
        self.health: list[tuple[float, str]] = []  # when, serving_from
        self._lock = threading.Lock()
        self.stop = threading.Event()

    def run(self, kind: str, send) -> None:
        session = requests.Session()
        turn = 0
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                response = send(session, turn)
                status = response.status_code
            except requests.RequestException:
                status = 0
                response = None
            seconds = time.monotonic() - started
            with self._lock:
                self.samples.append((kind, started, status, seconds))
                if kind == "healthz" and status == 200:
                    self.health.append((started, response.json()["cache"]["serving_from"]))
            turn += 1
        session.close()

    def serving_from(self) -> str | None:
        with self._lock:
            return self.health[-1][1] if self.health else None


@pytest.fixture
def redis_and_gunicorn(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple]:
    with start_gunicorn(tmp_path, env={"REDIS_URL": redis_server.url}) as server:
        yield redis_server, server


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def test_a_hung_redis_never_gives_5xx_nor_long_waits(redis_and_gunicorn) -> None:
    redis_server, server = redis_and_gunicorn
    bodies = Bodies(server.get("/_dash-dependencies").json())

    def callback_body(turn: int) -> str:
        values = {**EXPLORER_VIEW, "view-tabs.active_tab": "distributions",
                  "variance-slider.value": VARIANCES[turn % len(VARIANCES)]}
        return dumps(bodies.body("noise-graph.figure", values))

    def healthz(session: requests.Session, _turn: int) -> requests.Response:
        return session.get(server.base_url + "/healthz", timeout=30)

    def cached_callback(session: requests.Session, turn: int) -> requests.Response:
        return session.post(server.base_url + CALLBACK_PATH, data=callback_body(turn),
                            headers={"Content-Type": "application/json"}, timeout=30)

    # Warm the cache: every polled key is in Redis before it hangs.
    for turn in range(len(VARIANCES)):
        assert cached_callback(requests, turn).status_code == 200
    assert redis_server.client().dbsize() > 0

    poller = Poller()
    threads = [threading.Thread(target=poller.run, args=(kind, send), daemon=True)
               for kind, send in [("healthz", healthz), ("healthz", healthz),
                                  ("callback", cached_callback), ("callback", cached_callback),
                                  ("callback", cached_callback)]]
    for thread in threads:
        thread.start()
    pid = redis_server.process.pid
    try:
        time.sleep(1.0)
        for _ in range(2):
            os.kill(pid, signal.SIGSTOP)
            wait_until(lambda: poller.serving_from() == "filesystem", timeout=10,
                       what="/healthz to report the file-system fallback")
            time.sleep(PAUSE_SECONDS)
            os.kill(pid, signal.SIGCONT)
            # The background probe finds Redis again within its 5 s back-off.
            wait_until(lambda: poller.serving_from() == "redis", timeout=15,
                       what="/healthz to report Redis again")
            time.sleep(1.0)
    finally:
        os.kill(pid, signal.SIGCONT)
        poller.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    samples = list(poller.samples)
    statuses = {status for _, _, status, _ in samples}
    latencies = {kind: [s for k, _, _, s in samples if k == kind]
                 for kind in ("healthz", "callback")}
    report = {kind: (len(values), round(_percentile(values, 50) * 1000),
                     round(_percentile(values, 99) * 1000), round(max(values) * 1000))
              for kind, values in latencies.items()}
    print(f"\nrequests, p50 / p99 / max ms while Redis hung twice for {PAUSE_SECONDS} s: {report}")
    assert statuses == {200}, sorted(statuses)
    # Before: each hang stalled every request in flight for ~4 s (two 2 s socket waits; this
    # test saw 4.3 s). Now a request waits at most one socket timeout (0.5 s) for Redis; the
    # rest is CPU on a machine the test shares.
    assert REDIS_SOCKET_TIMEOUT <= 0.5
    assert max(latencies["healthz"]) < 2.0, report
    assert max(latencies["callback"]) < 3.0, report
    assert len(latencies["healthz"]) > 50 and len(latencies["callback"]) > 50, report
    log = server.log()
    assert "Traceback" not in log and "[ERROR]" not in log, log[-3000:]
    assert log.count("is unreachable") >= 2  # one warning per outage and worker that saw it
    assert "reachable again" in log
