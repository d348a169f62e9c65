"""flask-caching set-up: one cache shared by all workers, bounded, never a single point of failure.

``cache`` is created here unbound; the app factory binds it with :func:`init_cache`.
Services decorate their entry points with ``@cache.memoize()`` and key them on
small hashable values (artwork id, upload sha256, mean, variance, seed), never on
arrays.

Backends
--------
* default: :class:`BoundedFileSystemCache` in ``settings.cache_dir / "fs"``,
  shared by all gunicorn workers on one host, at most ``settings.cache_max_items``
  entries and about ``settings.cache_max_bytes`` bytes (pruned to 90 % when full,
  oldest first).
* ``settings.redis_url`` set: :class:`ResilientRedisCache`, shared by every host.
  Each key lives ``settings.cache_timeout`` seconds; the real memory bound is the
  Redis server's ``maxmemory`` + ``maxmemory-policy volatile-lru`` (docs/deploy.md):
  only keys with a TTL (cache entries) are evicted, never shared stories.
  When Redis stops answering (down, or hung: every socket wait is at most 0.5 s),
  requests keep being served from the file-system cache above, one warning is
  logged per outage, and a background probe tries Redis again every
  ``redis_retry_seconds`` (5 s): no request waits for a Redis known to be down.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Flask
from flask_caching import Cache
from flask_caching.backends.base import BaseCache
from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from dashboard import __version__
from dashboard.config import Settings, env_name

logger = logging.getLogger(__name__)

#: The one cache object; bound to a Flask server by :func:`init_cache`.
cache = Cache()

#: Seconds between attempts to reach Redis again after it failed.
REDIS_RETRY_SECONDS = 5.0
#: Seconds to open a TCP connection to Redis / to wait for one reply. A cached result is at
#: most ~0.5 MB, a few ms on a local network: a longer wait means Redis is hung, and every
#: request in flight at that moment would wait this long.
REDIS_CONNECT_TIMEOUT = 0.5
REDIS_SOCKET_TIMEOUT = 0.5
#: Keys carry the app version, so a deploy never unpickles another version's results.
KEY_PREFIX = f"vangogh-dashboard:{__version__}:"
#: A full file-system cache is pruned down to this fraction of its bound, so that
#: the directory scan pruning needs happens once per ~10 % of writes, not on every write.
PRUNE_TO_FRACTION = 0.9
#: Most new entries a process counts in memory before it adds them to the shared entry count
#: file (a fiftieth of the entry bound, at least 1): writing that file on every new entry
#: tripled the cost of a write (0.19 -> 0.69 ms).
COUNT_FLUSH_ENTRIES = 32



class BoundedFileSystemCache(FileSystemCache):
    """flask-caching's FileSystemCache with a key prefix and cheaper, self-correcting pruning.

    Parameters
    ----------
    cache_dir : str
        Folder of the cache files (created if missing); shared by processes on one host.
    threshold : int
        Most entries kept; 0 means unbounded.
    default_timeout : int
        Seconds an entry lives when ``set`` gets no timeout; 0 means forever.
    key_prefix : str
        Prepended to every key before hashing it into a file name.
    max_bytes : int
        Bytes of the entries on disk; 0 means unbounded. Each process looks at the folder
        again once it has written a tenth of this since it last looked, and then removes the
        oldest entries down to 90 %: the folder stays within ``max_bytes`` plus a tenth of
        it per process writing to it.

    New entries are added to the shared count file up to :data:`COUNT_FLUSH_ENTRIES` at a time
    (a fiftieth of ``threshold``), so the entry bound may be passed by that many entries per
    process before pruning starts.
    """

    def __init__(
        self,
        cache_dir: str,
        threshold: int = 500,
        default_timeout: int = 300,
        key_prefix: str = "",
        ignore_delete_many_errors: bool = False,
        max_bytes: int = 0,
    ) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes={max_bytes!r} must be >= 0 bytes (0: unbounded)")
        self.key_prefix = key_prefix
        self.max_bytes = max_bytes
        self._bytes_lock = threading.Lock()
        # Bytes this process wrote since it last measured the folder; starting at the bound
        # makes the first write measure it (another process may have filled it).
        self._written_since_scan = max_bytes
        self._uncounted = 0  # new entries not yet in the count file
        self._count_batch = max(1, min(COUNT_FLUSH_ENTRIES, threshold // 50))
        super().__init__(
            cache_dir,
            threshold=threshold,
            default_timeout=default_timeout,
            ignore_delete_many_errors=ignore_delete_many_errors,
        )

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> BoundedFileSystemCache:
        return cls(
            config["CACHE_DIR"],
            threshold=config["CACHE_THRESHOLD"],
            key_prefix=config.get("CACHE_KEY_PREFIX") or "",
            max_bytes=config.get("DASHBOARD_CACHE_MAX_BYTES", 0),
            **kwargs,
        )

    def set(self, key: str, value: Any, timeout: int | None = None,
            mgmt_element: bool = False) -> bool:
        stored = super().set(key, value, timeout, mgmt_element=mgmt_element)
        if stored and self.max_bytes and not mgmt_element:
            try:
                size = os.path.getsize(self._get_filename(key))
            except OSError:  # pruned by another process meanwhile
                size = 0
            with self._bytes_lock:
                self._written_since_scan += size
                due = self._written_since_scan >= self.max_bytes * (1 - PRUNE_TO_FRACTION)
                if due:
                    self._written_since_scan = 0
            if due:
                self._prune_bytes()
        return stored

    def _prune_bytes(self) -> None:
        """Remove the oldest entries until the folder holds at most 90 % of ``max_bytes``."""
        entries = []
        for name in self._list_dir():
            try:
                stat = os.stat(name)
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, name))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        target = self.max_bytes * PRUNE_TO_FRACTION
        removed = 0
        for _, size, name in sorted(entries):
            if total <= target:
                break
            try:
                os.remove(name)
            except OSError:
                continue
            total -= size
            removed += 1
        if removed:
            self._update_count(value=sum(1 for _ in self._list_dir()))

    def bytes_on_disk(self) -> int:
        """Bytes of the entries on disk now (a directory listing)."""
        total = 0
        for name in self._list_dir():
            try:
                total += os.path.getsize(name)
            except OSError:
                continue
        return total

    def _update_count(self, delta: int | None = None, value: int | None = None) -> None:
        if delta:
            with self._bytes_lock:
                self._uncounted += delta
                if self._uncounted < self._count_batch:
                    return
                delta, self._uncounted = self._uncounted, 0
        elif value is not None:
            with self._bytes_lock:
                self._uncounted = 0
        super()._update_count(delta=delta, value=value)

    def _get_filename(self, key: str | Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"cache key must be a str, received {type(key).__name__}")
        return super()._get_filename(self.key_prefix + key)

    def _prune(self) -> None:
        # The entry count lives in a file that workers update without a lock, so
        # it drifts; every prune recounts the directory to correct it.
        if not self._over_threshold():
            return
        self._remove_expired(time.time())
        target = int(self._threshold * PRUNE_TO_FRACTION)
        entries = []
        for name in self._list_dir():
            try:
                with open(name, "rb") as handle:
                    (expires,) = struct.unpack("I", handle.read(4))
                entries.append((expires, name))
            except (OSError, struct.error):
                continue
        entries.sort()
        for _, name in entries[: max(0, len(entries) - target)]:
            try:
                os.remove(name)
            except OSError:
                continue
        self._update_count(value=sum(1 for _ in self._list_dir()))

    def entry_count(self) -> int:
        """Entries on disk now (a directory listing, not the cached counter)."""
        return sum(1 for _ in self._list_dir())


class ResilientRedisCache(BaseCache):
    """Redis as the shared cache, with the local file-system cache standing in while it is down.

    A circuit breaker in front of Redis. Closed: every cache operation goes to Redis, each
    socket wait bounded by ``socket_timeout``. When a call fails in any way (refused
    connection, timeout of a hung server, a connection closed under it), that call and every
    later one are served by ``fallback``, one warning is logged for the whole outage, and no
    request touches Redis again: every ``retry_seconds`` one background thread sends a PING,
    and the first answer closes the breaker (logged). So a hung Redis costs the requests in
    flight at the moment it hangs one ``socket_timeout`` at most, and nothing afterwards.
    When Redis refuses a command (out of memory under ``noeviction``), calls use
    ``fallback`` for ``retry_seconds``, with one warning per process.
    Cached values are pure functions of their keys, so a value written to either
    store is valid in both. Any error of a Redis call counts as an outage, never reaches
    the caller: the cache degrades, a request never fails because of it.

    Parameters
    ----------
    redis_url : str
        ``redis://``, ``rediss://`` or ``unix://`` URL.
    fallback : BaseCache
        Used while Redis is unreachable.
    default_timeout : int
        Seconds a key lives (a Redis TTL) when ``set`` gets no timeout.
    key_prefix : str
        Prepended to every Redis key.
    retry_seconds : float
        Seconds between attempts to reach Redis after a failure.
    connect_timeout, socket_timeout : float
        Seconds to open a connection / to wait for a reply.
    """

    def __init__(
        self,
        redis_url: str,
        fallback: BaseCache,
        default_timeout: int = 300,
        key_prefix: str = "",
        retry_seconds: float = REDIS_RETRY_SECONDS,
        connect_timeout: float = REDIS_CONNECT_TIMEOUT,
        socket_timeout: float = REDIS_SOCKET_TIMEOUT,
        ignore_delete_many_errors: bool = False,
    ) -> None:
        if retry_seconds < 0:
            raise ValueError(f"retry_seconds={retry_seconds!r} must be >= 0 seconds")
        super().__init__(
            default_timeout=default_timeout, ignore_delete_many_errors=ignore_delete_many_errors
        )
        # One immediate retry re-opens a pooled connection Redis closed on restart; a timeout
        # is not retried (a hung server would only cost twice as long), nor is anything else
        # (redis-py's default of 10 retries with backoff would stall requests instead).
        client = redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=connect_timeout,
            socket_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
        )
        self.redis = RedisCache(
            host=client,
            default_timeout=default_timeout,
            key_prefix=key_prefix,
            ignore_delete_many_errors=ignore_delete_many_errors,
        )
        self.fallback = fallback
        self.retry_seconds = float(retry_seconds)
        self.display_url = _without_password(redis_url)
        self._lock = threading.Lock()
        self._retry_at = 0.0  # time.monotonic() before which Redis is not probed again
        self._down_since: float | None = None
        self._last_error = ""
        self._refusal_logged = False
        self._refused_until = 0.0  # time.monotonic() before which calls use the fallback
        self._probing = False

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> ResilientRedisCache:
        fallback = BoundedFileSystemCache.factory(app, config, [], dict(kwargs))
        return cls(
            config["CACHE_REDIS_URL"],
            fallback,
            key_prefix=config.get("CACHE_KEY_PREFIX") or "",
            retry_seconds=config.get("DASHBOARD_REDIS_RETRY_SECONDS", REDIS_RETRY_SECONDS),
            **kwargs,
        )

    # -- health ------------------------------------------------------------------

    @property
    def redis_available(self) -> bool:
        """False from a failed Redis call until a later probe succeeds."""
        return self._down_since is None

    @property
    def retry_at(self) -> float:
        """The ``time.monotonic()`` instant (s) before which an unreachable Redis is not probed
        again; each probe moves it ``retry_seconds`` on."""
        return self._retry_at

    def _should_try_redis(self, probe_only: bool = False) -> bool:
        if self._down_since is None:
            # After a refused write, reads must go where the writes went too.
            return probe_only or time.monotonic() >= self._refused_until
        self._probe_when_due()
        return False

    def _probe_when_due(self) -> None:
        """Start one background PING if the back-off has passed and none is running: the
        caller goes on with the fallback and never waits for a Redis known to be down."""
        with self._lock:
            now = time.monotonic()
            if self._probing or now < self._retry_at:
                return
            self._probing = True
            self._retry_at = now + self.retry_seconds
        threading.Thread(target=self._probe, name="redis-cache-probe", daemon=True).start()

    def _probe(self) -> None:
        try:
            self.redis._read_client.ping()
        except Exception as error:  # noqa: BLE001 - any failure means: still down
            self._mark_down(error)
        else:
            self._mark_up()
        finally:
            with self._lock:
                self._probing = False

    def _mark_down(self, error: BaseException) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.retry_seconds
            self._last_error = f"{type(error).__name__}: {error}"[:300]
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
        if first:
            logger.warning(
                "Redis cache at %s is unreachable (%s); serving from the file-system cache "
                "and retrying every %g s",
                self.display_url,
                self._last_error,
                self.retry_seconds,
            )
            # Idle sockets to a dead or hung server are useless: reconnect when it is back.
            # Connections other threads are reading stay theirs (closing them under a reader
            # raised "I/O operation on closed file"); each is dropped by its own failure.
            try:
                self.redis._write_client.connection_pool.disconnect(inuse_connections=False)
            except Exception:  # noqa: BLE001 - best effort, the server is already gone
                pass

    def _mark_up(self) -> None:
        with self._lock:
            down_since, self._down_since = self._down_since, None
        if down_since is not None:
            logger.info(
                "Redis cache at %s is reachable again after %.1f s; using it again",
                self.display_url,
                time.monotonic() - down_since,
            )

    def _refused(self, method: str, error: redis.exceptions.ResponseError) -> None:
        # Redis answers but refuses (full with maxmemory-policy noeviction, a read-only
        # replica): not an outage, but every call uses the fallback for retry_seconds.
        with self._lock:
            self._refused_until = time.monotonic() + self.retry_seconds
            first, self._refusal_logged = not self._refusal_logged, True
        if first:
            logger.warning(
                "Redis at %s refused %s (%s); such calls use the file-system cache. "
                "Set maxmemory-policy volatile-lru on the Redis server",
                self.display_url,
                method,
                error,
            )

    def _call(self, method: str, *args: Any, fallback_method: str | None = None,
              **kwargs: Any) -> Any:
        if self._should_try_redis():
            try:
                return getattr(self.redis, method)(*args, **kwargs)
            except redis.exceptions.ResponseError as error:
                self._refused(method, error)
            except Exception as error:  # noqa: BLE001 - the cache degrades, never fails
                self._mark_down(error)
        return getattr(self.fallback, fallback_method or method)(*args, **kwargs)

    def status(self) -> dict[str, Any]:
        """Health of the Redis connection: one INFO while Redis is up (at most
        ``socket_timeout`` s), nothing while it is down (the background probe tells)."""
        info: dict[str, Any] = {"backend": "redis", "fallback": "filesystem"}
        memory: dict[str, Any] | None = None
        if self._should_try_redis(probe_only=True):
            try:
                memory = self.redis._read_client.info("memory")
            except redis.exceptions.ResponseError:
                pass  # it answered; INFO is just not allowed here
            except Exception as error:  # noqa: BLE001 - health degrades, never fails
                self._mark_down(error)
        info["healthy"] = self.redis_available
        info["serving_from"] = "redis" if self.redis_available else "filesystem"
        if memory is not None:
            info["used_memory_bytes"] = memory.get("used_memory")
            info["maxmemory_bytes"] = memory.get("maxmemory")
            info["maxmemory_policy"] = memory.get("maxmemory_policy")
        if not self.redis_available:
            info["error"] = self._last_error
            info["retry_in_s"] = round(max(0.0, self._retry_at - time.monotonic()), 1)
        return info

    # -- the cachelib API, each call routed through _call -------------------------

    def get(self, key: str) -> Any:
        return self._call("get", key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call("get_many", *keys)

    def get_dict(self, *keys: str) -> dict[str, Any]:
        return dict(zip(keys, self.get_many(*keys), strict=True))

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call("set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call("add", key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        return self._call("set_many", mapping, timeout)

    def delete(self, key: str) -> bool:
        return self._call("delete", key)

    def delete_many(self, *keys: str) -> list[Any]:
        return self._call("delete_many", *keys)

    def unlink(self, *keys: str) -> Any:
        return self._call("unlink", *keys, fallback_method="delete_many")

    def has(self, key: str) -> bool:
        return self._call("has", key)

    def clear(self) -> bool:
        return self._call("clear")

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._call("inc", key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._call("dec", key, delta)


def _without_password(url: str) -> str:
    """``url`` with any user/password replaced by ``***`` (safe to log)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=f"***@{host}").geturl()


