"""Indexing at scale: a generated collection indexed serially and on Dask workers.

Run with ``python -m benchmarks.bench_index [--images 2000] [--side 1024] [--workers 2]``.
It writes ``--images`` generated JPEG images (quality 90, ``--side`` pixels square, seeded
colour fields with a ramp and noise; never artworks) to a temporary folder, then indexes them
into a fresh Parquet dataset twice with the same pure per-image function:

1. serially, in a child process (the baseline: one image at a time, one BLAS thread as
   ``data index --serial`` runs);
2. on a ``dask.distributed`` LocalCluster of ``--workers`` processes, one thread each, as
   ``data index`` starts it (``index_engine.local_cluster``).

It prints images/s for each, the speed-up, the peak resident memory of the serial process and
of each Dask worker (``ru_maxrss``), checks that both datasets hold the same rows bit for
bit, and projects the time of an 80,000-image collection on N workers from the measured rate
per worker and the measured scaling efficiency.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard.cli.parsing import OneLineParser, positive_int

PROJECTED_IMAGES = 80_000
PROJECTED_WORKERS = (2, 8, 32, 128)

SERIAL_CHILD = """
import json, resource, sys, time
from pathlib import Path
from dashboard.data.corpus_index import index_files
paths = sorted(Path(sys.argv[1]).glob("*.jpg"))
started, cpu = time.perf_counter(), time.process_time()
result = index_files(paths, Path(sys.argv[2]), max_side=int(sys.argv[3]))
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "computed": len(result.computed),
                  "errors": len(result.errors),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def child_environment() -> dict[str, str]:
    """The serial child's environment: one BLAS thread, as ``python -m dashboard data index
    --serial`` runs (config.limit_native_threads) and as each Dask worker runs."""
    from dashboard.config import limit_native_threads

    environ = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    limit_native_threads(environ)
    return environ


def write_collection(folder: Path, n: int, side: int) -> list[Path]:
    """``n`` generated ``side`` x ``side`` JPEG images."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        rng = np.random.default_rng(i)
        base = rng.integers(30, 225, size=3)
        ramp = np.linspace(-40, 40, side, dtype=np.float32)[None, :, None]
        noise = rng.normal(0, 18, size=(side, side, 3)).astype(np.float32)
        pixels = np.clip(base + ramp + noise, 0, 255).astype(np.uint8)
        path = folder / f"img-{i:05d}.jpg"
        Image.fromarray(pixels).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def warm_up() -> bool:
    """Load the per-image code in a worker, lazy imports included, on a tiny image (the
    serial child's first image pays for the same loads inside its timing)."""
    import numpy as np

    from dashboard.data.image_stats import pixel_statistics

    pixel_statistics(np.zeros((4, 4, 3), dtype=np.uint8))
    return True


def worker_cpu_seconds() -> float:
    """CPU time of this worker process so far (user + system), seconds."""
    return time.process_time()


def worker_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m benchmarks.bench_index", description=__doc__)
    parser.add_argument("--images", type=positive_int, default=2000)
    parser.add_argument("--side", type=positive_int, default=1024)
    parser.add_argument("--workers", type=positive_int, default=2)
    args = parser.parse_args(argv)

    from dask.distributed import Client

    from dashboard.data.corpus_index import index_files
    from dashboard.data.image_stats import ROW_FIELDS
    from dashboard.data.index_engine import Engine, local_cluster
    from dashboard.data.index_store import IndexDataset

    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        paths = write_collection(root / "images", args.images, args.side)
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        print(f"wrote {len(paths)} images of {args.side} x {args.side} px ({megabytes:.0f} MB) "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        load = os.getloadavg()[0]

        child = subprocess.run(
            [sys.executable, "-c", SERIAL_CHILD, str(root / "images"), str(root / "serial"),
             str(args.side)],
            capture_output=True, text=True, check=True,
            env=child_environment())
        serial = json.loads(child.stdout.strip().splitlines()[-1])
        serial_rate = serial["computed"] / serial["seconds"]
        print(f"serial: {serial['computed']} images in {serial['seconds']:.1f} s, "
              f"{serial_rate:.2f} images/s, {serial['cpu'] / serial['computed']:.2f} s of CPU "
              f"per image, peak {serial['peak_kib'] / 1024:.0f} MiB", flush=True)

        started = time.perf_counter()
        cluster = local_cluster(args.workers)
        client = Client(cluster)
        try:
            client.run(warm_up)
            print(f"cluster of {args.workers} workers started and warmed up in "
                  f"{time.perf_counter() - started:.1f} s (not counted below)", flush=True)
            engine = Engine("scheduler", address=cluster.scheduler_address)
            cpu_before = client.run(worker_cpu_seconds)
            started = time.perf_counter()
            result = index_files(paths, root / "dask", engine=engine, max_side=args.side)
            dask_seconds = time.perf_counter() - started
            cpu_after = client.run(worker_cpu_seconds)
            peaks = client.run(worker_peak_kib)
        finally:
            client.close()
            cluster.close()
        dask_rate = len(result.computed) / dask_seconds
        worker_cpu = sum(cpu_after[w] - cpu_before[w] for w in cpu_after)
        load_after = os.getloadavg()[0]
        print(f"dask, {args.workers} workers: {len(result.computed)} images in "
              f"{dask_seconds:.1f} s, {dask_rate:.2f} images/s, "
              f"{worker_cpu / len(result.computed):.2f} s of worker CPU per image; peak per worker "
              + ", ".join(f"{kib / 1024:.0f} MiB" for kib in peaks.values()))
        speedup = dask_rate / serial_rate
        efficiency = speedup / args.workers
        print(f"speed-up {speedup:.2f}x on {args.workers} workers "
              f"(efficiency {efficiency:.0%}); 1-min load average {load:.1f} before, "
              f"{load_after:.1f} after")

        serial_rows = IndexDataset(root / "serial").read()
        dask_rows = IndexDataset(root / "dask").read()
        same = sorted(serial_rows) == sorted(dask_rows) and all(
            serial_rows[d][f.name].tobytes() == dask_rows[d][f.name].tobytes()
            for d in serial_rows for f in ROW_FIELDS)
        print(f"serial and Dask rows identical bit for bit: {same}")

        per_worker = serial_rate * min(efficiency, 1.0)
        print(f"projected for {PROJECTED_IMAGES:,} images (each worker at "
              f"{per_worker:.2f} images/s, the measured rate times the measured efficiency):")
        for n in PROJECTED_WORKERS:
            hours = PROJECTED_IMAGES / (per_worker * n) / 3600
            print(f"  {n:4d} workers: {hours:6.2f} h")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
