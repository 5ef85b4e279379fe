"""JSON Lines: one JSON value per line, flattened to columns (see
:mod:`dataward.sources.flatten`), or read as records with their structure
(:meth:`JsonlSource.records`) and written back one per line.

JSONL is read line by line, so memory is bounded by ``Limits.max_line_bytes`` and the batch
size. Batches may differ in columns: each holds the columns seen in its rows, always typed
``string`` or ``list<string>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from dataward.errors import SourceError
from dataward.sources.base import (
    DEFAULT_BATCH_ROWS,
    SourceFormat,
    Writer,
    check_batch_rows,
    register,
)
from dataward.sources.flatten import Flat, flatten, to_batch
from dataward.sources.textio import TextBasedSource


class Batcher:
    """Collects flat rows and cuts a batch at ``batch_rows`` rows or ``batch_bytes`` bytes."""

    def __init__(self, batch_rows: int, batch_bytes: int) -> None:
        self.batch_rows = batch_rows
        self.batch_bytes = batch_bytes
        self.rows: list[Flat] = []
        self.size = 0

    def add(self, row: Flat, size: int) -> pa.RecordBatch | None:
        self.rows.append(row)
        self.size += size
        if len(self.rows) >= self.batch_rows or self.size >= self.batch_bytes:
            return self.flush()
        return None

    def flush(self) -> pa.RecordBatch | None:
        rows, self.rows, self.size = self.rows, [], 0
        if not rows:
            return None
        batch = to_batch(rows)
        return batch if batch.num_columns else None


class JsonBasedSource(TextBasedSource):
    def _too_deep(self, what: str, **context: Any) -> SourceError:
        depth = self.limits.max_depth
        return self._error(
            f"{what} nested deeper than {depth} levels of objects and arrays; flatten the "
            "data or raise Limits.max_depth",
            max_depth=depth,
            **context,
        )


class JsonlSource(JsonBasedSource):
    """One JSON value per line; blank lines are skipped."""

    def records(self) -> Iterator[tuple[int, Any, int]]:
        """``(line number, JSON value, line length)`` of each non-blank line, in order."""
        with self.open_utf8() as fh:
            for lineno, line in self.lines(fh):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise self._error(
                        f"line {lineno} is not valid JSON ({exc.msg} at column {exc.colno})",
                        line=lineno,
                        column=exc.colno,
                    ) from None
                except RecursionError:
                    raise self._too_deep(f"line {lineno} is", line=lineno) from None
                yield lineno, value, len(line)

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        batcher = Batcher(batch_rows, self.limits.batch_bytes)
        for lineno, value, size in self.records():
            try:
                flat = flatten(value, max_depth=self.limits.max_depth)
            except (RecursionError, SourceError):
                raise self._too_deep(f"line {lineno} is", line=lineno) from None
            batch = batcher.add(flat, size)
            if batch is not None:
                yield batch
        batch = batcher.flush()
        if batch is not None:
            yield batch


def dump(value: Any) -> str:
    """One JSON value as compact text, non-ASCII kept (what the JSON writers write)."""
    return json.dumps(value, ensure_ascii=False, default=str)


class JsonlWriter(Writer):
    """One JSON value per line; a table is written one object per row, keys in column order."""

    def write_records(self, records: Sequence[Any]) -> None:
        self.fh.write("".join(dump(r) + "\n" for r in records).encode("utf-8"))

    def write_table(self, table: pa.Table) -> None:
        self.write_records(table.to_pylist())


register(
    SourceFormat(
        "jsonl",
        (".jsonl", ".ndjson", ".jsonlines"),
        JsonlSource,
        description="one JSON value per line, flattened to columns",
        writer=JsonlWriter,
        shape="records",
    )
)
