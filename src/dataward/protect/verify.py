"""Verifying a protected output before it replaces anything: the temporary file is read back
and scanned with the same engine, and a surviving value of a protected type stops the run.

A finding in the output survives when

- it is a value the run replaced (its keyed digest is in the run's :class:`Ledger`), or
- it is of a sensitive type whose operator cannot produce look-alikes (token, hash, redact,
  replace...), found by a pattern (not a model), and the run did not write it,

unless it is exactly a value the run wrote (an FPE card may equal another input card). Every
cell, object key, header and line is checked when the output has at most ``verify_rows``
rows; a larger one is checked on every k-th row (k chosen to check about ``verify_rows``).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dataward.errors import ProtectError
from dataward.protect.config import KEEP
from dataward.protect.ledger import (
    LOOKALIKE_OPERATORS,
    MODEL_DETECTORS,
    WHOLE_VALUE_OPERATORS,
    ScanIncompleteError,
    protected_type,
)
from dataward.protect.textfile import blocks

if TYPE_CHECKING:
    from dataward.protect.protector import Protector


class VerifyError(ProtectError):
    """A protected value survived in the output; the output was not written."""


@dataclass(frozen=True, slots=True)
class VerifyResult:
    mode: str
    """``full``, ``sampled`` or ``off``."""
    rows: int = 0
    """Rows (lines) checked."""

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "rows": self.rows}


class Checker:
    """Finds surviving values in output texts, with the run's protector and ledger."""

    def __init__(self, protector: Protector) -> None:
        self.p = protector
        self.survivors: Counter[str] = Counter()
        self.first_row: int | None = None
        self._ops: dict[tuple[str | None, str], str] = {}

    def _operator(self, column: str | None, entity: str) -> str:
        key = (column, entity)
        if key not in self._ops:
            spec, _why = self.p.plan.resolve(column=column, entity=entity, scope="finding")
            self._ops[key] = spec.operator
        return self._ops[key]

    def check(self, text: str | None, column: str | None, row: int, *, name: bool = False) -> None:
        """Count the survivors in one cell (``column``), line, key or header (``name``)."""
        if not text or not text.strip():
            return
        ledger = self.p.ledger
        decision = self.p.decisions.get(column) if column is not None else None
        if decision is not None and decision.mode == "keep":
            return  # a column a rule keeps, or a type the scan does not read
        if (
            decision is not None
            and decision.mode == "value"
            and decision.operator in WHOLE_VALUE_OPERATORS
            and ledger.digest(text) in ledger.produced
        ):
            return  # a whole cell the run wrote
        # keys, names and scanned columns protect sensitive types only, as the run did
        narrow = name or (decision is not None and decision.mode == "scan")
        for f in self.p.find(text, column):
            model = f.detector in MODEL_DETECTORS
            if (name and model) or ((narrow or model) and not protected_type(f.entity)):
                continue
            d = ledger.digest(text[f.start : f.end])
            if d in ledger.produced:
                continue
            if d not in ledger.replaced:
                if model:
                    continue  # a model's span may run across written values: digests only
                op = self._operator(column, f.entity)
                if op == KEEP or op in LOOKALIKE_OPERATORS or not protected_type(f.entity):
                    continue
            self.survivors[f.entity] += 1
            if self.first_row is None:
                self.first_row = row

    def raise_if_any(self, what: str) -> None:
        if not self.survivors:
            return
        n = sum(self.survivors.values())
        types = ", ".join(sorted(self.survivors))
        raise VerifyError(
            f"verification failed: {n} protected value(s) of type {types} survive in the output "
            f"(first at {what} {self.first_row}); nothing was written. Report it, or add a rule "
            "for the type; --no-verify skips this check (audited)",
            survivors=dict(self.survivors),
        )


@contextmanager
def _open(path: Path, codec: str | None) -> Iterator[IO[bytes]]:
    raw = path.open("rb")
    try:
        if codec == "gzip":
            yield gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[misc]
        elif codec == "bz2":
            yield bz2.BZ2File(raw, mode="rb")
        elif codec == "zstd":
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            yield io.BufferedReader(reader, 1 << 16)
        else:
            yield raw
    finally:
        raw.close()


def verify_output(
    path: Path,
    fmt: str,
    codec: str | None,
    protector: Protector,
    *,
    rows: int,
    limit: int,
    delimiter: str | None = None,
) -> VerifyResult:
    """Check the output at ``path`` (``rows`` rows written); raises :class:`VerifyError`."""
    every = 1 if rows <= limit else math.ceil(rows / max(limit, 1))
    mode = "full" if every == 1 else "sampled"
    checker = Checker(protector)
    with _open(path, codec) as fh:
        if fmt == "text":
            checked, what = _text(fh, checker, every), "line"
        elif fmt == "jsonl":
            checked, what = _jsonl(fh, checker, every), "line"
        elif fmt in ("csv", "tsv"):
            sep = delimiter or ("\t" if fmt == "tsv" else ",")
            checked, what = _csv(fh, checker, every, sep), "row"
        elif fmt in ("parquet", "arrow"):
            data = fh if codec is not None else None
            checked, what = _arrow(data, path, fmt, checker, every), "row"
        else:  # any other format (json, a plug-in's) is read back by its own reader
            checked, what = _by_reader(path, fmt, checker, every), "record"
    checker.raise_if_any(what)
    return VerifyResult(mode, checked)


