"""The source contract: a :class:`Source` streams Arrow record batches from one input.

A source is a small picklable object: where the bytes are (a :class:`~.locations.Location`), the
format, the limits and what was learnt from a sample of the bytes (encoding, CSV dialect). Nothing
is held open between calls, so sources can be sent to worker processes.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

import pyarrow as pa

from dataward.errors import SourceError
from dataward.registry import Registry
from dataward.sources.locations import Location, read_head

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30
DEFAULT_BATCH_ROWS = 65_536
"""Rows per batch when reading. A scan's peak memory follows it (each batch becomes Python
strings per column, whose arenas stay fragmented after the batch), and so does its speed. Full
scan of 1M rows x 11 columns of Parquet: 169 s and 743 MB at 65,536 rows, 190 s and 526 MB at
16,384; a sampled scan 6.0 s against 8.4 s (one run each, same machine). Speed won."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep memory bounded and hostile inputs harmless (all sizes in bytes)."""

    max_line_bytes: int = 16 * MiB
    """Longest line of JSONL or text, and largest element of a JSON array."""
    csv_block_bytes: int = 4 * MiB
    """CSV is parsed in blocks of this size; a CSV row longer than this is an error."""
    max_document_bytes: int = 64 * MiB
    """Largest top-level JSON object (read whole; an array is streamed element by element)."""
    sample_bytes: int = 64 * KiB
    """Bytes read up front to detect binary content, the encoding and the CSV dialect."""
    batch_bytes: int = 8 * MiB
    """JSON, JSONL and text batches are cut after about this many input bytes."""
    max_member_bytes: int = 8 * GiB
    """Largest uncompressed archive member."""
    max_ratio: float = 200.0
    """Largest compression ratio of an archive member bigger than ``ratio_floor_bytes``."""
    ratio_floor_bytes: int = 1 * MiB
    """Members smaller than this uncompressed are not ratio-checked."""
    max_archive_bytes: int = 64 * GiB
    """Largest total uncompressed size of the members of one archive."""
    max_depth: int = 64
    """Deepest nesting of objects and arrays in one JSON record or array element."""

    def __post_init__(self) -> None:
        for name in ("csv_block_bytes", "max_document_bytes", "sample_bytes"):
            if getattr(self, name) < 1024:
                from dataward.errors import ConfigError

                raise ConfigError(f"Limits.{name} must be at least 1024 bytes", option=name)
        if self.max_line_bytes < 1:
            from dataward.errors import ConfigError

            raise ConfigError("Limits.max_line_bytes must be at least 1", option="max_line_bytes")
        if self.max_depth < 1:
            from dataward.errors import ConfigError

            raise ConfigError("Limits.max_depth must be at least 1", option="max_depth")


class Source(ABC):
    """One readable input: a file, an archive member or an object-store URL.

    ``batches()`` streams the content as Arrow record batches of at most ``batch_rows`` rows
    in bounded memory; ``fingerprint()`` hashes the stored bytes for incremental scans.
    """

    format: str
    """The registry name of the format (``csv``, ``jsonl``, ``parquet`` ...)."""

    def __init__(
        self,
        location: Location,
        *,
        format: str,
        limits: Limits | None = None,
        sample: bytes | None = None,
    ) -> None:
        self.location = location
        self.format = format
        self.limits = limits if limits is not None else Limits()
        self._sample = sample

    @property
    def uri(self) -> str:
        """Where the data is: a path, ``archive.zip!member`` or a URL."""
        return self.location.uri

    @property
    def size_bytes(self) -> int | None:
        """Stored size: the file, the object, or the uncompressed archive member."""
        return self.location.size_bytes

    @property
    def sample(self) -> bytes:
        """The first ``Limits.sample_bytes`` of the (decompressed) content."""
        if self._sample is None:
            self._sample = read_head(self.location, self.limits.sample_bytes)
        return self._sample

    @abstractmethod
    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Stream the content; raises :class:`SourceError` naming the place of a problem."""

    def table_batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Batches with the file's own columns, as a writer of the same format writes them
        back (Parquet and Arrow structs stay structs); the same as :meth:`batches` unless a
        format flattens."""
        return self.batches(batch_rows)

    def fingerprint(self) -> str:
        """``blake2b:<hex>``, a 256-bit BLAKE2b of the stored bytes, read in 1 MiB chunks.

        A plain file or object is hashed as stored (a ``.gz`` file as compressed bytes); an
        archive member is hashed as its uncompressed member bytes.
        """
        digest = hashlib.blake2b(digest_size=32)
        with self.location.open_raw() as fh:
            while chunk := fh.read(MiB):
                digest.update(chunk)
        return f"blake2b:{digest.hexdigest()}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.format} {self.uri!r}>"

    def _error(self, message: str, **context: Any) -> SourceError:
        return SourceError(f"{self.uri}: {message}", path=self.uri, **context)


