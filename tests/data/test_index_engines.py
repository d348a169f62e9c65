"""The index built serially, on a LocalCluster and on a separate Dask scheduler and worker
(real processes on 127.0.0.1): the same rows, bit for bit; an interrupted build resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from dashboard.data.corpus_index import index_files
from dashboard.data.image_stats import ROW_FIELDS, image_statistics
from dashboard.data.index_engine import Engine, EngineError
from dashboard.data.index_store import IndexDataset
from tests.support.image_folder import write_images
from tests.support.processes import REPO_ROOT, free_port, stop_process, wait_until


def assert_same_rows(left: dict, right: dict) -> None:
    assert sorted(left) == sorted(right)
    for digest, row in left.items():
        other = right[digest]
        assert row["n_pixels"] == other["n_pixels"] and row["error"] == other["error"]
        for field in ROW_FIELDS:
            assert row[field.name].dtype == other[field.name].dtype
            # Bit for bit: compare the bytes, not the values (0.0 == -0.0, NaN != NaN).
            assert row[field.name].tobytes() == other[field.name].tobytes(), field.name


@pytest.fixture
def images(tmp_path):
    return write_images(tmp_path / "images", 10, side=20)


def build(paths, folder, engine):
    result = index_files(paths, folder, engine=engine)
    assert result.errors == {} and sorted(result.computed) == list(range(len(paths)))
    return IndexDataset(folder).read()


def test_rows_hold_exact_counts(images) -> None:
    row = image_statistics(str(images[0]), max_side=1024, max_pixels=10**6, max_bytes=10**6)
    assert row["error"] == "" and row["n_pixels"] == 400
    assert row["channel_counts"].dtype == np.uint32
    assert row["channel_counts"].sum(axis=1).tolist() == [400, 400, 400]
    for field in ROW_FIELDS:
        if field.name.startswith("hist_"):
            assert int(row[field.name].sum()) == 400


def test_serial_local_cluster_and_external_scheduler_agree(images, tmp_path) -> None:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    # The scheduler and worker start while the serial and LocalCluster builds run.
    scheduler = subprocess.Popen(
        ["dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--no-dashboard", "--no-show"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    worker = subprocess.Popen(
        ["dask", "worker", address, "--no-nanny", "--nthreads", "1", "--no-dashboard",
         "--host", "127.0.0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        serial = build(images, tmp_path / "serial", Engine("serial"))
        local = build(images, tmp_path / "local", Engine("local", workers=2))
        external = build(images, tmp_path / "external", Engine("scheduler", address=address))
    finally:
        for process in (worker, scheduler):
            stop_process(process, timeout=15)
    assert_same_rows(serial, local)
    assert_same_rows(serial, external)


def test_an_unreachable_scheduler_is_a_clear_error(images, tmp_path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(EngineError, match=f"cannot use {address}"):
        index_files(images, tmp_path / "index",
                    engine=Engine("scheduler", address=address, connect_timeout=1))


RESUMABLE_BUILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dashboard.data.corpus_index import index_files
    paths = sorted(Path(sys.argv[1]).iterdir())
    index_files(paths, Path(sys.argv[2]), write_every=1)
""")


def test_an_interrupted_build_resumes_without_recomputing(tmp_path) -> None:
    # Big enough that the build is still running when it is killed.
    # Killed after its second row, with ~60 images of tens of ms each still to go.
    paths = write_images(tmp_path / "images", 64, side=256, formats=(("png", "PNG"),))
    folder = tmp_path / "index"
    process = subprocess.Popen(
        [sys.executable, "-c", RESUMABLE_BUILD, str(tmp_path / "images"), str(folder)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, cwd=REPO_ROOT)
    try:
        wait_until(lambda: len(IndexDataset(folder).parts()) >= 2, timeout=60,
                   what="two rows written", interval=0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    stored = IndexDataset(folder).read()
    assert 2 <= len(stored) < len(paths), "the build should have been cut short"
    result = index_files(paths, folder)
    done = {i for i, digest in enumerate(result.digests) if digest in stored}
    assert set(result.reused) == done
    assert set(result.computed) == set(range(len(paths))) - done
    # The rows finished before the kill are kept as they were written.
    again = IndexDataset(folder).read()
    assert len(again) == len(paths)
    assert_same_rows({d: again[d] for d in stored}, stored)


def test_the_app_and_serve_never_import_dask_or_pyarrow() -> None:
    probe = ("import sys, dashboard.app, dashboard.cli.main, dashboard.data.corpus_index; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'dask', 'distributed', 'pyarrow'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO_ROOT, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
