"""Running the detectors over the values of a batch: each distinct value once, on all cores.

A batch's columns are dictionary-encoded (Arrow), so a value repeated a thousand times is
detected once. Structured cells are detected as whole values, with the column name as context
words; a finding *covers* a cell when it spans most of it ("536-22-8174" is one US_SSN value).
Free-text cells report every entity found in them.

Speed: the value statistics a profile needs (shape, signature, word counts) are computed with the
detection, in the same worker; a per-column memo skips values already seen in earlier batches;
one pool serves the whole scan, and :meth:`Analyser.submit` lets the caller fold one batch's
results while the workers detect the next.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataward.classify.names import match_rule, name_tokens
from dataward.classify.shapes import SHAPES, alpha_words, is_uuid, signature, word_count
from dataward.detect.engine import Engine
from dataward.detect.model import Finding

log = logging.getLogger(__name__)

COVER = 0.8
"""A finding covers a cell when it spans at least this share of the stripped value."""

ValueResult = tuple[str | None, float, tuple[tuple[str, float], ...]]
"""Per distinct value: (covering entity, its score, every entity found with its best score)."""

ValueFacts = tuple[bool, bool, str, int, int, int, bool]
"""Per distinct value: (fits the column-name rule's shape, is a UUID, shape signature, length,
words, words of two letters or more, all digits)."""

Analysed = tuple[ValueResult, ValueFacts]

MEMO_VALUES = 50_000
"""Distinct values remembered per column across batches (low-cardinality columns hit it)."""
MEMO_DISTINCT = 0.5
"""A column whose batch has more distinct values than this share of its rows is mostly unique:
its values are not remembered (they would not come again, and cost memory)."""


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
    facts: list[ValueFacts] = field(default_factory=list)
    parents: pa.Array | None = None
    """For a list column (a JSON array leaf), the row of each element; ``indices`` and
    ``rows`` then count elements, not rows."""


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
        parents=_parents(array),
    )


def _parents(array: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """The row of each element of a list column (None for other columns)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        return pc.list_parent_indices(array)
    return None


def hints_for(name: str) -> tuple[str, ...]:
    """Context words from a column name or path (``patient.SSN`` → ``("patient ssn",)``)."""
    words = name_tokens(name)
    return (" ".join(words),) if words else ()


def analyse_values(
    engine: Engine, hints: Sequence[str], values: Sequence[str]
) -> list[ValueResult]:
    """Detect every value once; see :data:`ValueResult`."""
    found = engine.detect_many(values, hints=hints)
    return [_result(v, f) for v, f in zip(values, found, strict=True)]


def analyse(
    engine: Engine, hints: Sequence[str], shape: str | None, values: Sequence[str]
) -> list[Analysed]:
    """Detection results and value statistics of every value (see :data:`ValueFacts`)."""
    results = analyse_values(engine, hints, values)
    test = SHAPES[shape] if shape is not None else None
    return [(r, value_facts(v, test)) for v, r in zip(values, results, strict=True)]


def value_facts(value: str, shape: Callable[[str], bool] | None) -> ValueFacts:
    """The per-value statistics a column profile accumulates."""
    return (
        shape is not None and shape(value),
        is_uuid(value),
        signature(value),
        len(value),
        word_count(value),
        alpha_words(value),
        value.isdigit(),
    )


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


def column_shape(name: str) -> str | None:
    """The value shape of the column-name rule for ``name``, if one applies."""
    rule = match_rule(name_tokens(name))
    return rule.shape if rule is not None else None


# -- the pool ---------------------------------------------------------------------------------

_WORKER: list[Engine] = []
"""Per-process worker state: the engine a scan worker process was started with (set once by
its initializer; empty in the parent). Not runtime state: a worker runs one engine for life."""


def _init(engine: Engine) -> None:
    _WORKER[:] = [engine]


def _job(hints: tuple[str, ...], shape: str | None, values: list[str]) -> list[Analysed]:
    return analyse(_WORKER[0], hints, shape, values)


def _ready() -> bool:
    return bool(_WORKER)


@dataclass(slots=True)
class _Part:
    """Values of one column sent for analysis: where they go in the column's results."""

    column: int
    positions: list[int]
    values: list[str]
    future: Future[list[Analysed]] | None = None
    done: list[Analysed] | None = None


