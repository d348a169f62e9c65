"""Shared stories on disk and in a real redis-server: immutable, named by their hash, bounded."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading

import pytest

from dashboard.server.story_store import (
    LOCK_NAME,
    MAX_DOCUMENT_BYTES,
    FileStoryStore,
    RedisStoryStore,
    StoryStoreError,
    StoryStoreFull,
    StoryStoreUnavailable,
    open_story_store,
    story_id,
    valid_id,
)
from tests.support.apps import samples_settings


def doc(n: int, size: int = 100) -> bytes:
    return (f'{{"n":{n},"pad":"' + "x" * size + '"}').encode()


def put_together(put, documents) -> list[str]:
    """Each document put by its own thread, all released at once: ``"stored"`` or ``"full"``
    per document, in order."""
    start = threading.Barrier(len(documents))
    outcomes = [""] * len(documents)

    def worker(i: int) -> None:
        start.wait()
        try:
            put(documents[i])
            outcomes[i] = "stored"
        except StoryStoreFull:
            outcomes[i] = "full"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(documents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _put_in_a_process(folder: str, n: int, start, outcomes) -> None:
    store = FileStoryStore(folder, max_stories=4)
    start.wait()
    try:
        store.put(doc(n))
        outcomes[n] = 1
    except StoryStoreFull:
        outcomes[n] = -1


def test_the_id_is_the_first_32_hex_digits_of_the_sha256():
    assert story_id(b"abc") == hashlib.sha256(b"abc").hexdigest()[:32]
    assert story_id(b"abc") == "ba7816bf8f01cfea414140de5dae2223"
    assert valid_id("ba7816bf8f01cfea414140de5dae2223")
    for bad in ("BA7816BF8F01CFEA414140DE5DAE2223", "ba7816bf", "../" * 11, None, 5,
                "ba7816bf8f01cfea414140de5dae2223\n", "ba7816bf8f01cfea414140de5dae222g"):
        assert not valid_id(bad)


def test_the_backend_follows_the_cache_settings(tmp_path):
    settings = samples_settings(tmp_path)
    store = open_story_store(settings)
    assert isinstance(store, FileStoryStore) and store.folder == tmp_path / "cache" / "stories"
    redis_settings = type(settings)(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    assert isinstance(open_story_store(redis_settings), RedisStoryStore)


def check_store(store):
    """What every backend promises, checked against a store holding at most 3 stories."""
    first = store.put(doc(1))
    assert first == story_id(doc(1))
    assert store.get(first) == doc(1)
    assert store.put(doc(1)) == first  # the same story again: same id, counted once
    assert store.usage() == (1, len(doc(1)))
    store.put(doc(2))
    store.put(doc(3))
    with pytest.raises(StoryStoreFull, match=r"full \(3 of 3 stories"):
        store.put(doc(4))
    assert store.put(doc(2)) == story_id(doc(2))  # an existing one is still found
    assert store.get(story_id(doc(4))) is None
    for tampered in ("0" * 32, first[:-1] + ("0" if first[-1] != "0" else "1"), first.upper(),
                     "../../etc/passwd", first + "/..", ""):
        assert store.get(tampered) is None
    with pytest.raises(StoryStoreError, match="at most"):
        store.put(b"x" * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(StoryStoreError):
        store.put(b"")


def test_a_folder_store_is_immutable_and_bounded_in_count(tmp_path):
    store = FileStoryStore(tmp_path / "stories", max_stories=3)
    check_store(store)
    assert sorted(p.name for p in (tmp_path / "stories").iterdir()) == sorted(
        [f"{story_id(doc(n))}.json" for n in (1, 2, 3)] + [LOCK_NAME])


def test_a_folder_store_is_bounded_in_bytes_and_ignores_changed_files(tmp_path):
    store = FileStoryStore(tmp_path, max_bytes=250)
    sid = store.put(doc(1))  # 116 bytes
    store.put(doc(2))
    with pytest.raises(StoryStoreFull, match="232 of 250 bytes"):
        store.put(doc(3))
    (tmp_path / f"{sid}.json").write_bytes(doc(1).replace(b"x", b"y"))
    assert store.get(sid) is None  # its bytes no longer hash to its id


def test_processes_sharing_a_folder_never_exceed_its_bounds(tmp_path):
    """Twelve worker processes share at once into a folder that holds 4 stories: exactly 4
    are stored and 8 refused (each process checks the count under the folder's lock)."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(12)
    outcomes = context.Array("i", 12)
    workers = [context.Process(target=_put_in_a_process,
                               args=(str(tmp_path), n, start, outcomes)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == [-1] * 8 + [1] * 4
    stored = sorted(p.name for p in tmp_path.glob("*.json"))
    assert stored == sorted(f"{story_id(doc(n))}.json" for n in range(12) if outcomes[n] == 1)


def test_threads_of_one_process_never_exceed_a_folders_bounds(tmp_path):
    store = FileStoryStore(tmp_path, max_stories=4)
    outcomes = put_together(store.put, [doc(n) for n in range(16)])
    assert outcomes.count("stored") == 4 and outcomes.count("full") == 12
    assert store.usage()[0] == 4


def test_threads_sharing_the_same_story_store_it_once(tmp_path):
    store = FileStoryStore(tmp_path, max_stories=2)
    assert put_together(store.put, [doc(1)] * 8) == ["stored"] * 8
    assert store.usage() == (1, len(doc(1)))


def test_an_unwritable_folder_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoryStoreUnavailable, match="could not be saved"):
        FileStoryStore(blocker / "stories").put(doc(1))


@pytest.mark.redis
def test_a_redis_store_keeps_stories_without_expiry_and_bounded(redis_server):
    store = RedisStoryStore.from_url(redis_server.url, max_stories=3)
    check_store(store)
    client = redis_server.client()
    key = b"vangogh-dashboard:story:" + story_id(doc(1)).encode()
    assert client.ttl(key) == -1  # no expiry: not a cache entry
    client.set(key, doc(1) + b" ")
    assert store.get(story_id(doc(1))) is None
    bytes_store = RedisStoryStore.from_url(redis_server.url.replace("/0", "/1"), max_bytes=150)
    bytes_store.put(doc(5))
    with pytest.raises(StoryStoreFull, match="116 of 150 bytes"):
        bytes_store.put(doc(6))


@pytest.mark.redis
def test_concurrent_shares_never_exceed_the_redis_bounds(redis_server):
    """24 different stories of 117 bytes shared at once into a store of 5 x 117 bytes: exactly
    5 stored, the byte counter equals their bytes; the same story shared at once is counted
    once."""
    documents = [doc(n) for n in range(10, 34)]
    assert {len(d) for d in documents} == {117}
    store = RedisStoryStore.from_url(redis_server.url, max_bytes=5 * 117)
    outcomes = put_together(store.put, documents)
    assert outcomes.count("stored") == 5 and outcomes.count("full") == 19
    assert store.usage() == (5, 5 * 117)
    stored = [d for d, outcome in zip(documents, outcomes, strict=True) if outcome == "stored"]
    assert all(store.get(story_id(d)) == d for d in stored)
    assert all(store.get(story_id(d)) is None for d in documents if d not in stored)
    same = RedisStoryStore.from_url(redis_server.url.replace("/0", "/2"))
    assert put_together(same.put, [doc(1)] * 8) == ["stored"] * 8
    assert same.usage() == (1, len(doc(1)))


@pytest.mark.redis
def test_a_stopped_redis_gives_a_clear_message(redis_server):
    store = RedisStoryStore.from_url(redis_server.url)
    redis_server.stop()
    with pytest.raises(StoryStoreUnavailable, match="not answering"):
        store.put(doc(1))
    with pytest.raises(StoryStoreUnavailable, match="not answering"):
        store.get(story_id(doc(1)))


@pytest.mark.redis
def test_a_story_shared_on_one_host_opens_on_another_through_redis(redis_server, tmp_path):
    from dashboard.app import create_app
    from dashboard.story.callbacks import share_outputs
    from dashboard.ui.snapshot import component_text

    def host(name):
        settings = samples_settings(tmp_path / name)
        return create_app(type(settings)(**{**settings.__dict__,
                                            "redis_url": redis_server.url}))

    first, second = host("a"), host("b")  # separate folders: only Redis is shared
    with first.server.app_context():
        text = component_text(share_outputs({"title": "Across hosts",
                                              "views": [{"link": "/?view=noise"}]}))
    sid = text.split("/story/")[1][:32]
    assert valid_id(sid)
    page = second.server.test_client().get(f"/story/{sid}")
    assert page.status_code == 200 and "<h1>Across hosts</h1>" in page.get_data(as_text=True)
    assert not (tmp_path / "a" / "cache" / "stories").exists()


@pytest.mark.redis
def test_a_full_redis_evicts_cache_entries_and_keeps_stories(redis_server):
    """Under the deploy's policy (volatile-lru, 64 MB here) memory pressure evicts only keys
    with a TTL, the cache's entries; a shared story has none and stays."""
    store = RedisStoryStore.from_url(redis_server.url)
    shared = store.put(doc(7))
    client = redis_server.client()
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "volatile-lru"
    entry = b"c" * (1 << 20)
    for n in range(96):  # 96 MB of cache entries through a 64 MB server
        client.set(f"cache-entry-{n}", entry, ex=600)
    assert client.info("stats")["evicted_keys"] > 0
    assert client.dbsize() < 96 + 1
    assert store.get(shared) == doc(7)
