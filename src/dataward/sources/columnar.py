"""Columnar files: Parquet, Arrow IPC / Feather V2 and ORC, read with pyarrow.

Batches keep the file's own column types; struct columns are flattened to dotted paths
(``patient.name``) like JSON. Parquet is read row group by row group, Arrow IPC batch by batch
and ORC stripe by stripe, so memory is bounded by the largest row group, batch or stripe.
Archive members and compressed files are first copied to a temporary file on disk, because
these formats need random access. Parquet and Arrow are written back with fixed settings and
nothing time-dependent, so the same rows give the same bytes; ORC is read only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

import pyarrow as pa

from dataward.errors import SourceError
from dataward.sources.base import (
    DEFAULT_BATCH_ROWS,
    Limits,
    Source,
    SourceFormat,
    Writer,
    check_batch_rows,
    register,
    sliced,
)
from dataward.sources.locations import Location, describe_os_error, seekable_copy

PARQUET_MAGIC = b"PAR1"
ARROW_FILE_MAGIC = b"ARROW1"
ARROW_STREAM_MAGIC = b"\xff\xff\xff\xff"
ORC_MAGIC = b"ORC"


def flatten_structs(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Struct columns become dotted columns, recursively (a null struct gives null children)."""
    if not any(pa.types.is_struct(field.type) for field in batch.schema):
        return batch
    names: list[str] = []
    arrays: list[pa.Array] = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        for name, array in _expand(field.name, column):
            names.append(name)
            arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _expand(name: str, array: pa.Array) -> Iterator[tuple[str, pa.Array]]:
    if not pa.types.is_struct(array.type):
        yield name, array
        return
    for child_field, child in zip(array.type, array.flatten(), strict=True):
        yield from _expand(f"{name}.{child_field.name}", child)


class ColumnarSource(Source):
    """Shared opening and error handling of the columnar formats."""

    magic: tuple[bytes, ...] = ()
    label = ""

    def __init__(
        self,
        location: Location,
        *,
        format: str,
        limits: Limits | None = None,
        sample: bytes | None = None,
    ) -> None:
        super().__init__(location, format=format, limits=limits, sample=sample)
        head = self.sample
        if head and not head.startswith(self.magic):
            raise self._error(f"not a {self.label} file (its first bytes are not {self.label}'s)")

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Struct columns flattened to dotted names; an empty file gives no batches."""
        check_batch_rows(batch_rows)
        if not self.sample:
            return
        for batch in self.table_batches(batch_rows):
            yield from sliced(flatten_structs(batch), batch_rows)

    def table_batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """The file's own columns; an empty file is an error (it has no columns to keep)."""
        check_batch_rows(batch_rows)
        if not self.sample:
            raise self._error(f"cannot read as {self.label} (an empty file); the file is corrupt")
        target, close = seekable_copy(self.location, self.limits.max_member_bytes)
        try:
            for batch in self._read(target, batch_rows):
                yield from sliced(batch, batch_rows)
        except SourceError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise self._error(
                f"cannot read as {self.label} ({type(exc).__name__}); the file is corrupt or "
                "truncated"
            ) from None
        finally:
            close()

    def _read(self, target: Any, batch_rows: int) -> Iterator[pa.RecordBatch]:
        raise NotImplementedError  # pragma: no cover


class ParquetSource(ColumnarSource):
    magic = (PARQUET_MAGIC,)
    label = "Parquet"

    def __init__(
        self,
        location: Location,
        *,
        format: str,
        limits: Limits | None = None,
        sample: bytes | None = None,
    ) -> None:
        super().__init__(location, format=format, limits=limits, sample=sample)
        path = location.local_path()
        if self.sample and path is not None:  # a local file: its footer is one seek away
            try:
                with path.open("rb") as fh:
                    size = fh.seek(0, 2)
                    fh.seek(max(0, size - len(PARQUET_MAGIC)))
                    tail = fh.read()
            except OSError as exc:
                raise self._error(f"cannot open: {describe_os_error(exc)}") from None
            if size < 2 * len(PARQUET_MAGIC) + 4 or tail != PARQUET_MAGIC:
                raise self._error(
                    "cannot read as Parquet (no footer); the file is corrupt or truncated "
                    "(an interrupted write or copy?)"
                )

    def _read(self, target: Any, batch_rows: int) -> Iterator[pa.RecordBatch]:
        import pyarrow.parquet as pq

        with pq.ParquetFile(target) as pf:
            yield from pf.iter_batches(batch_size=batch_rows)


class ArrowSource(ColumnarSource):
    magic = (ARROW_FILE_MAGIC, ARROW_STREAM_MAGIC)
    label = "Arrow IPC"

    def _read(self, target: Any, batch_rows: int) -> Iterator[pa.RecordBatch]:
        if self.sample.startswith(ARROW_FILE_MAGIC):
            reader = pa.ipc.open_file(target)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)
        else:
            yield from pa.ipc.open_stream(target)


class OrcSource(ColumnarSource):
    magic = (ORC_MAGIC,)
    label = "ORC"

    def _read(self, target: Any, batch_rows: int) -> Iterator[pa.RecordBatch]:
        import pyarrow.orc as orc

        reader = orc.ORCFile(target)
        for i in range(reader.nstripes):
            stripe = reader.read_stripe(i)
            yield stripe if isinstance(stripe, pa.RecordBatch) else _to_batch(stripe)


def _to_batch(table: pa.Table) -> pa.RecordBatch:
    return table.combine_chunks().to_batches()[0]


PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_size": 1 << 20,
}
"""Fixed Parquet writer settings (the writer adds no timestamp)."""


class _TableWriter(Writer):
    """A pyarrow file writer opened on the first table's schema (its metadata dropped)."""

    def __init__(self, fh: IO[bytes], *, format: str, like: Source | None = None) -> None:
        super().__init__(fh, format=format, like=like)
        self._writer: Any = None

    def _open(self, schema: pa.Schema) -> Any:
        raise NotImplementedError  # pragma: no cover

    def write_table(self, table: pa.Table) -> None:
        table = table.replace_schema_metadata(None)
        if self._writer is None:
            self._writer = self._open(table.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


class ParquetWriter(_TableWriter):
    def _open(self, schema: pa.Schema) -> Any:
        import pyarrow.parquet as pq

        return pq.ParquetWriter(self.fh, schema, **PARQUET_OPTIONS)


class ArrowWriter(_TableWriter):
    """An Arrow IPC file (Feather V2)."""

    def _open(self, schema: pa.Schema) -> Any:
        return pa.ipc.new_file(self.fh, schema)


def _format(
    name: str,
    extensions: tuple[str, ...],
    cls: Callable[..., Source],
    magic: tuple[bytes, ...],
    writer: type[Writer] | None,
) -> SourceFormat:
    label = getattr(cls, "label", "")
    return SourceFormat(name, extensions, cls, magic=magic, description=label, writer=writer)


register(
    _format(
        "parquet", (".parquet", ".pq", ".parq"), ParquetSource, ParquetSource.magic, ParquetWriter
    )
)
register(
    _format(
        "arrow",
        (".arrow", ".arrows", ".feather", ".ipc"),
        ArrowSource,
        ArrowSource.magic,
        ArrowWriter,
    )
)
register(_format("orc", (".orc",), OrcSource, OrcSource.magic, None))
