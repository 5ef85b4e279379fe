"""Plain text, Markdown and log files: one row per line, columns ``line`` and ``text``; written
back as lines ending in ``\n``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from dataward.sources.base import (
    DEFAULT_BATCH_ROWS,
    SourceFormat,
    Writer,
    check_batch_rows,
    register,
)
from dataward.sources.textio import TextBasedSource

SCHEMA = pa.schema([pa.field("line", pa.int64(), nullable=False), pa.field("text", pa.string())])


class TextSource(TextBasedSource):
    """Lines of text: ``line`` is the 1-based line number, ``text`` the line without its end."""

    def text_lines(self) -> Iterator[tuple[int, str]]:
        """``(line number, line without its end)``, 1-based, in order."""
        with self.open_utf8() as fh:
            yield from self.lines(fh)

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        numbers: list[int] = []
        texts: list[str] = []
        size = 0
        for lineno, text in self.text_lines():
            numbers.append(lineno)
            texts.append(text)
            size += len(text)
            if len(numbers) >= batch_rows or size >= self.limits.batch_bytes:
                yield _batch(numbers, texts)
                numbers, texts, size = [], [], 0
        if numbers:
            yield _batch(numbers, texts)


class TextWriter(Writer):
    """Each line followed by ``\n``."""

    def write_lines(self, lines: Sequence[str]) -> None:
        if lines:
            self.fh.write(("\n".join(lines) + "\n").encode("utf-8"))


def _batch(numbers: list[int], texts: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(numbers, pa.int64()), pa.array(texts, pa.string())], schema=SCHEMA
    )


register(
    SourceFormat(
        "text",
        (".txt", ".text", ".log", ".md", ".markdown", ".rst", ".out", ".err"),
        TextSource,
        description="plain text, Markdown or logs: one row per line (line, text)",
        writer=TextWriter,
        shape="lines",
    )
)
