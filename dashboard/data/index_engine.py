"""Where the per-image statistics are computed: in this process, or on Dask distributed.

:class:`Engine` says which: ``serial`` (this process, one image at a time), ``local`` (a
``dask.distributed`` LocalCluster of worker processes, one thread each, started for the build
and stopped after it) or ``scheduler`` (an existing cluster at a scheduler address, whose
workers must see the same files at the same paths). Each image is one task of the pure
function :func:`dashboard.data.image_stats.image_statistics`, so the rows do not depend on
the engine. Dask is imported only here and only when a cluster is asked for: the app never
loads it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from dashboard.data.image_stats import image_statistics

ENGINE_KINDS = ("serial", "local", "scheduler")
#: Seconds to wait for an existing scheduler to answer.
CONNECT_TIMEOUT_S = 10


class EngineError(RuntimeError):
    """The cluster could not be started or reached; the message says which and why."""


@dataclass(frozen=True)
class Engine:
    """How to run the per-image tasks.

    ``workers`` is the LocalCluster's process count (default: the machine's cores);
    ``address`` the scheduler of an existing cluster (``tcp://host:port``).
    """

    kind: str = "serial"
    workers: int | None = None
    address: str | None = None
    connect_timeout: float = CONNECT_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.kind not in ENGINE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(ENGINE_KINDS)}; got {self.kind!r}")
        if self.kind == "scheduler" and not self.address:
            raise ValueError("a scheduler engine needs the scheduler's address")
        if self.workers is not None and (isinstance(self.workers, bool)
                                         or not isinstance(self.workers, int)
                                         or self.workers < 1):
            raise ValueError(f"workers must be a positive integer; got {self.workers!r}")

    def describe(self) -> str:
        """In words, for the command's summary."""
        if self.kind == "serial":
            return "serial (this process)"
        if self.kind == "local":
            return f"Dask LocalCluster, {self.local_workers()} worker processes"
        return f"Dask cluster at {self.address}"

    def local_workers(self) -> int:
        return self.workers or os.cpu_count() or 1


SERIAL = Engine()


def compute_rows(
    paths: list[str], engine: Engine, **options: int
) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield ``(position in paths, row)`` for every path as rows complete (any order).

    ``options`` are the keyword arguments of :func:`image_statistics` (``max_side``,
    ``max_pixels``, ``max_bytes``).
    """
    if not paths:
        return
    if engine.kind == "serial":
        for i, path in enumerate(paths):
            yield i, image_statistics(path, **options)
        return
    yield from _dask_rows(paths, engine, options)


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` processes on 127.0.0.1, one thread each.

    Dask's nannies set ``MALLOC_TRIM_THRESHOLD_`` in their workers by default. A fixed trim
    threshold switches off glibc's adaptive mmap threshold, so every large numpy temporary is
    mapped and page-faulted afresh: on the Van Gogh paintings a worker then spent 2.6 times
    the CPU of this process per image (12.7 s against 4.8 s for 30 paintings). The workers
    get the other variables (one BLAS thread each) without it.
    """
    import dask
    from dask.distributed import LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        # On loopback only; its HTTP endpoints on a free port (8787 may be taken).
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address="127.0.0.1:0",
                            silence_logs=logging.ERROR)


def _dask_rows(paths: list[str], engine: Engine, options: dict[str, int]):
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - requirements.txt pins it
        raise EngineError(f"Dask distributed is not installed ({exc}); "
                          "pip install -r requirements.txt, or use --serial") from None
    cluster = None
    try:
        if engine.kind == "local":
            cluster = local_cluster(engine.local_workers())
            client = Client(cluster)
        else:
            client = Client(engine.address, timeout=f"{engine.connect_timeout}s")
    except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
        if cluster is not None:
            cluster.close()
        where = engine.address or "a LocalCluster"
        raise EngineError(f"cannot use {where}: {str(exc)[:200]}") from None
    try:
        futures = client.map(image_statistics, paths, pure=False, **options)
        positions = {future.key: i for i, future in enumerate(futures)}
        try:
            for future, row in as_completed(futures, with_results=True):
                yield positions[future.key], row
                future.release()
        except Exception as exc:  # noqa: BLE001 - a lost worker, a cluster shut down...
            # The per-image function never raises for a bad file, so this is the cluster's.
            raise EngineError(f"the cluster failed while indexing ({type(exc).__name__}: "
                              f"{str(exc)[:200]}); the rows already computed are kept, run "
                              "the command again to go on") from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
