"""The index on disk: a Parquet dataset, one row per image file, keyed by its SHA-256.

A folder of ``part-*.parquet`` files, each written whole under a temporary name and then
renamed, so a reader or a crash never sees half a file and rows already written survive an
interrupted build. Every array of a row (:data:`dashboard.data.image_stats.ROW_FIELDS`) is a
fixed-size list column; a row's ``sha256`` names the file's bytes, so an unchanged file is
never computed twice. :meth:`IndexDataset.compact` folds the parts into one file.

pyarrow is imported only by the functions that read or write, so importing this module costs
nothing.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from dashboard.data.image_stats import ROW_FIELDS, ROW_VERSION, RowField

PART_PREFIX = "part-"
PART_SUFFIX = ".parquet"
#: Rows per record batch when streaming a dataset (bounded memory on big collections).
READ_BATCH_ROWS = 256
_SCALARS = (("sha256", "string"), ("error", "string"), ("n_pixels", "int64"))


def _schema(fields: tuple[RowField, ...]):
    import pyarrow as pa

    columns = [pa.field(name, getattr(pa, kind)()) for name, kind in _SCALARS]
    columns += [pa.field(f.name, pa.list_(getattr(pa, f.dtype)(), f.size)) for f in fields]
    return pa.schema(columns, metadata={"dashboard.row_version": str(ROW_VERSION)})


def rows_to_table(rows: list[dict[str, object]], fields: tuple[RowField, ...] = ROW_FIELDS):
    """A pyarrow Table of ``rows`` (dicts of :func:`image_statistics`), one row each."""
    import pyarrow as pa

    schema = _schema(fields)
    columns = [pa.array([r[name] for r in rows], type=schema.field(name).type)
               for name, _ in _SCALARS]
    for f in fields:
        flat = np.stack([np.asarray(r[f.name], dtype=f.dtype).reshape(-1) for r in rows]) \
            if rows else np.zeros((0, f.size), dtype=f.dtype)
        columns.append(pa.FixedSizeListArray.from_arrays(pa.array(flat.reshape(-1)), f.size))
    return pa.Table.from_arrays(columns, schema=schema)


def table_arrays(table, fields: tuple[RowField, ...] = ROW_FIELDS) -> dict[str, np.ndarray]:
    """Columns of a Table as numpy: scalars ``(N,)``, arrays ``(N, *shape)`` in their dtype."""
    n = table.num_rows
    out: dict[str, np.ndarray] = {}
    for name, _ in _SCALARS:
        out[name] = np.asarray(table.column(name).to_pylist(), dtype=object if name != "n_pixels"
                               else np.int64)
    for f in fields:
        column = table.column(f.name).combine_chunks()
        values = column.flatten().to_numpy(zero_copy_only=False)
        out[f.name] = np.asarray(values, dtype=f.dtype).reshape((n, *f.shape))
    return out


class IndexDataset:
    """The Parquet dataset of one index folder (created on the first write)."""

    def __init__(self, folder: str | Path, fields: tuple[RowField, ...] = ROW_FIELDS) -> None:
        self.folder = Path(folder)
        self.fields = fields

    def parts(self) -> list[Path]:
        """Part files in the order they were written."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob(f"{PART_PREFIX}*{PART_SUFFIX}") if p.is_file())

    def _readable(self, path: Path):
        """The part as a Table, or None (with a warning) if it is damaged or of another
        version or colour-space set."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            warnings.warn(f"index: ignored the damaged part {path.name} ({type(exc).__name__})",
                          UserWarning, stacklevel=3)
            return None
        if not table.schema.equals(_schema(self.fields), check_metadata=False):
            warnings.warn(f"index: ignored {path.name}, written by another index version",
                          UserWarning, stacklevel=3)
            return None
        return table

    def tables(self) -> Iterator:
        """Every readable part as a Table, oldest first."""
        for path in self.parts():
            table = self._readable(path)
            if table is not None:
                yield table

    def iter_batches(self, batch_rows: int = READ_BATCH_ROWS) -> Iterator[dict[str, np.ndarray]]:
        """Every stored row, ``batch_rows`` at a time, as :func:`table_arrays` dicts
        (memory bounded by the batch; a digest may appear in more than one part)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for path in self.parts():
            if self._readable_schema(path) is None:
                continue
            try:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
                    yield table_arrays(pa.Table.from_batches([batch]), self.fields)
            except (OSError, pa.ArrowException):
                warnings.warn(f"index: stopped reading the damaged part {path.name}",
                              UserWarning, stacklevel=2)

    def _readable_schema(self, path: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException):
            return None
        expected = _schema(self.fields)
        return schema if schema.remove_metadata().equals(expected.remove_metadata()) else None

    def read(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, object]]:
        """Rows by SHA-256 (only ``keys`` when given); a later part wins over an earlier one."""
        wanted = None if keys is None else set(keys)
        rows: dict[str, dict[str, object]] = {}
        for table in self.tables():
            arrays = table_arrays(table, self.fields)
            for i, digest in enumerate(arrays["sha256"]):
                if wanted is None or digest in wanted:
                    rows[digest] = {name: values[i] for name, values in arrays.items()}
        return rows

    def append(self, rows: list[dict[str, object]]) -> Path | None:
        """Write ``rows`` as one new part, atomically; None when there is nothing to write."""
        import pyarrow.parquet as pq

        rows = [r for r in rows if r.get("sha256")]
        if not rows:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{PART_PREFIX}{_time_ns():020d}-{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
        temporary = self.folder / f".{name}.tmp"
        try:
            pq.write_table(rows_to_table(rows, self.fields), temporary, compression="zstd")
            os.replace(temporary, self.folder / name)
        finally:
            temporary.unlink(missing_ok=True)
        return self.folder / name

    def compact(self, keep: set[str] | None = None) -> int:
        """Fold every part into one file, keeping only the rows of ``keep`` (all when None);
        returns how many stored rows were dropped. Rows are streamed a batch at a time, so
        memory does not grow with the dataset; damaged parts are removed."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        old = self.parts()
        if not old:
            return 0
        name = f"{PART_PREFIX}{_time_ns():020d}-{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
        temporary = self.folder / f".{name}.tmp"
        seen: set[str] = set()
        dropped = 0
        written = 0
        try:
            with pq.ParquetWriter(temporary, _schema(self.fields), compression="zstd") as out:
                for path in old:
                    if self._readable_schema(path) is None:
                        continue
                    try:
                        batches = list(pq.ParquetFile(path).iter_batches(
                            batch_size=READ_BATCH_ROWS))
                    except (OSError, pa.ArrowException):
                        continue
                    for batch in batches:
                        digests = batch.column(0).to_pylist()
                        rows = []
                        for j, digest in enumerate(digests):
                            if digest in seen:
                                continue
                            seen.add(digest)
                            if keep is None or digest in keep:
                                rows.append(j)
                            else:
                                dropped += 1
                        if rows:
                            table = pa.Table.from_batches([batch]).take(rows)
                            out.write_table(table.cast(_schema(self.fields)))
                            written += len(rows)
            if written:
                os.replace(temporary, self.folder / name)
        finally:
            temporary.unlink(missing_ok=True)
        for path in old:
            path.unlink(missing_ok=True)
        return dropped


def _time_ns() -> int:
    import time

    return time.time_ns()