def cache_config(
    settings: Settings, *, redis_retry_seconds: float = REDIS_RETRY_SECONDS
) -> dict[str, Any]:
    """The flask-caching configuration for ``settings`` (no I/O)."""
    config: dict[str, Any] = {
        "CACHE_TYPE": f"{__name__}.BoundedFileSystemCache",
        "CACHE_DIR": str(Path(settings.cache_dir) / "fs"),
        "CACHE_THRESHOLD": settings.cache_max_items,
        "DASHBOARD_CACHE_MAX_BYTES": settings.cache_max_bytes,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
        "CACHE_KEY_PREFIX": KEY_PREFIX,
    }
    if settings.redis_url:
        config["CACHE_TYPE"] = f"{__name__}.ResilientRedisCache"
        config["CACHE_REDIS_URL"] = settings.redis_url
        config["DASHBOARD_REDIS_RETRY_SECONDS"] = redis_retry_seconds
    return config


def init_cache(
    server: Flask, settings: Settings, *, redis_retry_seconds: float = REDIS_RETRY_SECONDS
) -> BaseCache:
    """Bind :data:`cache` to ``server`` as ``settings`` say; return the backend.

    Makes the cache folder; opens no network connection (Redis is reached on first use).
    Raises ``RuntimeError`` naming ``DASHBOARD_CACHE_DIR`` when the folder cannot be made.
    """
    config = cache_config(settings, redis_retry_seconds=redis_retry_seconds)
    try:
        cache.init_app(server, config=config)
    except OSError as error:
        raise RuntimeError(
            f"{env_name('cache_dir')}={settings.cache_dir} cannot hold the cache "
            f"({error}); point it at a writable folder"
        ) from error
    return server.extensions["cache"][cache]


def cache_status(server: Flask | None = None) -> dict[str, Any]:
    """``{"backend": "redis"|"filesystem"|"none", "healthy": bool, ...}`` for ``/healthz``.

    ``server`` defaults to the current Flask app (or the last one bound).
    """
    try:
        backend = server.extensions["cache"][cache] if server is not None else cache.cache
    except (AttributeError, KeyError, RuntimeError):
        return {"backend": "none", "healthy": False, "error": "cache not initialised"}
    status: Callable[[], dict[str, Any]] | None = getattr(backend, "status", None)
    if status is not None:
        return status()
    if isinstance(backend, BoundedFileSystemCache):
        return {
            "backend": "filesystem",
            "healthy": os.access(backend._path, os.W_OK),
            "entries": backend.entry_count(),
            "max_entries": backend._threshold,
            "bytes": backend.bytes_on_disk(),
            "max_bytes": backend.max_bytes,
        }
    return {"backend": type(backend).__name__, "healthy": True}