class Pending:
    """Analysis submitted for one batch's columns; :meth:`wait` fills their results."""

    def __init__(
        self,
        columns: Sequence[ColumnBatch],
        known: list[list[Analysed | None]],
        parts: list[_Part],
        memos: list[dict[str, Analysed] | None],
        unique: set[int],
    ) -> None:
        self.columns = columns
        self._unique = unique
        self._known = known
        self._parts = parts
        self._memos = memos

    def wait(self) -> Sequence[ColumnBatch]:
        for col, memo in zip(self.columns, self._memos, strict=True):
            if memo is not None and len(col.values) > MEMO_DISTINCT * col.rows:
                memo.clear()  # mostly unique: stop remembering this column's values
                self._unique.add(id(memo))
        for part in self._parts:
            got = part.done if part.done is not None else part.future.result()  # type: ignore[union-attr]
            slots = self._known[part.column]
            memo = self._memos[part.column]
            keep = memo is not None and id(memo) not in self._unique
            for pos, value, item in zip(part.positions, part.values, got, strict=True):
                slots[pos] = item
                if keep and len(memo) < MEMO_VALUES:  # type: ignore[arg-type]
                    memo[value] = item  # type: ignore[index]
        for col, slots in zip(self.columns, self._known, strict=True):
            col.results = [item[0] for item in slots]  # type: ignore[index]
            col.facts = [item[1] for item in slots]  # type: ignore[index]
        self._parts = []
        return self.columns


class Analyser:
    """Runs :func:`analyse` for many columns, in one process pool for the whole scan when the
    work is big; remembers the analysis of values already seen, per column."""

    PARALLEL_MIN = 4000
    """Fewer new distinct values than this are analysed in-process (a pool costs ~1 s to
    start)."""
    CHUNK = 2000

    def __init__(self, engine: Engine, workers: int | None = None) -> None:
        self.engine = engine
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self._memo: dict[tuple[tuple[str, ...], str | None], dict[str, Analysed]] = {}
        self._unique: set[int] = set()
        """Memos (by id) of mostly-unique columns: nothing more is remembered in them."""

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from dataward.detect.pool import worker_pool

            self._pool = worker_pool(self.workers, _init, (self.engine,))
        return self._pool

    def warm(self) -> None:
        """Start the worker pool now (in the background) when more than one worker is asked
        for: a big input is worth it, and its start overlaps with reading the input."""
        if self.workers > 1:
            self._executor().submit(_ready)

    def run(self, columns: Sequence[ColumnBatch]) -> None:
        """Fill ``results`` and ``facts`` of every column."""
        self.submit(columns).wait()

    def submit(self, columns: Sequence[ColumnBatch]) -> Pending:
        """Start the analysis of the columns' values; values seen before come from the memo."""
        known: list[list[Analysed | None]] = []
        todo: list[tuple[int, list[int], list[str]]] = []
        memos: list[dict[str, Analysed] | None] = []
        keys: list[tuple[tuple[str, ...], str | None]] = []
        for ci, col in enumerate(columns):
            key = (hints_for(col.name), column_shape(col.name))
            keys.append(key)
            memo = self._memo.setdefault(key, {})
            slots: list[Analysed | None] = (
                [memo.get(v) for v in col.values] if memo else [None] * len(col.values)
            )
            positions = [i for i, item in enumerate(slots) if item is None]
            known.append(slots)
            memos.append(memo)
            if positions:
                todo.append((ci, positions, [col.values[i] for i in positions]))
        total = sum(len(t[2]) for t in todo)
        parts: list[_Part] = []
        if self.workers <= 1 or total < self.PARALLEL_MIN:
            for ci, positions, values in todo:
                hints, shape = keys[ci]
                done = analyse(self.engine, hints, shape, values)
                parts.append(_Part(ci, positions, values, done=done))
            return Pending(columns, known, parts, memos, self._unique)
        pool = self._executor()
        for ci, positions, values in todo:
            hints, shape = keys[ci]
            for start in range(0, len(values), self.CHUNK):
                chunk = values[start : start + self.CHUNK]
                fut = pool.submit(_job, hints, shape, chunk)
                parts.append(_Part(ci, positions[start : start + self.CHUNK], chunk, fut))
        return Pending(columns, known, parts, memos, self._unique)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._memo.clear()
        self._unique.clear()

    def __enter__(self) -> Analyser:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        from dataward.detect.pool import WorkerPool

        if exc_type is not None and isinstance(self._pool, WorkerPool):
            self._pool.terminate()  # Ctrl-C or an error: queued and running work is not needed
            self._pool = None
        self.close()
