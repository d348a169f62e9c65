"""The Parquet dataset: parts written whole, read back exactly, folded into one."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.data.image_stats import ROW_FIELDS, image_statistics
from dashboard.data.index_store import IndexDataset
from tests.support.image_folder import write_images


@pytest.fixture
def rows(tmp_path):
    paths = write_images(tmp_path / "images", 5, side=16)
    return [image_statistics(str(p), max_side=1024, max_pixels=10**6, max_bytes=10**6)
            for p in paths]


def same(a: dict, b: dict) -> bool:
    return a["sha256"] == b["sha256"] and all(
        np.asarray(a[f.name], dtype=f.dtype).tobytes() == b[f.name].tobytes()
        for f in ROW_FIELDS)


def test_rows_round_trip_exactly(tmp_path, rows):
    dataset = IndexDataset(tmp_path / "index")
    assert dataset.append([]) is None and dataset.parts() == []
    dataset.append(rows[:3])
    dataset.append(rows[3:])
    stored = dataset.read()
    assert len(dataset.parts()) == 2 and len(stored) == 5
    assert all(same(r, stored[r["sha256"]]) for r in rows)
    assert list(dataset.read([rows[1]["sha256"]])) == [rows[1]["sha256"]]
    batches = list(dataset.iter_batches(batch_rows=2))
    assert [len(b["sha256"]) for b in batches] == [2, 1, 2]
    assert not list((tmp_path / "index").glob(".*"))  # no temporary file left behind


def test_compaction_folds_parts_drops_repeats_and_unkept_rows(tmp_path, rows):
    dataset = IndexDataset(tmp_path / "index")
    dataset.append(rows[:3])
    dataset.append(rows[2:])  # rows[2] twice
    (tmp_path / "index" / "part-0-damaged.parquet").write_bytes(b"junk")
    keep = {r["sha256"] for r in rows[1:]}
    assert dataset.compact(keep) == 1  # rows[0] dropped; the repeat is not a row dropped
    (part,) = dataset.parts()
    stored = dataset.read()
    assert sorted(stored) == sorted(keep)
    assert all(same(r, stored[r["sha256"]]) for r in rows[1:])
    assert dataset.compact() == 0 and len(dataset.parts()) == 1
