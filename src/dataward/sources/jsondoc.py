"""JSON documents: a top-level array is one record per element, streamed element by element
(each at most ``Limits.max_line_bytes``); anything else is one record, read whole up to
``Limits.max_document_bytes``. Read as flattened columns like JSONL, or as records with their
structure (:meth:`JsonSource.records`); written back as one document with the input's top
level (an array of the records, or the one object).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Sequence
from typing import IO, Any

import pyarrow as pa

from dataward.errors import SourceError
from dataward.sources.base import (
    DEFAULT_BATCH_ROWS,
    Source,
    SourceFormat,
    Writer,
    check_batch_rows,
    register,
)
from dataward.sources.flatten import flatten
from dataward.sources.jsonl import Batcher, JsonBasedSource, dump
from dataward.sources.sniff import decode_sample

CHUNK = 1 << 20


class JsonSource(JsonBasedSource):
    """A JSON document: a top-level array is streamed; anything else is one record."""

    @property
    def is_array(self) -> bool:
        """Whether the document's top level is an array (from the sample)."""
        text = decode_sample(self.sample, self.encoding, at_eof=self.sample_is_all)
        return text.lstrip("\ufeff \t\r\n").startswith("[")

    def records(self) -> Iterator[tuple[int, Any, int]]:
        """``(index, JSON value, size)``: each element of a top-level array, or the whole
        document as record 0."""
        with self.open_utf8() as fh:
            reader = _TextChunks(fh)
            first = reader.first_char()
            if first is None:
                return
            if first == "[":
                for index, (value, size) in enumerate(self._elements(reader)):
                    yield index, value, size
            else:
                yield 0, self._whole(reader), 0

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        batcher = Batcher(batch_rows, self.limits.batch_bytes)
        array = self.is_array
        for index, value, size in self.records():
            try:
                flat = flatten(value, max_depth=self.limits.max_depth)
            except SourceError:
                if not array:
                    raise self._too_deep("the JSON document is") from None
                raise self._too_deep(
                    f"element {index} of the top-level array is", element=index
                ) from None
            batch = batcher.add(flat, size)
            if batch is not None:
                yield batch
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


class JsonWriter(Writer):
    """One JSON document: an array of the records (indented one per line), or, when the input
    it comes from was a single value, that value."""

    def __init__(self, fh: IO[bytes], *, format: str, like: Source | None = None) -> None:
        super().__init__(fh, format=format, like=like)
        self.array = bool(getattr(self.like, "is_array", True))
        self._count = 0

    def write_records(self, records: Sequence[Any]) -> None:
        if not self.array:
            if self._count + len(records) > 1:
                raise self._cannot("several records into a document whose top level is one value")
            if records:
                self.fh.write((dump(records[0]) + "\n").encode("utf-8"))
            self._count += len(records)
            return
        parts = []
        for record in records:
            parts.append(("[\n  " if self._count == 0 else ",\n  ") + dump(record))
            self._count += 1
        self.fh.write("".join(parts).encode("utf-8"))

    def write_table(self, table: pa.Table) -> None:
        self.write_records(table.to_pylist())

    def close(self) -> None:
        if self.array:
            self.fh.write(b"[]\n" if self._count == 0 else b"\n]\n")


register(
    SourceFormat(
        "json",
        (".json",),
        JsonSource,
        description="a JSON document; a top-level array is streamed element by element",
        writer=JsonWriter,
        shape="records",
    )
)
