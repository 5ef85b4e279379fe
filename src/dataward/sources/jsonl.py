"""JSON Lines and JSON documents, flattened to columns (see :mod:`dataward.sources.flatten`).

JSONL is read line by line, so memory is bounded by ``Limits.max_line_bytes`` and the batch
size. A JSON document whose top level is an array is streamed element by element (each element
at most ``Limits.max_line_bytes``); a top-level object is one record, read whole up to
``Limits.max_document_bytes``. Batches may differ in columns: each holds the columns seen in
its rows, always typed ``string`` or ``list<string>``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa

from dataward.errors import SourceError
from dataward.sources.base import (
    DEFAULT_BATCH_ROWS,
    SourceFormat,
    check_batch_rows,
    register,
)
from dataward.sources.flatten import Flat, flatten, to_batch
from dataward.sources.textio import TextBasedSource

CHUNK = 1 << 20


class _Batcher:
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


class _JsonBased(TextBasedSource):
    def _too_deep(self, what: str, **context: Any) -> SourceError:
        depth = self.limits.max_depth
        return self._error(
            f"{what} nested deeper than {depth} levels of objects and arrays; flatten the "
            "data or raise Limits.max_depth",
            max_depth=depth,
            **context,
        )


class JsonlSource(_JsonBased):
    """One JSON value per line; blank lines are skipped."""

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        batcher = _Batcher(batch_rows, self.limits.batch_bytes)
        with self.open_utf8() as fh:
            for lineno, line in self.lines(fh):
                if not line.strip():
                    continue
                try:
                    flat = flatten(json.loads(line), max_depth=self.limits.max_depth)
                except json.JSONDecodeError as exc:
                    raise self._error(
                        f"line {lineno} is not valid JSON ({exc.msg} at column {exc.colno})",
                        line=lineno,
                        column=exc.colno,
                    ) from None
                except (RecursionError, SourceError):
                    raise self._too_deep(f"line {lineno} is", line=lineno) from None
                batch = batcher.add(flat, len(line))
                if batch is not None:
                    yield batch
        batch = batcher.flush()
        if batch is not None:
            yield batch


class JsonSource(_JsonBased):
    """A JSON document: a top-level array is streamed; anything else is one record."""

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        batcher = _Batcher(batch_rows, self.limits.batch_bytes)
        with self.open_utf8() as fh:
            reader = _TextChunks(fh)
            first = reader.first_char()
            if first is None:
                return
            depth = self.limits.max_depth
            if first == "[":
                for index, (value, size) in enumerate(self._elements(reader)):
                    try:
                        flat = flatten(value, max_depth=depth)
                    except SourceError:
                        raise self._too_deep(
                            f"element {index} of the top-level array is", element=index
                        ) from None
                    batch = batcher.add(flat, size)
                    if batch is not None:
                        yield batch
            else:
                whole = self._whole(reader)
                try:
                    flat = flatten(whole, max_depth=depth)
                except SourceError:
                    raise self._too_deep("the JSON document is") from None
                batcher.add(flat, 0)
        batch = batcher.flush()
        if batch is not None:
            yield batch

    def _whole(self, reader: _TextChunks) -> Any:
        cap = self.limits.max_document_bytes
        while not reader.eof:
            if reader.buffered_bytes > cap:
                raise self._error(
                    f"the JSON document is larger than {cap} bytes and its top level is not "
                    "an array; convert it to JSON Lines or raise Limits.max_document_bytes"
                )
            reader.fill()
        try:
            return json.loads(reader.buffer)
        except RecursionError:
            raise self._too_deep("the JSON document is") from None
        except json.JSONDecodeError as exc:
            raise self._error(
                f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                line=exc.lineno,
                column=exc.colno,
            ) from None

    def _elements(self, reader: _TextChunks) -> Iterator[tuple[Any, int]]:
        decoder = json.JSONDecoder()
        cap = self.limits.max_line_bytes
        reader.pos += 1  # the opening bracket
        index = 0
        while True:
            if not reader.skip_space():
                raise self._error(f"the JSON array ends early, after element {index}")
            char = reader.buffer[reader.pos]
            if char == "]":
                reader.pos += 1
                if reader.skip_space():
                    raise self._error(
                        f"unexpected data after the top-level array (line {reader.line()})",
                        line=reader.line(),
                    )
                return
            if index:
                if char != ",":
                    raise self._error(
                        f"expected ',' after element {index} of the top-level array "
                        f"(line {reader.line()})",
                        line=reader.line(),
                    )
                reader.pos += 1
                if not reader.skip_space():
                    raise self._error(f"the JSON array ends early, after element {index}")
            start = reader.pos
            while True:
                try:
                    value, end = decoder.raw_decode(reader.buffer, start)
                except RecursionError:
                    raise self._too_deep(
                        f"element {index} of the top-level array is", element=index
                    ) from None
                except json.JSONDecodeError as exc:
                    if not reader.eof and len(reader.buffer) - start <= cap:
                        reader.fill()
                        start = reader.pos
                        continue
                    if not reader.eof:
                        raise self._error(
                            f"element {index} of the top-level array is longer than {cap} "
                            "bytes or invalid; raise Limits.max_line_bytes",
                            element=index,
                        ) from None
                    line = reader.line(exc.pos)
                    raise self._error(
                        f"element {index} of the top-level array is not valid JSON "
                        f"({exc.msg} at line {line})",
                        element=index,
                        line=line,
                    ) from None
                if end >= len(reader.buffer) and not reader.eof:
                    reader.fill()  # a number or literal may go on in the next chunk
                    start = reader.pos
                    continue
                break
            reader.pos = end
            index += 1
            yield value, end - start


class _TextChunks:
    """A window of decoded text over a UTF-8 stream; ``fill`` drops what was consumed."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self._lines_before = 1
        self._first = True

    @property
    def buffered_bytes(self) -> int:
        return len(self.buffer)

    def fill(self) -> None:
        chunk = self._fh.read(CHUNK)
        self.eof = not chunk
        text = self._decoder.decode(chunk, final=self.eof)
        if self._first:
            text = text.removeprefix("\ufeff")
            self._first = False
        self._lines_before += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos :] + text
        self.pos = 0

    def skip_space(self) -> bool:
        """Move past whitespace; False at the end of the content."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return True
            if self.eof:
                return False
            self.fill()

    def first_char(self) -> str | None:
        self.fill()
        return self.buffer[self.pos] if self.skip_space() else None

    def line(self, pos: int | None = None) -> int:
        at = self.pos if pos is None else pos
        return self._lines_before + self.buffer.count("\n", 0, at)


def _register() -> None:
    register(
        SourceFormat(
            "jsonl",
            (".jsonl", ".ndjson", ".jsonlines"),
            JsonlSource,
            description="one JSON value per line, flattened to columns",
        )
    )
    register(
        SourceFormat(
            "json",
            (".json",),
            JsonSource,
            description="a JSON document; a top-level array is streamed element by element",
        )
    )


_register()
