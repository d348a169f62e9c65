"""The shipped snapshot of the paintings' colour statistics: the same numbers as the index,
to the bit; small; damaged files refused with a reason; checked against the images."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.cli.main import main
from dashboard.core.vocabulary import SPACES
from dashboard.data.corpus_index import build_index, index_files
from dashboard.data.image_stats import ROW_FIELDS
from dashboard.data.index_engine import Engine
from dashboard.data.snapshot import (
    DEFAULT_SNAPSHOT,
    MAX_SNAPSHOT_BYTES,
    SnapshotError,
    compare_rows,
    live_rows,
    read_snapshot,
    read_snapshot_rows,
    snapshot_path,
    write_snapshot,
)


def assert_same_index(left, right) -> None:
    assert left.ids == right.ids and left.sha256 == right.sha256
    assert left.periods == right.periods and left.years == right.years
    for name in ("pmfs", "palette_colours", "palette_shares", "stats", "n_pixels"):
        assert getattr(left, name).tobytes() == getattr(right, name).tobytes(), name
    for space in SPACES:
        assert left.histograms[space].tobytes() == right.histograms[space].tobytes(), space


def test_a_snapshot_reads_back_as_the_live_index(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    settings = tiny_corpus.settings
    ids, rows, skipped = live_rows(corpus, settings)
    assert ids == ["red-field-1884", "green-street-1887", "blue-night-1888"] and skipped == []
    path = snapshot_path(settings)
    assert path == tiny_corpus.catalogue_path.parent / "colour_statistics.npz"
    size = write_snapshot(path, ids, rows, max_side=settings.max_side)
    assert 0 < size == path.stat().st_size < 100_000
    live, _ = build_index(corpus, None)
    assert_same_index(read_snapshot(path, corpus), live)
    # Integer counts are stored as integers: the PMFs are counts / pixels again.
    _, _, stored = read_snapshot_rows(path)
    assert stored[0]["channel_counts"].dtype == np.uint32
    assert int(stored[0]["channel_counts"][0].sum()) == 48 * 32
    np.testing.assert_array_equal(live.pmfs[0], stored[0]["channel_counts"] / (48 * 32))


def test_paintings_no_longer_catalogued_are_left_out(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    ids, rows, _ = live_rows(corpus, tiny_corpus.settings)
    path = tiny_corpus.root / "snap.npz"
    write_snapshot(path, ["gone-1880", *ids[1:]], rows, max_side=1024)
    assert read_snapshot(path, corpus).ids == tuple(ids[1:])


@pytest.mark.parametrize("damage", ["missing", "junk", "truncated", "version", "spaces"])
def test_an_unusable_snapshot_is_refused_with_a_reason(tiny_corpus, damage) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    ids, rows, _ = live_rows(corpus, tiny_corpus.settings)
    path = tiny_corpus.root / "snap.npz"
    write_snapshot(path, ids, rows, max_side=1024)
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "junk":
        path.write_bytes(b"not a snapshot")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        with np.load(path) as stored:
            arrays = dict(stored)
        if damage == "version":
            arrays["row_version"] = np.array(1)
        else:
            arrays["spaces"] = np.array(["rgb"])
        np.savez_compressed(path, **arrays)
    expected = {"missing": "no snapshot", "junk": "cannot be read", "truncated": "cannot be read",
                "version": "another index version", "spaces": "colour spaces"}[damage]
    with pytest.raises(SnapshotError, match=expected):
        read_snapshot(path, corpus)


def test_compare_rows_names_each_difference(tiny_corpus) -> None:
    corpus = tiny_corpus.corpus(include_samples=False)
    ids, rows, _ = live_rows(corpus, tiny_corpus.settings)
    live = dict(zip(ids, rows, strict=True))
    assert compare_rows(live, live) == []
    nudged = rows[0]["stats"].copy()
    nudged[0] = np.nextafter(nudged[0], np.inf)  # one unit in the last place
    changed = {**live, ids[0]: {**rows[0], "stats": nudged}}
    assert compare_rows(changed, live) == [f"{ids[0]}: stats differs"]
    assert compare_rows({k: v for k, v in live.items() if k != ids[1]}, live) == [
        f"{ids[1]}: in the live index, not in the snapshot"]


def test_snapshot_command_writes_then_checks(tiny_corpus, capsys) -> None:
    settings = tiny_corpus.settings
    assert main(["data", "snapshot", "--serial", "--no-progress"], settings=settings) == 0
    out = capsys.readouterr().out
    assert "snapshot of 3 paintings written to" in out
    assert snapshot_path(settings).is_file()
    assert main(["data", "snapshot", "--check", "--serial", "--no-progress"],
                settings=settings) == 0
    assert "matches the 3 paintings' live index, bit for bit" in capsys.readouterr().out
    # Another image: the check fails and says which painting differs.
    (tiny_corpus.artworks_dir / "blue-night-1888.jpg").write_bytes(
        tiny_corpus.files["red-field-1884"])
    assert main(["data", "snapshot", "--check", "--serial", "--no-progress"],
                settings=settings) == 1
    assert "blue-night-1888: another image file" in capsys.readouterr().out


def test_snapshot_command_without_images_is_bad_usage(tiny_corpus, tmp_path, capsys) -> None:
    code = main(["data", "snapshot", "--serial", "--artworks-dir", str(tmp_path / "none")],
                settings=tiny_corpus.settings)
    assert code == 2 and "none is present" in capsys.readouterr().err


def test_the_shipped_snapshot_is_small_and_complete() -> None:
    assert DEFAULT_SNAPSHOT.stat().st_size <= MAX_SNAPSHOT_BYTES
    info, ids, rows = read_snapshot_rows(DEFAULT_SNAPSHOT)
    assert info.spaces == SPACES and len(ids) == len(set(ids)) >= 70
    for row in rows:
        assert len(row["sha256"]) == 64 and row["n_pixels"] > 0
        for field in ROW_FIELDS:
            if field.name.startswith("hist_"):
                assert int(row[field.name].sum()) == row["n_pixels"]


@pytest.mark.corpus
@pytest.mark.slow
def test_the_shipped_snapshot_equals_a_fresh_build(real_corpus, real_settings) -> None:
    _, ids, rows = read_snapshot_rows(DEFAULT_SNAPSHOT)
    paintings = list(real_corpus.catalogue)
    result = index_files([real_corpus.path(a.id) for a in paintings], None,
                         engine=Engine("local", workers=2), max_side=real_settings.max_side,
                         max_pixels=real_settings.max_pixels)
    assert result.errors == {}
    live = dict(zip([a.id for a in paintings], result.load_rows(list(range(len(paintings)))),
                    strict=True))
    assert compare_rows(dict(zip(ids, rows, strict=True)), live) == []
