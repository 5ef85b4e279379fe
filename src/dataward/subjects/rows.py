"""Reading which rows of a dataset hold which subjects, and rewriting a dataset without rows.

Both go through the :mod:`dataward.sources` registry: a format's reader gives Arrow batches
(row numbers count the rows in order, as every reader yields them) and its writer writes the
rows that stay. A rewrite is atomic: a local file is written to a temporary file and renamed
over the old one; an object-store file (any fsspec URL) is written beside it and moved over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dataward.subjects.hashing import ID_ENTITY, Hasher, SubjectConfig, SubjectError

if TYPE_CHECKING:
    from dataward.detect.engine import Engine
    from dataward.sources.base import Source

BATCH_ROWS = 8192


def engine_for(config: SubjectConfig) -> Engine:
    """The detection engine for the configured entity types (cached by the runtime)."""
    from dataward.detect.api import get_engine

    return get_engine(config.entities, threshold=config.threshold)


def open_dataset(uri: str) -> Source:
    from dataward.sources import open_source

    return open_source(uri)


def _texts(column: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """A column's values as text for detection (lists joined, numbers spelt, binary skipped)."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_null(kind):
        return [None] * len(column)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return column.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]
    out: list[str | None] = []
    for value in column.to_pylist():
        if value is None:
            out.append(None)
        elif isinstance(value, list | tuple):
            out.append(" ; ".join(str(v) for v in value if v is not None))
        else:
            out.append(str(value))
    return out


def _leaf(name: str) -> str:
    """The last part of a flattened column name (``customer.customer_id`` → ``customer_id``)."""
    for sep in (".", "/"):
        name = name.rsplit(sep, 1)[-1]
    return name.split("[", 1)[0].lower()


def batch_subjects(
    batch: pa.RecordBatch,
    config: SubjectConfig,
    hasher: Hasher,
    engine: Engine,
    *,
    where: str,
    first_row: int,
) -> dict[int, set[bytes]]:
    """``{row number: subject digests}`` for the rows of ``batch`` that hold a subject.

    Fails closed (:class:`SubjectError`) when a value ran past the detection time budget:
    an unread value might hold a subject that would then be missed by an erasure."""
    found: dict[int, set[bytes]] = {}
    wanted = set(config.entities)
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        texts = _texts(column)
        if _leaf(name) in config.id_column_set:
            for i, text in enumerate(texts):
                if text is not None and text.strip():
                    found.setdefault(first_row + i, set()).add(hasher.digest(ID_ENTITY, text))
            continue
        if not wanted:
            continue
        unique = list(dict.fromkeys(t for t in texts if t))  # a repeated value is read once
        by_text = dict(zip(unique, engine.detect_many(unique, hints=[name]), strict=True))
        for i, text in enumerate(texts):
            if not text:
                continue
            findings = by_text[text]
            if findings.partial:
                raise SubjectError(
                    f"{where}: row {first_row + i} ran past the detection time budget; its "
                    "subjects cannot be listed, so it is not indexed or erased (fail closed)",
                    dataset=where,
                    row=first_row + i,
                )
            for f in findings:
                if f.entity in wanted:
                    digest = hasher.digest(f.entity, text[f.start : f.end])
                    found.setdefault(first_row + i, set()).add(digest)
    return found


def row_subjects(
    source: Source, config: SubjectConfig, hasher: Hasher, engine: Engine
) -> Iterator[tuple[int, pa.RecordBatch, dict[int, set[bytes]]]]:
    """Each batch of ``source`` with its first row number and the subjects of its rows."""
    row = 0
    for batch in source.batches(BATCH_ROWS):
        yield (
            row,
            batch,
            batch_subjects(batch, config, hasher, engine, where=source.uri, first_row=row),
        )
        row += batch.num_rows


def rows_holding(
    source: Source, digest: bytes, config: SubjectConfig, hasher: Hasher, engine: Engine
) -> tuple[set[int], int]:
    """The row numbers of ``source`` that hold the subject ``digest``, and the row count."""
    hits: set[int] = set()
    total = 0
    for first, batch, found in row_subjects(source, config, hasher, engine):
        total = first + batch.num_rows
        hits.update(r for r, digests in found.items() if digest in digests)
    return hits, total


def writable(source: Source) -> str | None:
    """Why ``source`` cannot be rewritten, or ``None`` when it can."""
    from dataward.sources import sources
    from dataward.sources.opening import is_url

    fmt = sources.get(source.format)
    if fmt.writer is None:
        return f"the {source.format} format has no writer"
    if "!" in source.uri and not is_url(source.uri):
        return "a member of an archive cannot be rewritten in place"
    if fmt.shape == "records" and not hasattr(source, "records"):
        return f"the {source.format} reader cannot give its records back"
    if fmt.shape == "lines":
        return "a text file has no rows to delete"
    return None


def rewrite_without(source: Source, drop: Iterable[int]) -> int:
    """Rewrite ``source`` in place without the rows numbered ``drop``; returns the rows kept.

    The new content is complete before it replaces the old (a crash leaves the old file)."""
    from dataward.sources.opening import is_url

    problem = writable(source)
    if problem is not None:
        raise SubjectError(f"{source.uri}: {problem}", dataset=source.uri)
    gone = frozenset(drop)
    if is_url(source.uri):
        return _rewrite_url(source, gone)
    from dataward.sources.output import atomic_file

    with atomic_file(Path(source.uri)) as fh:
        return _write(source, gone, fh)


def _rewrite_url(source: Source, gone: frozenset[int]) -> int:
    from dataward.sources.locations import import_fsspec

    fs, path = import_fsspec(source.uri).core.url_to_fs(source.uri)
    tmp = f"{path}.dataward-erase.tmp"
    try:
        with fs.open(tmp, "wb") as fh:
            kept = _write(source, gone, fh)
        fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise
    return kept


def _write(source: Source, gone: frozenset[int], fh: Any) -> int:
    from dataward.sources import sources

    fmt = sources.get(source.format)
    assert fmt.writer is not None  # checked by writable()
    writer = fmt.writer(fh, format=fmt.name, like=source)
    kept = 0
    try:
        if fmt.shape == "records":
            records = source.records()  # type: ignore[attr-defined]
            chunk: list[Any] = []
            for row, (_line, value, _size) in enumerate(records):
                if row not in gone:
                    chunk.append(value)
                    kept += 1
                if len(chunk) >= BATCH_ROWS:
                    writer.write_records(chunk)
                    chunk = []
            if chunk:
                writer.write_records(chunk)
        else:
            row = 0
            for batch in source.batches(BATCH_ROWS):
                mask = pa.array([row + i not in gone for i in range(batch.num_rows)])
                kept_batch = batch.filter(mask)
                writer.write_table(pa.Table.from_batches([kept_batch]))
                kept += kept_batch.num_rows
                row += batch.num_rows
    finally:
        writer.close()
    return kept
