"""Colour bin tables on disk: built once per (colour space, bins), shared by every worker.

A table (:func:`dashboard.core.colour_lookup.build_bin_table`) holds the 3D-histogram bin of
each of the 2**24 colours, 32 MiB (up to 40 bins) or 64 MiB. It is written once, atomically,
to ``<folder>/<space>-<bins>.bin`` and then memory-mapped read-only by every process, so the
workers share one copy through the operating system's page cache instead of holding one each.

A file is trusted only if its size, header (magic, space, bins, item size) and CRC-32 of the
table agree and every entry is a bin of that grid (checked once per process, reading the file
rather than mapping it, so a worker's resident memory only holds the pages its look-ups
touch, and those are shared clean pages the system can drop and read again); anything else
(truncated, corrupted, from another version) is deleted and built again. Files are kept under
``max_bytes`` in total, the least recently opened removed first.

A table is built in a background thread of the process that first needs it, once the pair
``(space, bins)`` has been asked for ``build_after`` times (so a space tried once costs no
build), one build at a time per process, and one per pair across processes (a lock file);
until the table is there, :meth:`ColourTables.get` returns None and the caller converts the
image's distinct colours instead, which gives the same bins.
"""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import threading
import time
import zlib
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

from dashboard.core.colour_lookup import build_bin_table, table_bytes, table_dtype
from dashboard.core.colours import MAX_BINS, MIN_BINS, N_COLOURS
from dashboard.core.vocabulary import SPACES, validate_choice, validate_int
from dashboard.data.files import TEMP_PREFIX, TEMP_SUFFIX, write_atomically

logger = logging.getLogger(__name__)

#: Default bound on the bytes of all tables in the folder (about 12 tables of 16-40 bins).
TABLES_MAX_BYTES = 512 * 1024 * 1024
#: Tables mapped at once by one process (address space only: the pages are shared).
MAX_MAPPED = 6
#: Requests for a pair before its table is built.
BUILD_AFTER = 3
#: Bytes read at once while a table file is checked.
READ_CHUNK = 4 * 1024 * 1024
#: A temporary file left this long by a build that died is removed.
STALE_TEMP_SECONDS = 3600

_MAGIC = b"DCOLTAB1"
_HEADER = struct.Struct("<8s8sIII")  # magic, space, bins, item size, CRC-32 of the table
HEADER_BYTES = 64


def table_file_bytes(bins: int) -> int:
    """Size of the file of a table of ``bins`` per axis: header and table."""
    return HEADER_BYTES + table_bytes(bins)


def _header(space: str, bins: int, crc: int) -> bytes:
    packed = _HEADER.pack(_MAGIC, space.encode("ascii"), bins, table_dtype(bins).itemsize, crc)
    return packed.ljust(HEADER_BYTES, b"\0")


def _check_entries(handle, bins: int, crc: int) -> None:
    """Read the table after the header a few MiB at a time (read, not mapped, so the check
    adds nothing to the process's resident memory) and raise ValueError unless its CRC-32 is
    ``crc`` and every entry is a bin of the ``bins``³ grid."""
    dtype = table_dtype(bins)
    running = 0
    while chunk := handle.read(READ_CHUNK):
        running = zlib.crc32(chunk, running)
        if len(chunk) % dtype.itemsize or int(np.frombuffer(chunk, dtype).max()) >= bins**3:
            raise ValueError("entries beyond the grid")
    if running != crc:
        raise ValueError("checksum")


