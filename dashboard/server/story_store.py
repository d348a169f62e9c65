"""Shared stories, stored as immutable documents named by the hash of their bytes.

A story's document (canonical JSON bytes, built by ``dashboard.story.state``) is stored once
under its id, the first 32 hex digits of its sha256: the same story always gets the same id,
and a link to ``/story/<id>`` keeps meaning the same thing. Reading checks that the bytes still
hash to the id, so a changed file is reported as missing rather than shown.

The backend follows the cache's choice (:mod:`dashboard.server.cache`): Redis when
``settings.redis_url`` is set, else a folder beside the file-system cache
(``settings.cache_dir / "stories"``). Stories are not cache entries: they carry no expiry and
are never pruned. Instead the store is bounded in count and bytes, and a full store refuses a
new story with :class:`StoryStoreFull` (an existing one is still found). The bounds hold
however many workers share at once: Redis checks and stores in one script, and the folder's
writers take turns on a lock file that every process of the host sees.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from dashboard.config import Settings
from dashboard.data.files import write_atomically
from dashboard.server.cache import REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT

#: Hex digits of a story id (128 bits of sha256).
ID_LENGTH = 32
_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
#: Largest accepted document (bytes): 50 views with long links and notes fit well within it.
MAX_DOCUMENT_BYTES = 256 * 1024
#: Default bounds of the whole store.
MAX_STORIES = 10_000
MAX_STORE_BYTES = 64 * 1024 * 1024
#: Redis keys of stories do not carry the app version: a deploy keeps every shared story.
REDIS_PREFIX = "vangogh-dashboard:story:"
_REDIS_INDEX = REDIS_PREFIX + "_ids"
_REDIS_BYTES = REDIS_PREFIX + "_bytes"
#: The file the folder store's writers lock (``flock``) while they check its bounds and write.
LOCK_NAME = ".lock"

#: Stores a story unless it is there already or the store is full, as one step (Redis runs a
#: script alone). KEYS: the story, the set of ids, the byte counter; ARGV: the document, its
#: id, the most stories, the most bytes. Returns {stored (1) or found (0) or full (-1), the
#: stories and bytes before}.
_PUT_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0, 0} end
local count = redis.call('SCARD', KEYS[2])
local size = tonumber(redis.call('GET', KEYS[3]) or '0')
local length = string.len(ARGV[1])
if count + 1 > tonumber(ARGV[3]) or size + length > tonumber(ARGV[4]) then
  return {-1, count, size}
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('INCRBY', KEYS[3], length)
return {1, count, size}
"""


class StoryStoreError(Exception):
    """A story could not be stored or read; the message is for the person who asked."""


class StoryStoreFull(StoryStoreError):
    """The store holds its most stories or bytes; nothing new is stored."""


class StoryStoreUnavailable(StoryStoreError):
    """The backend (Redis, the disk) did not answer."""


def story_id(document: bytes) -> str:
    """The id of ``document``: the first 32 hex digits of its sha256."""
    return hashlib.sha256(document).hexdigest()[:ID_LENGTH]


