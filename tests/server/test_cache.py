"""dashboard.server.cache: memoize on the file system and on a real Redis, bounds, outages."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import pytest
from flask import Flask

from dashboard import __version__
from dashboard.config import load_settings
from dashboard.server.cache import (
    KEY_PREFIX,
    BoundedFileSystemCache,
    ResilientRedisCache,
    cache,
    cache_config,
    cache_status,
    init_cache,
)
from tests.support.processes import free_port, wait_until
from tests.support.redis_server import RedisServer


def make_server(tmp_path: Path, retry_seconds: float = 0.2, **overrides) -> tuple[Flask, object]:
    settings = load_settings({}, cache_dir=tmp_path / "cache", **overrides)
    server = Flask(f"cache-test-{len(overrides)}")
    backend = init_cache(server, settings, redis_retry_seconds=retry_seconds)
    return server, backend


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "dashboard.server.cache" and record.levelno == logging.WARNING
    ]


def test_config_is_bounded_and_versioned(tmp_path: Path) -> None:
    settings = load_settings({}, cache_dir=tmp_path, cache_max_items=123, cache_timeout=45)
    config = cache_config(settings)
    assert config["CACHE_TYPE"] == "dashboard.server.cache.BoundedFileSystemCache"
    assert config["CACHE_DIR"] == str(tmp_path / "fs")
    assert config["CACHE_THRESHOLD"] == 123
    assert config["DASHBOARD_CACHE_MAX_BYTES"] == 512 * 2**20
    assert config["CACHE_DEFAULT_TIMEOUT"] == 45
    assert config["CACHE_KEY_PREFIX"] == f"vangogh-dashboard:{__version__}:"

    with_redis = cache_config(
        load_settings({}, cache_dir=tmp_path, redis_url="redis://cache:6379/2"),
        redis_retry_seconds=7,
    )
    assert with_redis["CACHE_TYPE"] == "dashboard.server.cache.ResilientRedisCache"
    assert with_redis["CACHE_REDIS_URL"] == "redis://cache:6379/2"
    assert with_redis["DASHBOARD_REDIS_RETRY_SECONDS"] == 7


def test_memoize_on_filesystem_computes_once_per_argument(tmp_path: Path) -> None:
    server, backend = make_server(tmp_path)
    assert isinstance(backend, BoundedFileSystemCache)
    calls: list[tuple[int, float]] = []

    @cache.memoize()
    def scaled(artwork: int, factor: float) -> float:
        calls.append((artwork, factor))
        return artwork * factor

    with server.app_context():
        assert scaled(3, 0.5) == 1.5
        assert scaled(3, 0.5) == 1.5
        assert scaled(4, 0.5) == 2.0
        assert scaled(3, 0.5) == 1.5
        assert calls == [(3, 0.5), (4, 0.5)]
        status = cache_status()
    # One version key for the function plus one entry per argument tuple.
    assert status == {"backend": "filesystem", "healthy": True, "entries": 3, "max_entries": 2000,
                      "bytes": status["bytes"], "max_bytes": 512 * 2**20}
    assert 0 < status["bytes"] < 1000


def test_filesystem_keys_carry_the_prefix(tmp_path: Path) -> None:
    server, _ = make_server(tmp_path)
    with server.app_context():
        assert cache.set("artwork-7", {"mean": 0.25})
        assert cache.get("artwork-7") == {"mean": 0.25}
    expected = hashlib.sha256(f"{KEY_PREFIX}artwork-7".encode()).hexdigest()
    assert (tmp_path / "cache" / "fs" / expected).is_file()


def test_filesystem_cache_is_shared_by_two_servers_on_one_host(tmp_path: Path) -> None:
    first, _ = make_server(tmp_path)
    second, _ = make_server(tmp_path, cache_max_items=2000)
    with first.app_context():
        cache.set("shared", [1, 2, 3])
    with second.app_context():
        assert cache.get("shared") == [1, 2, 3]


def test_filesystem_cache_stays_within_its_bound(tmp_path: Path) -> None:
    backend = BoundedFileSystemCache(str(tmp_path / "fs"), threshold=10, default_timeout=60)
    for i in range(25):
        # Later keys expire later, so "oldest expiry first" is a known order.
        backend.set(f"k{i}", i, timeout=1000 + i)
    # Worked by hand: a write finding more than 10 entries first prunes to 9,
    # so pruning happens on every second write from k11 on (k11, k13, ..., k23):
    # after k23 the newest 9 were k14..k22, then k23 and k24 were added.
    survivors = {f"k{i}" for i in range(25) if backend.has(f"k{i}")}
    assert survivors == {f"k{i}" for i in range(14, 25)}
    assert backend.entry_count() == 11
    assert backend.get("k24") == 24


def test_new_entries_reach_the_shared_count_a_batch_at_a_time(tmp_path: Path) -> None:
    backend = BoundedFileSystemCache(str(tmp_path / "fs"), threshold=2000, default_timeout=60)
    reader = BoundedFileSystemCache(str(tmp_path / "fs"), threshold=2000, default_timeout=60)
    for i in range(31):
        backend.set(f"k{i}", i)
    backend.set("k0", 0)  # an overwrite is not a new entry
    assert reader._file_count == 0 and reader.entry_count() == 31
    backend.set("k31", 31)  # the 32nd new entry: a fiftieth of 2000, at most 32
    assert reader._file_count == 32
    backend.set("k32", 32)
    assert reader._file_count == 32


def test_filesystem_cache_stays_within_its_byte_bound(tmp_path: Path) -> None:
    # Joint-view entries are ~0.5 MB: a count bound alone lets the folder grow with them.
    backend = BoundedFileSystemCache(str(tmp_path / "fs"), threshold=0, max_bytes=200_000)
    entry = 10_000
    largest = 0
    for i in range(100):
        backend.set(f"k{i}", bytes(entry))
        largest = max(largest, backend.bytes_on_disk())
    # One process: measured again after every 20,000 bytes written, pruned to 180,000.
    assert largest <= 200_000 + 20_000 + entry + 100
    assert backend.bytes_on_disk() <= 200_000 + 20_000 + entry + 100
    assert backend.get("k99") == bytes(entry)  # the newest stay
    assert not backend.has("k0")  # the oldest go first
    assert backend.entry_count() == sum(backend.has(f"k{i}") for i in range(100))


def test_two_processes_share_one_byte_bound(tmp_path: Path) -> None:
    first, second = (BoundedFileSystemCache(str(tmp_path / "fs"), threshold=0,
                                            max_bytes=200_000) for _ in range(2))
    for i in range(100):
        (first if i % 2 else second).set(f"k{i}", bytes(10_000))
    assert first.bytes_on_disk() <= 200_000 + 2 * 20_000 + 10_000 + 200


def test_byte_bound_is_checked() -> None:
    with pytest.raises(ValueError, match="max_bytes=-1"):
        BoundedFileSystemCache("unused", max_bytes=-1)


def test_unwritable_cache_dir_names_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = load_settings({}, cache_dir=blocker / "cache")
    with pytest.raises(RuntimeError, match="DASHBOARD_CACHE_DIR="):
        init_cache(Flask("unwritable"), settings)


def test_password_is_hidden_from_logs(tmp_path: Path) -> None:
    fallback = BoundedFileSystemCache(str(tmp_path / "fs"))

    def shown(url: str) -> str:  # the URL its log lines name (no connection is made)
        return ResilientRedisCache(url, fallback).display_url

    assert shown("redis://user:s3cret@cache.example:6380/1") == "redis://***@cache.example:6380/1"
    assert shown("rediss://:s3cret@cache.example/0") == "rediss://***@cache.example/0"
    assert shown("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_status_before_init_says_none() -> None:
    assert cache_status(Flask("never-initialised")) == {
        "backend": "none",
        "healthy": False,
        "error": "cache not initialised",
    }


@pytest.mark.redis
def test_memoize_on_redis_stores_keys_with_a_ttl(tmp_path: Path, redis_server: RedisServer) -> None:
    server, backend = make_server(tmp_path, redis_url=redis_server.url, cache_timeout=600)
    assert isinstance(backend, ResilientRedisCache)
    calls: list[int] = []

    @cache.memoize()
    def doubled(n: int) -> int:
        calls.append(n)
        return 2 * n

    with server.app_context():
        assert [doubled(5), doubled(5), doubled(6)] == [10, 10, 12]
        status = cache_status()
    assert calls == [5, 6]
    client = redis_server.client()
    keys = client.keys(f"{KEY_PREFIX}*")
    assert len(keys) == 3  # the function's version key + two results
    ttls = [client.ttl(key) for key in keys]
    assert all(0 < ttl <= 600 for ttl in ttls), ttls
    # Nothing went to the file-system fallback.
    assert backend.fallback.entry_count() == 0
    assert status["backend"] == "redis"
    assert status["healthy"] is True
    assert status["serving_from"] == "redis"
    assert status["maxmemory_policy"] == "volatile-lru"
    assert status["maxmemory_bytes"] == 64 * 1024 * 1024


@pytest.mark.redis
def test_redis_outage_is_served_from_the_fallback_and_recovers(
    tmp_path: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.server.cache")
    server, backend = make_server(tmp_path, redis_url=redis_server.url)
    calls: list[int] = []

    @cache.memoize()
    def cubed(n: int) -> int:
        calls.append(n)
        return n**3

    with server.app_context():
        assert cubed(2) == 8
        cache.set("plain-key", "in redis")
        assert cache.get("plain-key") == "in redis"

        redis_server.stop()
        # Redis is gone: a miss, never an exception.
        assert cache.get("plain-key") is None
        results = [cubed(n) for n in (2, 3, 3, 4, 3, 4)]
        assert results == [8, 27, 27, 64, 27, 64]
        # 2 was cached only in Redis; 3 and 4 are computed once, then the
        # file-system fallback answers.
        assert calls == [2, 2, 3, 4]
        down = cache_status()
        assert down["healthy"] is False
        assert down["serving_from"] == "filesystem"
        assert "ConnectionError" in down["error"]
        # Outlive the retry back-off: the next call probes Redis, fails, and
        # must not log again.
        retry_at = backend.retry_at
        wait_until(lambda: time.monotonic() >= retry_at, timeout=5, what="the retry back-off")
        assert cubed(3) == 27
        assert backend.retry_at > retry_at  # the probe happened (and failed)
        assert len(cache_warnings(caplog)) == 1
        assert "unreachable" in cache_warnings(caplog)[0]

        redis_server.start()  # same port, empty
        wait_until(
            lambda: cache_status()["healthy"], timeout=10, what="the cache to use Redis again"
        )
        assert cubed(7) == 343
        assert calls == [2, 2, 3, 4, 7]

    client = redis_server.client()
    assert len(client.keys(f"{KEY_PREFIX}*")) == 2  # version key + cubed(7)
    assert len(cache_warnings(caplog)) == 1
    back = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(back) == 1 and "reachable again" in back[0]


@pytest.mark.redis
def test_unreachable_redis_from_the_start_still_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.server.cache")
    server, _ = make_server(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    calls: list[int] = []

    @cache.memoize()
    def negated(n: int) -> int:
        calls.append(n)
        return -n

    with server.app_context():
        assert [negated(1) for _ in range(20)] == [-1] * 20
        status = cache_status()
    assert calls == [1]
    assert status["healthy"] is False
    assert len(cache_warnings(caplog)) == 1


@pytest.mark.redis
def test_full_redis_under_noeviction_caches_in_files_and_warns_once(
    tmp_path: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.server.cache")
    client = redis_server.client()
    # A 1-byte memory limit: Redis still answers, but refuses every write with OOM.
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", 1)
    # A long back-off: every call of the test falls in the window after the first refusal.
    server, backend = make_server(tmp_path, retry_seconds=600, redis_url=redis_server.url)
    calls: list[int] = []

    @cache.memoize()
    def tripled(n: int) -> int:
        calls.append(n)
        return 3 * n

    with server.app_context():
        assert [tripled(4), tripled(4), tripled(5), tripled(4)] == [12, 12, 15, 12]
        status = cache_status()
    assert calls == [4, 5]  # the file-system fallback kept the results
    assert backend.fallback.entry_count() == 3  # version key + two results
    assert client.dbsize() == 0
    assert status["healthy"] is True  # Redis answers; it is full, not down
    assert status["maxmemory_policy"] == "noeviction"
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1
    assert "refused" in warnings[0] and "volatile-lru" in warnings[0]