class ColourTables:
    """The bin tables of one folder, opened (and built when missing) on demand."""

    def __init__(self, folder: str | os.PathLike[str], *, max_bytes: int = TABLES_MAX_BYTES,
                 build_after: int = BUILD_AFTER, background: bool = True) -> None:
        self.folder = Path(folder)
        self.max_bytes = validate_int(max_bytes, "max_bytes", 0)
        self.build_after = validate_int(build_after, "build_after", 1)
        self.background = background
        self._lock = threading.Lock()
        self._build_slot = threading.Lock()
        self._mapped: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._asked: Counter[tuple[str, int]] = Counter()
        self._pending: set[tuple[str, int]] = set()
        self._failed: set[tuple[str, int]] = set()

    def path(self, space: str, bins: int) -> Path:
        """Where the table of ``(space, bins)`` is kept."""
        return self.folder / f"{space}-{bins}.bin"

    def get(self, space: str, bins: int) -> np.ndarray | None:
        """The table of ``(space, bins)`` if it is built and sound, else None (and, once the
        pair has been asked for ``build_after`` times, its build is started)."""
        key = (validate_choice(space, "space", SPACES), validate_int(bins, "bins", MIN_BINS,
                                                                    MAX_BINS))
        with self._lock:
            table = self._mapped.get(key)
            if table is not None:
                self._mapped.move_to_end(key)
                return table
            self._asked[key] += 1
            wanted = (
                self._asked[key] >= self.build_after
                and key not in self._pending | self._failed
                and table_file_bytes(key[1]) <= self.max_bytes
            )
            if wanted and self.background:
                self._pending.add(key)
        table = self._open(*key)
        if table is not None:
            with self._lock:
                self._pending.discard(key)
            return self._remember(key, table)
        if wanted and self.background:
            threading.Thread(target=self._build_quietly, args=key, daemon=True,
                             name=f"colour-table-{key[0]}-{key[1]}").start()
        elif wanted:
            return self.build(*key, wait=True)
        return None

    def build(self, space: str, bins: int, *, wait: bool = True) -> np.ndarray | None:
        """Build, write and map the table of ``(space, bins)`` unless a sound one is on disk.

        With ``wait=False`` nothing is done (None) while this process or another one is
        building the same table.
        """
        key = (validate_choice(space, "space", SPACES), validate_int(bins, "bins", MIN_BINS,
                                                                    MAX_BINS))
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self._build_slot.acquire(blocking=wait):
            return None
        try:
            with open(self.folder / f".{space}-{bins}.lock", "a+b") as lock_file:
                flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
                try:
                    fcntl.flock(lock_file.fileno(), flags)
                except BlockingIOError:
                    return None
                table = self._open(*key)  # another process may have built it meanwhile
                if table is None:
                    self._write(*key)
                    table = self._open(*key)
        finally:
            self._build_slot.release()
        return None if table is None else self._remember(key, table)

    def _build_quietly(self, space: str, bins: int) -> None:
        try:
            self.build(space, bins, wait=False)
        except (OSError, ValueError, MemoryError) as error:
            # The histogram is still right without a table, only slower: do not try again here.
            logger.warning("colour table %s-%s not built: %s", space, bins, error)
            with self._lock:
                self._failed.add((space, bins))
        finally:
            with self._lock:
                self._pending.discard((space, bins))

    def _write(self, space: str, bins: int) -> None:
        if table_file_bytes(bins) > self.max_bytes:
            raise ValueError(f"a table of {bins} bins ({table_file_bytes(bins)} bytes) does not "
                             f"fit in max_bytes={self.max_bytes}")
        buffer = bytearray(table_file_bytes(bins))
        table = np.frombuffer(buffer, dtype=table_dtype(bins), count=N_COLOURS,
                              offset=HEADER_BYTES)
        build_bin_table(space, bins, out=table)
        buffer[:HEADER_BYTES] = _header(space, bins, zlib.crc32(table))
        self._prune(room_for=len(buffer))
        write_atomically(self.path(space, bins), buffer)

    def _open(self, space: str, bins: int) -> np.ndarray | None:
        """The mapped table if its file is sound; a file that is not is deleted."""
        path = self.path(space, bins)
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                header = handle.read(HEADER_BYTES)
                if size != table_file_bytes(bins) or len(header) != HEADER_BYTES:
                    raise ValueError(f"size {size}")
                magic, stored_space, stored_bins, itemsize, crc = _HEADER.unpack_from(header)
                if (magic, stored_space.rstrip(b"\0"), stored_bins, itemsize) != (
                    _MAGIC, space.encode("ascii"), bins, table_dtype(bins).itemsize
                ):
                    raise ValueError("header")
                _check_entries(handle, bins, crc)
            table = np.memmap(path, dtype=table_dtype(bins), mode="r", offset=HEADER_BYTES,
                              shape=(N_COLOURS,)).view(np.ndarray)
            os.utime(path)  # recently used: pruned last
        except FileNotFoundError:
            return None
        except (OSError, ValueError, struct.error) as error:
            logger.warning("colour table %s is unsound (%s): building it again", path.name, error)
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            return None
        return table

    def _remember(self, key: tuple[str, int], table: np.ndarray) -> np.ndarray:
        with self._lock:
            self._mapped[key] = table
            self._mapped.move_to_end(key)
            while len(self._mapped) > MAX_MAPPED:
                self._mapped.popitem(last=False)
        return table

    def _prune(self, room_for: int) -> None:
        """Delete the least recently used tables until ``room_for`` more bytes fit under
        ``max_bytes``, and temporary files a dead build left behind."""
        now = time.time()
        tables = []
        for entry in self.folder.iterdir():
            try:
                stat = entry.stat()
            except OSError:
                continue
            if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                if now - stat.st_mtime > STALE_TEMP_SECONDS:
                    entry.unlink(missing_ok=True)
            elif entry.suffix == ".bin":
                tables.append((stat.st_mtime, stat.st_size, entry))
        tables.sort()
        total = sum(size for _, size, _ in tables)
        for _, size, entry in tables:
            if total + room_for <= self.max_bytes:
                break
            entry.unlink(missing_ok=True)
            total -= size


__all__ = ["HEADER_BYTES", "TABLES_MAX_BYTES", "ColourTables", "table_file_bytes"]
