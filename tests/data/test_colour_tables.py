"""Bin tables on disk: built once, shared, and rebuilt when a file is not sound."""

import os
import shutil
import time
import zlib

import numpy as np
import pytest

from dashboard.core.colour_lookup import build_bin_table
from dashboard.core.colours import colour_histogram
from dashboard.data.colour_tables import (
    HEADER_BYTES,
    ColourTables,
    _header,
    table_file_bytes,
)


@pytest.fixture(scope="module")
def rgb_table_8() -> np.ndarray:
    return build_bin_table("rgb", 8)


@pytest.fixture(scope="module")
def rgb_file_8(tmp_path_factory):
    """A table file written by the store once for the module."""
    folder = tmp_path_factory.mktemp("tables")
    assert ColourTables(folder, background=False, build_after=1).get("rgb", 8) is not None
    return folder / "rgb-8.bin"


def test_built_once_then_opened_from_disk(rgb_file_8, rgb_table_8):
    path = rgb_file_8
    assert path.stat().st_size == table_file_bytes(8) == HEADER_BYTES + 2**25
    inode = path.stat().st_ino
    # another process (a new store) maps the same file instead of building it again
    other = ColourTables(path.parent, background=False, build_after=1)
    table = other.get("rgb", 8)
    np.testing.assert_array_equal(table, rgb_table_8)
    assert path.stat().st_ino == inode  # not rewritten
    assert not table.flags.writeable and type(table) is np.ndarray
    assert other.get("rgb", 8) is table  # kept mapped in the process


def test_nothing_is_built_before_the_pair_is_asked_for_often_enough(tmp_path):
    tables = ColourTables(tmp_path, background=False, build_after=3)
    assert tables.get("rgb", 8) is None and tables.get("rgb", 8) is None
    assert not (tmp_path / "rgb-8.bin").exists()
    assert tables.get("rgb", 8) is not None  # the third request builds it


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "bad header", "out of range",
                                    "empty", "a folder"])
def test_an_unsound_file_is_rebuilt(tmp_path, rgb_file_8, rgb_table_8, damage):
    path = tmp_path / "rgb-8.bin"
    shutil.copy(rgb_file_8, path)
    if damage == "truncate":
        with open(path, "r+b") as handle:
            handle.truncate(HEADER_BYTES + 1000)
    elif damage == "flip a byte":
        with open(path, "r+b") as handle:
            handle.seek(HEADER_BYTES + 123_456)
            byte = handle.read(1)
            handle.seek(HEADER_BYTES + 123_456)
            handle.write(bytes([byte[0] ^ 0x01]))
    elif damage == "bad header":
        with open(path, "r+b") as handle:
            handle.write(b"NOTATABL")
    elif damage == "out of range":
        # right size, header and checksum, but entries beyond the 8**3 bins of the grid
        table = np.full(2**24, 600, dtype=np.uint16)
        path.write_bytes(_header("rgb", 8, zlib.crc32(table)) + table.tobytes())
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        path.mkdir()
    fresh = ColourTables(tmp_path, background=False, build_after=1)
    if damage == "a folder":
        # a folder where the file should be cannot be replaced: no table, and no crash
        with pytest.raises(OSError):
            fresh.get("rgb", 8)
        return
    np.testing.assert_array_equal(fresh.get("rgb", 8), rgb_table_8)
    assert path.stat().st_size == table_file_bytes(8)


def test_disk_use_is_bounded_least_recently_used_first(tmp_path):
    bound = 2 * table_file_bytes(8) + 100  # room for two tables
    tables = ColourTables(tmp_path, background=False, build_after=1, max_bytes=bound)
    for bins in (8, 9):
        tables.get("rgb", bins)
    old = time.time() - 60
    os.utime(tmp_path / "rgb-8.bin", (old, old))
    os.utime(tmp_path / "rgb-9.bin", (old + 30, old + 30))
    stale = tmp_path / ".tmp-dead.part"
    stale.write_bytes(b"x")
    os.utime(stale, (old - 7200, old - 7200))
    tables.get("rgb", 10)
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".rgb"))
    assert names == ["rgb-10.bin", "rgb-9.bin"]  # the oldest table and the dead temp file went
    # a table larger than the bound is never written
    small = ColourTables(tmp_path / "small", background=False, build_after=1, max_bytes=1000)
    assert small.get("rgb", 8) is None
    assert not (tmp_path / "small").exists()


def test_background_build_serves_none_until_the_table_is_there(tmp_path, rgb_table_8):
    # the first request starts the build and is answered without a table
    tables = ColourTables(tmp_path, build_after=1)
    assert tables.get("rgb", 8) is None  # the build has started in a thread
    deadline = time.monotonic() + 60
    table = None
    while table is None and time.monotonic() < deadline:
        time.sleep(0.2)
        table = tables.get("rgb", 8)
    np.testing.assert_array_equal(table, rgb_table_8)
    rgb = np.random.default_rng(0).integers(0, 256, (20, 20, 3), dtype=np.uint8)
    np.testing.assert_array_equal(colour_histogram(rgb, "rgb", 8).counts,
                                  colour_histogram(rgb, "rgb", 8, bin_table=table).counts)


def test_an_unwritable_folder_leaves_the_histograms_to_the_slow_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"not a folder")
    tables = ColourTables(blocker / "tables", build_after=1)
    assert tables.get("rgb", 8) is None
    time.sleep(0.5)  # the background build fails, logs and is not tried again
    assert tables.get("rgb", 8) is None
    assert ("rgb", 8) in tables._failed


def test_bad_arguments_are_named(tmp_path):
    tables = ColourTables(tmp_path)
    with pytest.raises(ValueError, match="space must be one of"):
        tables.get("cmyk", 8)
    with pytest.raises(ValueError, match="bins must be an integer in 8..64"):
        tables.get("lab", 100)
