"""CSV and TSV: dialect and encoding from a sample, then pyarrow's streaming CSV reader; written
back with pyarrow's CSV writer (a header row, quotes only where needed, the input's delimiter).

Every column is read as a string, so identifiers keep their leading zeros and nothing is lost
to type inference. Quoted newlines are always allowed. A row with the wrong number of fields
is an error naming the row (``bad_rows="error"``, the default) or is skipped and counted
(``bad_rows="skip"``; skipped rows are not scanned, so the count is logged and kept on the
source as ``skipped_rows``).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv

from dataward.errors import ConfigError, SourceError
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
from dataward.sources.locations import Location
from dataward.sources.sniff import complete_lines, decode_sample, sniff_dialect
from dataward.sources.textio import UTF8_NAMES, TextBasedSource, first_invalid_offset

log = logging.getLogger("dataward.sources")
BadRows = Literal["error", "skip"]


class CsvSource(TextBasedSource):
    """Delimited text with a header row (``header=False`` names columns ``column_1`` ...)."""

    def __init__(
        self,
        location: Location,
        *,
        format: str = "csv",
        limits: Limits | None = None,
        sample: bytes | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        quotechar: str | None = None,
        header: bool = True,
        bad_rows: BadRows = "error",
    ) -> None:
        super().__init__(location, format=format, limits=limits, sample=sample, encoding=encoding)
        if bad_rows not in ("error", "skip"):
            raise ConfigError("bad_rows must be 'error' or 'skip'", option="bad_rows")
        for name, value in (("delimiter", delimiter), ("quotechar", quotechar)):
            if value is not None and len(value) != 1:
                raise ConfigError(f"{name} must be one character", option=name)
        self.bad_rows: BadRows = bad_rows
        self.header = header
        self.skipped_rows = 0
        self.skipped_row_numbers: list[int] = []
        text = complete_lines(
            decode_sample(self.sample, self.encoding, at_eof=self.sample_is_all),
            at_eof=self.sample_is_all,
        ).removeprefix("\ufeff")
        default = "\t" if format == "tsv" else ","
        sniffed_delimiter, sniffed_quote = sniff_dialect(text, default)
        if format == "tsv" and delimiter is None:
            sniffed_delimiter = "\t"
        self.delimiter = delimiter or sniffed_delimiter
        self.quotechar = quotechar or sniffed_quote
        self.column_names = self._column_names(text)

    def _column_names(self, text: str) -> list[str]:
        if not text.strip():
            if self.sample.strip():
                raise self._error(
                    f"the first row is longer than {self.limits.sample_bytes} bytes; raise "
                    "Limits.sample_bytes",
                    line=1,
                )
            return []
        reader = csv.reader(text.splitlines(keepends=True), self._dialect())
        try:
            first = next(reader, [])
        except csv.Error:
            raise self._error("cannot parse the first row", line=1) from None
        if not self.header:
            return [f"column_{i + 1}" for i in range(len(first))]
        names: list[str] = []
        seen: set[str] = set()
        for i, raw in enumerate(first):
            base = raw.strip() or f"column_{i + 1}"
            name, k = base, 2
            while name in seen:
                name, k = f"{base}_{k}", k + 1
            seen.add(name)
            names.append(name)
        return names

    def _dialect(self) -> type[csv.Dialect]:
        class Sniffed(csv.excel):
            delimiter = self.delimiter
            quotechar = self.quotechar

        return Sniffed

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        check_batch_rows(batch_rows)
        if not self.column_names:
            return
        invalid: list[tuple[int | None, int, int]] = []

        def on_invalid_row(row: Any) -> str:
            if self.bad_rows == "skip":
                self.skipped_rows += 1
                if row.number is not None and len(self.skipped_row_numbers) < 100:
                    self.skipped_row_numbers.append(int(row.number))
                return "skip"
            invalid.append((row.number, row.expected_columns, row.actual_columns))
            return "error"

        read_options = pacsv.ReadOptions(
            use_threads=False,
            block_size=self.limits.csv_block_bytes,
            column_names=self.column_names,
            skip_rows=1 if self.header else 0,
        )
        parse_options = pacsv.ParseOptions(
            delimiter=self.delimiter,
            quote_char=self.quotechar,
            newlines_in_values=True,
            invalid_row_handler=on_invalid_row,
        )
        convert_options = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in self.column_names},
            strings_can_be_null=False,
        )
        self.skipped_rows = 0
        self.skipped_row_numbers = []
        stream = _Tally(self.open_utf8())
        last: pa.RecordBatch | None = None
        try:
            try:
                reader = pacsv.open_csv(stream, read_options, parse_options, convert_options)
            except pa.ArrowInvalid as exc:
                if "Empty CSV file" in str(exc):
                    return
                raise self._translate(exc, invalid) from None
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    raise self._translate(exc, invalid) from None
                if batch.num_rows:
                    last = batch
                yield from sliced(batch, batch_rows)
        finally:
            stream.close()
        if last is not None:
            self._check_last_quote(last, stream)
        if self.skipped_rows:
            log.warning(
                "%s: skipped %d rows with the wrong number of fields (first rows: %s)",
                self.uri,
                self.skipped_rows,
                ", ".join(map(str, self.skipped_row_numbers[:5])),
            )

    def _check_last_quote(self, last: pa.RecordBatch, stream: _Tally) -> None:
        """A quote opened and never closed runs to the end of the file, and pyarrow accepts
        it: the rows after it become part of the last value. A value holding a line break
        was quoted, so if the file does not end with the closing quote, the quote is open."""
        value = last.column(last.num_columns - 1)[last.num_rows - 1].as_py() or ""
        if "\n" not in value and "\r" not in value:
            return
        if stream.tail.rstrip(b" \t\r\n").endswith(self.quotechar.encode()):
            return
        line = stream.newlines - value.count("\n") + 1
        raise self._error(
            f"line {line}: a quote ({self.quotechar}) opens a value that is never closed, so "
            "every row after it would be read as part of that value; fix the quoting",
            line=line,
        )

    def _translate(
        self, exc: pa.ArrowInvalid, invalid: list[tuple[int | None, int, int]]
    ) -> SourceError:
        """A SourceError for a pyarrow failure; pyarrow's message can quote the row, so only
        known, content-free facts are kept."""
        message = str(exc)
        if invalid:
            number, expected, actual = invalid[0]
            where = f"row {number}" if number is not None else "a row"
            return self._error(
                f"{where} has {actual} fields, expected {expected}; fix the row or pass "
                "bad_rows='skip'",
                row=number,
            )
        if "straddl" in message:
            return self._error(
                f"a row is longer than {self.limits.csv_block_bytes} bytes (or a quote is "
                "never closed); raise Limits.csv_block_bytes or fix the quoting"
            )
        if "UTF8" in message or "UTF-8" in message:
            encoding = "utf-8" if self.encoding in UTF8_NAMES else self.encoding
            offset = first_invalid_offset(self.location.open(), encoding)
            where = f" at byte {offset}" if offset is not None else ""
            return self._error(
                f"invalid {self.encoding}{where}; the file mixes encodings; re-encode it or "
                "pass encoding=",
                offset=offset,
            )
        return self._error(f"cannot parse as {self.format.upper()} ({type(exc).__name__})")


class CsvWriter(Writer):
    """A header row, then the rows; the delimiter of the input when it is of the same format."""

    def __init__(self, fh: IO[bytes], *, format: str, like: Source | None = None) -> None:
        super().__init__(fh, format=format, like=like)
        default = "\t" if format == "tsv" else ","
        self.delimiter: str = getattr(self.like, "delimiter", None) or default
        self._writer: pacsv.CSVWriter | None = None

    def write_table(self, table: pa.Table) -> None:
        if self._writer is None:
            options = pacsv.WriteOptions(
                include_header=True, delimiter=self.delimiter, quoting_style="needed"
            )
            self._writer = pacsv.CSVWriter(self.fh, table.schema, write_options=options)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


register(
    SourceFormat(
        "csv",
        (".csv",),
        CsvSource,
        description="comma (or sniffed ; | tab) separated values with a header row",
        writer=CsvWriter,
    )
)
register(
    SourceFormat(
        "tsv", (".tsv", ".tab"), CsvSource, description="tab-separated values", writer=CsvWriter
    )
)


class _Tally(io.RawIOBase):
    """A stream that counts the line feeds it passes on and keeps its last bytes."""

    TAIL = 64

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self.newlines = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self.newlines += data.count(b"\n")
            self.tail = (self.tail + data[-self.TAIL :])[-self.TAIL :]
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()
