"""Running the detectors over the values of a batch: each distinct value once, on all cores.

A batch's columns are dictionary-encoded (Arrow), so a value repeated a thousand times is
detected once. Structured cells are detected as whole values, with the column name as context
words; a finding *covers* a cell when it spans most of it ("536-22-8174" is one US_SSN value).
Free-text cells report every entity found in them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataward.classify.names import name_tokens
from dataward.detect.engine import Engine
from dataward.detect.model import Finding

log = logging.getLogger(__name__)

COVER = 0.8
"""A finding covers a cell when it spans at least this share of the stripped value."""

ValueResult = tuple[str | None, float, tuple[tuple[str, float], ...]]
"""Per distinct value: (covering entity, its score, every entity found with its best score)."""


@dataclass(slots=True)
class ColumnBatch:
    """One column of one batch: its distinct non-empty values and where each row points."""

    name: str
    data_type: str
    values: list[str]
    counts: list[int]
    indices: pa.Array
    """Per row, the index into ``values``; null for null or empty cells."""
    nulls: int
    rows: int
    results: list[ValueResult]


def column_strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The column as an Arrow string array (nested values as compact JSON)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    t = array.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return array.cast(pa.string()) if pa.types.is_large_string(t) else array
    if pa.types.is_dictionary(t):
        return column_strings(array.cast(t.value_type))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        # a JSON array leaf (``contacts[].phone``): each element is a value of the column
        return column_strings(pc.list_flatten(array))
    if pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return pa.array(
            [None if v is None else _text(v) for v in array.to_pylist()], type=pa.string()
        )
    try:
        return array.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def encode(name: str, array: pa.Array | pa.ChunkedArray) -> ColumnBatch:
    """Dictionary-encode one column: distinct non-empty values, their counts and row indices."""
    data_type = str(array.type)
    strings = column_strings(array)
    stripped = pc.utf8_trim_whitespace(strings)
    strings = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), strings)
    encoded = pc.dictionary_encode(strings)
    dictionary = encoded.dictionary
    indices = encoded.indices
    counts_arr = pc.value_counts(indices.drop_null()) if len(dictionary) else None
    counts = [0] * len(dictionary)
    if counts_arr is not None:
        for item in counts_arr.to_pylist():
            counts[item["values"]] = item["counts"]
    return ColumnBatch(
        name=name,
        data_type=data_type,
        values=dictionary.to_pylist(),
        counts=counts,
        indices=indices,
        nulls=strings.null_count,
        rows=len(strings),
        results=[],
    )


def hints_for(name: str) -> tuple[str, ...]:
    """Context words from a column name or path (``patient.SSN`` → ``("patient ssn",)``)."""
    words = name_tokens(name)
    return (" ".join(words),) if words else ()


def analyse_values(
    engine: Engine, hints: Sequence[str], values: Sequence[str]
) -> list[ValueResult]:
    """Detect every value once; see :data:`ValueResult`."""
    out: list[ValueResult] = []
    for value in values:
        findings = engine.detect(value, hints=hints)
        out.append(_result(value, findings))
    return out


def _result(value: str, findings: list[Finding]) -> ValueResult:
    if not findings:
        return (None, 0.0, ())
    best: dict[str, float] = {}
    for f in findings:
        if f.score > best.get(f.entity, 0.0):
            best[f.entity] = f.score
    size = len(value.strip()) or 1
    cover: Finding | None = None
    for f in findings:
        if (f.end - f.start) >= COVER * size and (cover is None or f.score > cover.score):
            cover = f
    entities = tuple(sorted(best.items()))
    if cover is None:
        return (None, 0.0, entities)
    return (cover.entity, cover.score, entities)


# -- the pool ---------------------------------------------------------------------------------

_WORKER: list[Engine] = []


def _init(engine: Engine) -> None:
    _WORKER[:] = [engine]


def _job(hints: tuple[str, ...], values: list[str]) -> list[ValueResult]:
    return analyse_values(_WORKER[0], hints, values)


class Analyser:
    """Runs :func:`analyse_values` for many columns, in a process pool when the work is big."""

    PARALLEL_MIN = 4000
    """Fewer distinct values than this are detected in-process (a pool costs ~1 s to start)."""
    CHUNK = 1000

    def __init__(self, engine: Engine, workers: int | None = None) -> None:
        self.engine = engine
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=_init, initargs=(self.engine,)
            )
        return self._pool

    def run(self, columns: Sequence[ColumnBatch]) -> None:
        """Fill ``results`` of every column."""
        total = sum(len(c.values) for c in columns)
        if self.workers <= 1 or total < self.PARALLEL_MIN:
            for col in columns:
                col.results = analyse_values(self.engine, hints_for(col.name), col.values)
            return
        pool = self._executor()
        futures = []
        for ci, col in enumerate(columns):
            hints = hints_for(col.name)
            for start in range(0, len(col.values), self.CHUNK):
                chunk = col.values[start : start + self.CHUNK]
                futures.append((ci, pool.submit(_job, hints, chunk)))
        parts: dict[int, list[ValueResult]] = {i: [] for i in range(len(columns))}
        for ci, fut in futures:
            parts[ci].extend(fut.result())
        for ci, col in enumerate(columns):
            col.results = parts[ci]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Analyser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