def check_batch_rows(batch_rows: int) -> None:
    if batch_rows < 1:
        from dataward.errors import ConfigError

        raise ConfigError("batch_rows must be at least 1", option="batch_rows")


def sliced(batch: pa.RecordBatch, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Cut ``batch`` into batches of at most ``batch_rows`` rows (zero-copy slices)."""
    if batch.num_rows <= batch_rows:
        if batch.num_rows:
            yield batch
        return
    for start in range(0, batch.num_rows, batch_rows):
        yield batch.slice(start, batch_rows)


SourceFactory = Callable[..., Source]
Shape = Literal["table", "records", "lines"]
"""What a format's content is when it is written back: Arrow tables (CSV, Parquet ...),
JSON records whose structure is kept (JSON, JSONL), or lines of text."""


class Writer:
    """Writes one format into a binary stream (the caller owns the stream and its atomicity).

    ``like`` is the source the content comes from, when it is of the same format: the writer
    keeps what it can of it (a CSV's delimiter, a JSON document's top level). A writer takes
    what its format's :data:`Shape` says (:meth:`write_table`, :meth:`write_records` or
    :meth:`write_lines`); a records writer also takes tables (one record per row).
    """

    def __init__(self, fh: IO[bytes], *, format: str, like: Source | None = None) -> None:
        self.fh = fh
        self.format = format
        self.like = like if like is not None and like.format == format else None

    def write_table(self, table: pa.Table) -> None:
        """Write the rows of ``table`` (every table of one output has the first one's schema)."""
        raise self._cannot("tables")

    def write_records(self, records: Sequence[Any]) -> None:
        """Write JSON values, one record each, in order."""
        raise self._cannot("JSON records")

    def write_lines(self, lines: Sequence[str]) -> None:
        """Write lines of text (without their line ends)."""
        raise self._cannot("lines of text")

    def close(self) -> None:
        """Write what the format needs at the end (a footer, a closing bracket)."""

    def _cannot(self, what: str) -> Exception:
        from dataward.errors import ConfigError

        return ConfigError(f"the {self.format} writer cannot write {what}", format=self.format)


@dataclass(frozen=True, slots=True)
class SourceFormat:
    """A registered format: its name, file extensions, magic numbers, how to open it and how
    to write it.

    ``factory(location, *, format=name, limits=..., sample=..., **options)`` returns the
    :class:`Source`; ``options`` are the format's own keyword arguments. ``writer`` (None for
    a read-only format) writes the format; ``shape`` says what it writes.
    """

    name: str
    extensions: tuple[str, ...]
    factory: SourceFactory
    magic: tuple[bytes, ...] = ()
    description: str = ""
    writer: type[Writer] | None = None
    shape: Shape = "table"


sources: Registry[SourceFormat] = Registry("source", "dataward.sources")
"""Source formats by name; third parties add theirs with the ``dataward.sources`` entry points."""


def register(fmt: SourceFormat) -> SourceFormat:
    """Register a built-in or plug-in format (a taken name raises ConfigError)."""
    return sources.add(fmt.name, fmt)


def writable_formats() -> tuple[str, ...]:
    """The names of the registered formats that have a writer."""
    return tuple(n for n in sources.names() if sources.get(n).writer is not None)