def valid_id(text: object) -> bool:
    """Whether ``text`` has the shape of a story id (32 lower-case hex digits)."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def _check_document(document: bytes) -> None:
    if not isinstance(document, bytes) or not document:
        raise StoryStoreError("A story must be a non-empty document.")
    if len(document) > MAX_DOCUMENT_BYTES:
        raise StoryStoreError(f"This story is {len(document):,} bytes; at most "
                              f"{MAX_DOCUMENT_BYTES:,} can be shared (shorten the notes).")


def _full_message(count: int, max_count: int, size: int, max_bytes: int) -> str:
    return (f"The story store is full ({count:,} of {max_count:,} stories, {size:,} of "
            f"{max_bytes:,} bytes): this story was not shared. Download it as HTML instead, "
            "or ask the administrator to make room.")


class FileStoryStore:
    """Stories as ``<id>.json`` files in one folder shared by the processes of one host."""

    backend = "filesystem"

    def __init__(self, folder: str | os.PathLike[str], *, max_stories: int = MAX_STORIES,
                 max_bytes: int = MAX_STORE_BYTES) -> None:
        self.folder = Path(folder)
        self.max_stories = max_stories
        self.max_bytes = max_bytes

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Held by one writer at a time among the host's processes and their threads: an
        exclusive ``flock`` on :data:`LOCK_NAME` in the folder, through a file opened for
        each writer (``flock`` sets two opened files of one process against each other too)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_NAME, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _path(self, sid: str) -> Path:
        return self.folder / f"{sid}.json"

    def usage(self) -> tuple[int, int]:
        """``(stories, bytes)`` in the folder now."""
        count = size = 0
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".json") and valid_id(entry.name[:-5]):
                        try:
                            size += entry.stat().st_size
                        except OSError:
                            continue
                        count += 1
        except FileNotFoundError:
            pass
        return count, size

    def put(self, document: bytes) -> str:
        """Store ``document`` (if not there already) and return its id."""
        _check_document(document)
        sid = story_id(document)
        path = self._path(sid)
        try:
            if path.exists():
                return sid
            with self._writing():
                if path.exists():  # another writer stored it meanwhile
                    return sid
                count, size = self.usage()
                if count + 1 > self.max_stories or size + len(document) > self.max_bytes:
                    raise StoryStoreFull(_full_message(count, self.max_stories, size,
                                                       self.max_bytes))
                write_atomically(path, document)
        except OSError as error:
            raise StoryStoreUnavailable(
                "The story could not be saved on the server's disk; try again later.") from error
        return sid

    def get(self, sid: str) -> bytes | None:
        """The document stored as ``sid``; None if there is none or its bytes were changed."""
        if not valid_id(sid):
            return None
        try:
            document = self._path(sid).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoryStoreUnavailable(
                "The story could not be read from the server's disk; try again later.") from error
        return document if story_id(document) == sid else None


class RedisStoryStore:
    """Stories as Redis strings without expiry, with a set of ids and a byte counter."""

    backend = "redis"

    def __init__(self, client: redis.Redis, *, max_stories: int = MAX_STORIES,
                 max_bytes: int = MAX_STORE_BYTES) -> None:
        self.client = client
        self.max_stories = max_stories
        self.max_bytes = max_bytes
        self._put = client.register_script(_PUT_SCRIPT)

    @classmethod
    def from_url(cls, url: str, **bounds: int) -> RedisStoryStore:
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
                                      socket_timeout=REDIS_SOCKET_TIMEOUT,
                                      retry=Retry(NoBackoff(), 1))
        return cls(client, **bounds)

    def usage(self) -> tuple[int, int]:
        try:
            count, size = self.client.pipeline().scard(_REDIS_INDEX).get(_REDIS_BYTES).execute()
        except (redis.exceptions.RedisError, OSError) as error:
            raise StoryStoreUnavailable(
                "The story store (Redis) is not answering; try again later.") from error
        return int(count or 0), int(size or 0)

    def put(self, document: bytes) -> str:
        _check_document(document)
        sid = story_id(document)
        key = REDIS_PREFIX + sid
        try:
            outcome, count, size = self._put(
                keys=[key, _REDIS_INDEX, _REDIS_BYTES],
                args=[document, sid, self.max_stories, self.max_bytes])
        except (redis.exceptions.RedisError, OSError) as error:
            raise StoryStoreUnavailable(
                "The story store (Redis) is not answering; try again later.") from error
        if outcome == -1:
            raise StoryStoreFull(_full_message(int(count), self.max_stories, int(size),
                                               self.max_bytes))
        return sid

    def get(self, sid: str) -> bytes | None:
        if not valid_id(sid):
            return None
        try:
            document = self.client.get(REDIS_PREFIX + sid)
        except (redis.exceptions.RedisError, OSError) as error:
            raise StoryStoreUnavailable(
                "The story store (Redis) is not answering; try again later.") from error
        if document is None:
            return None
        return document if story_id(document) == sid else None


StoryStore = FileStoryStore | RedisStoryStore


def open_story_store(settings: Settings, **bounds: int) -> StoryStore:
    """The store the cache's settings choose: Redis if ``settings.redis_url``, else the folder
    ``settings.cache_dir / "stories"``. Opens no connection (Redis is reached on first use)."""
    if settings.redis_url:
        return RedisStoryStore.from_url(settings.redis_url, **bounds)
    return FileStoryStore(Path(settings.cache_dir) / "stories", **bounds)