def verify_memory(out: Any, protector: Protector) -> VerifyResult:
    """Check protected data in memory (a text, texts, or any table-like kind
    :mod:`dataward.sources.memory` reads), every value; raises :class:`VerifyError`."""
    checker = Checker(protector)
    if out is None or isinstance(out, str):
        checker.check(out, None, 1)
        checked, what = 1, "text"
    elif isinstance(out, list) and all(isinstance(t, str | None) for t in out):
        for i, text in enumerate(out):
            checker.check(text, None, i + 1)
        checked, what = len(out), "text"
    else:
        from dataward.sources.memory import to_arrow

        table, _back = to_arrow(out, verb="verify")
        checked, what = _rows(iter(table.to_batches()), checker, 1), "row"
    checker.raise_if_any(what)
    return VerifyResult("full", checked)


def _text(fh: IO[bytes], checker: Checker, every: int) -> int:
    with io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="") as stream:
        return _lines((line.rstrip("\n").rstrip("\r") for line in stream), checker, every)


def _lines(lines: Iterator[str], checker: Checker, every: int) -> int:
    checked = line_no = 0
    for n, block in enumerate(blocks(lines)):
        first = line_no + 1
        line_no += len(block.lines)
        if n % every:
            continue
        checked += len(block.lines)
        try:
            checker.check(block.text, None, first)
        except ScanIncompleteError:  # as the run did: line by line
            for k, line in enumerate(block.lines):
                checker.check(line, None, first + k)
    return checked


def _jsonl(fh: IO[bytes], checker: Checker, every: int) -> int:
    checked = 0
    for i, raw in enumerate(fh):
        if i % every or not raw.strip():
            continue
        checked += 1
        try:
            record = json.loads(raw)
        except ValueError:
            checker.check(raw.decode("utf-8", "replace"), None, i + 1)
            continue
        _walk(record, "" if isinstance(record, dict) else "value", checker, i + 1)
    return checked


def _by_reader(path: Path, fmt: str, checker: Checker, every: int) -> int:
    """The output read back by its format's reader (compression found by its magic): JSON
    records walked key by key, lines in blocks as the run wrote them, tables row by row."""
    from dataward.sources import open_source, sources

    source: Any = open_source(path, format=fmt)
    shape = sources.get(fmt).shape
    if shape == "lines":
        return _lines((line for _n, line in source.text_lines()), checker, every)
    if shape == "table":
        return _rows(source.table_batches(16_384), checker, every)
    checked = 0
    for index, record, _size in source.records():
        if index % every:
            continue
        checked += 1
        _walk(record, "" if isinstance(record, dict) else "value", checker, index + 1)
    return checked


def _walk(value: Any, path: str, checker: Checker, row: int) -> None:
    """Every key and leaf, iteratively (no recursion limit), with the flatten path names."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                checker.check(str(k), None, row, name=True)
                stack.append((v, f"{where}.{k}" if where else str(k)))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[]") for v in item)
        elif isinstance(item, str):
            checker.check(item, where, row)
        elif item is not None and not isinstance(item, bool):
            checker.check(str(item), where, row)


def _csv(fh: IO[bytes], checker: Checker, every: int, sep: str) -> int:
    csv.field_size_limit(1 << 30)
    checked = 0
    with io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="") as stream:
        reader = csv.reader(stream, delimiter=sep)
        header = next(reader, None)
        for name in header or ():
            checker.check(name, None, 0, name=True)
        for i, row in enumerate(reader):
            if i % every or header is None:
                continue
            checked += 1
            for name, cell in zip(header, row, strict=False):
                checker.check(cell, name, i + 1)
    return checked


def _arrow(fh: IO[bytes] | None, path: Path, fmt: str, checker: Checker, every: int) -> int:
    import pyarrow as pa

    # a compressed file is read into memory (its size is bounded by the output limit)
    data: Any = pa.BufferReader(fh.read()) if fh is not None else pa.memory_map(str(path))
    if fmt == "parquet":
        import pyarrow.parquet as pq

        batches: Any = pq.ParquetFile(data).iter_batches(batch_size=16_384)
    else:
        import pyarrow.ipc as ipc

        reader = ipc.open_file(data)
        batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    return _rows(batches, checker, every)


def _rows(batches: Iterator[Any], checker: Checker, every: int) -> int:
    """Every k-th row of record batches, each cell walked; the column names first."""
    checked = offset = 0
    names_done = False
    for batch in batches:
        if not names_done:
            for name in batch.schema.names:
                checker.check(name, None, 0, name=True)
            names_done = True
        picked = [i for i in range(batch.num_rows) if (offset + i) % every == 0]
        columns = {n: batch.column(n).to_pylist() for n in batch.schema.names}
        for i in picked:
            for name, values in columns.items():
                _walk(values[i], name, checker, offset + i + 1)
        checked += len(picked)
        offset += batch.num_rows
    return checked
