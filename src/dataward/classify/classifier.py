"""Classifying a table or a stream of record batches: sampling, profiles, records, tags."""

from __future__ import annotations

import logging
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from dataward.classify.analysis import Analyser, ColumnBatch, Pending, encode
from dataward.classify.content import ContentSampler, classify_dataset, content_tags
from dataward.classify.dataset import DatasetClassification, RecordStats, derive_tags, record_counts
from dataward.classify.profile import ColumnProfile, ColumnStats, is_sensitive
from dataward.detect.api import masked_name
from dataward.detect.engine import Engine

log = logging.getLogger(__name__)

Sampling = Literal["reservoir", "head"]
DEFAULT_SAMPLE = 10_000
NER_ENTITIES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "STREET_ADDRESS"})
_NER_VALUES = 100


@lru_cache(maxsize=4)
def classification_engine(threshold: float | None = None) -> Engine:
    """The pattern engine (built-in and configured custom detectors) without the NER detector,
    which runs separately on the few columns that need it."""
    from dataward.detect.api import get_engine

    base = get_engine(threshold=threshold)
    dets = [d for d in base.detectors if getattr(d, "name", "") != "ner"]
    return Engine(dets, threshold=base.threshold)


@lru_cache(maxsize=1)
def ner_detector() -> Any | None:
    """The registered ``ner`` detector if it is installed and works here, else ``None``."""
    try:
        from dataward.detect.detectors import load_builtins
        from dataward.detect.registry import detectors

        load_builtins()
        if "ner" not in detectors.names():
            return None
        det = detectors.get("ner")
        list(det.detect("Maria Lopez moved to Madrid.", "en"))  # type: ignore[union-attr]
        return det
    except Exception:  # NER is optional: no model, no backend, or a backend error
        log.debug("NER is unavailable; name-like columns use the column-name heuristic")
        return None


class BatchClassifier:
    """Accumulates batches of one dataset and classifies it.

    ``decide_after`` rows: column decisions used for per-record counts are taken from the first
    rows (the head); every later batch is counted with them. Final profiles use every row seen.
    """

    def __init__(
        self,
        analyser: Analyser,
        key: bytes,
        *,
        decide_after: int = DEFAULT_SAMPLE,
        ner: Any | None = None,
        lookahead: int = 1,
    ) -> None:
        self.analyser = analyser
        self.lookahead = lookahead
        self._inflight: deque[tuple[Pending, int]] = deque()
        self.key = key
        self.decide_after = decide_after
        self.ner = ner
        self.stats: dict[str, ColumnStats] = {}
        self.rows = 0
        self._pending: list[tuple[list[ColumnBatch], int]] = []
        self._pending_rows = 0
        self._decided: dict[str, ColumnProfile] | None = None
        self._with_pii = 0
        self._with_high = 0
        self._ner_values: dict[str, dict[str, None]] = {}
        self._names: dict[str, str] = {}
        self.content = ContentSampler()

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Start analysing a batch; up to ``lookahead`` batches stay in flight while earlier
        ones are folded into the statistics."""
        names = [self._shown(name) for name in batch.schema.names]
        cols = [encode(name, batch.column(i)) for i, name in enumerate(names)]
        self.content.add(batch, names)
        self._inflight.append((self.analyser.submit(cols), batch.num_rows))
        while len(self._inflight) > self.lookahead:
            self._complete(*self._inflight.popleft())

    def _shown(self, name: str) -> str:
        """``name`` with the values pattern detectors find in it replaced by ``<ENTITY>``: an
        object key can be an e-mail (``{"scores": {"<e-mail>": 5}}``), and column names reach
        the scan's output, the catalog and the audit log. Keys that differ only in such a value
        become one column."""
        shown = self._names.get(name)
        if shown is None:
            shown = masked_name(name, self.analyser.engine)
            if len(self._names) < 100_000:
                self._names[name] = shown
        return shown

    def drain(self) -> None:
        """Fold every batch still in flight."""
        while self._inflight:
            self._complete(*self._inflight.popleft())

    def _complete(self, pending: Pending, num_rows: int) -> None:
        cols = list(pending.wait())
        for col in cols:
            stats = self.stats.get(col.name)
            if stats is None:
                stats = self.stats[col.name] = ColumnStats(col.name, col.data_type)
            stats.add(col)
            keep = self._ner_values.setdefault(col.name, {})
            if self.ner is not None and len(keep) < _NER_VALUES:
                # the first distinct values of the column, whatever its batch size
                for value in col.values:
                    keep.setdefault(value)
                    if len(keep) >= _NER_VALUES:
                        break
        self.rows += num_rows
        if self._decided is None:
            self._pending.append((cols, num_rows))
            self._pending_rows += num_rows
            if self._pending_rows >= self.decide_after:
                self._flush()
        else:
            self._count(cols)

    def _flush(self) -> None:
        self._decided = self._profiles()
        for cols, _rows in self._pending:
            self._count(cols)
        self._pending = []

    def _count(self, cols: list[ColumnBatch]) -> None:
        assert self._decided is not None
        rows = cols[0].rows if cols else 0
        pii, high = record_counts(cols, self._decided, rows)
        self._with_pii += pii
        self._with_high += high

    def _profiles(self) -> dict[str, ColumnProfile]:
        out: dict[str, ColumnProfile] = {}
        for name, stats in self.stats.items():
            profile = stats.decide(self.key)
            if self.ner is not None and profile.method in ("none", "column-name+shape"):
                hint = self._ner_shares(name)
                if hint:
                    profile = stats.decide(self.key, hint)
            out[name] = profile
        return out

    def _ner_shares(self, name: str) -> dict[str, float]:
        values = list(self._ner_values.get(name, {}))
        if not values or self.ner is None:
            return {}
        counts: dict[str, int] = {}
        for v in values:
            try:
                found = list(self.ner.detect(v, None))
            except Exception:  # a failing backend must not stop the scan
                return {}
            size = len(v.strip()) or 1
            for f in found:
                if f.entity in NER_ENTITIES and (f.end - f.start) >= 0.8 * size:
                    counts[f.entity] = counts.get(f.entity, 0) + 1
                    break
        return {e: c / len(values) for e, c in counts.items()}

    def result(
        self, path: str, fmt: str, *, total_rows: int | None = None, sampled: bool = False
    ) -> DatasetClassification:
        self.drain()
        if self._decided is None:
            self._flush()
        profiles = self._profiles()
        columns = tuple(profiles.values())
        total = self.rows if total_rows is None else total_rows
        scale = total / self.rows if self.rows else 0.0
        counts = {
            c.entity: round(c.value_share * (1 - c.null_share) * total)
            for c in columns
            if c.entity is not None and is_sensitive(c.entity)
        }
        records = RecordStats(total, self.rows, self._with_pii, self._with_high)
        if sampled and scale != 1.0:
            log.debug("sampled %d of %d rows", self.rows, total)
        found = {e: v for c in columns for e, (v, _score) in c.detected.items()}
        content = classify_dataset(
            self.content, path=path, fmt=fmt, entities=found, engine=self.analyser.engine
        )
        return DatasetClassification(
            path=path,
            format=fmt,
            rows=total,
            columns=columns,
            records=records,
            tags=content_tags(
                derive_tags(columns),
                content.classes,
                content.imply,
                unresolved=str((content.review or {}).get("error", "")),
            ),
            sampled=sampled,
            entity_counts=counts,
            content=content,
        )


def sample_batches(
    batches: Iterable[pa.RecordBatch],
    size: int,
    sampling: Sampling = "reservoir",
    seed: int = 0,
) -> tuple[pa.Table | None, int]:
    """A sample of ``size`` rows and the total row count (``head``: the first rows; ``reservoir``:
    a uniform sample over all rows, by keeping the rows with the smallest random keys)."""
    rng = random.Random(seed)
    total = 0
    kept: pa.Table | None = None
    keys: list[float] = []
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        table = pa.Table.from_batches([batch])
        if sampling == "head":
            if kept is None or kept.num_rows < size:
                part = table.slice(0, size - (kept.num_rows if kept is not None else 0))
                kept = part if kept is None else _concat(kept, part)
            total += n
            continue
        new_keys = [rng.random() for _ in range(n)]
        total += n
        if kept is None:
            kept, keys = table, new_keys
        else:
            kept, keys = _concat(kept, table), keys + new_keys
        if kept.num_rows > size:
            order = pc.select_k_unstable(
                pa.table({"k": keys}), k=size, sort_keys=[("k", "ascending")]
            )
            kept = kept.take(order)
            keys = [keys[i] for i in order.to_pylist()]
    return kept, total


def _concat(a: pa.Table, b: pa.Table) -> pa.Table:
    try:
        return pa.concat_tables([a, b.cast(a.schema)])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.concat_tables([a, b], promote_options="permissive")


def classify_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    path: str,
    fmt: str,
    key: bytes,
    analyser: Analyser,
    sample: int = DEFAULT_SAMPLE,
    sampling: Sampling = "reservoir",
    full: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> DatasetClassification:
    """Classify one dataset from its batches: a sample (default) or every row (``full``)."""
    ner = ner_detector()
    clf = BatchClassifier(analyser, key, decide_after=sample, ner=ner)
    if full:
        for batch in batches:
            clf.add(batch)
            if on_rows is not None:
                on_rows(batch.num_rows)
        return clf.result(path, fmt)
    counted = _counting(batches, on_rows)
    table, total = sample_batches(counted, sample, sampling)
    kept = 0
    if table is not None:
        kept = table.num_rows
        for batch in table.combine_chunks().to_batches(max_chunksize=65536):
            clf.add(batch)
    # the rows kept, not clf.rows: batches still in flight are not counted there yet
    return clf.result(path, fmt, total_rows=total, sampled=total > kept)


def _counting(
    batches: Iterable[pa.RecordBatch], on_rows: Callable[[int], None] | None
) -> Iterator[pa.RecordBatch]:
    for b in batches:
        if on_rows is not None:
            on_rows(b.num_rows)
        yield b


def classify_table(
    table: pa.Table | pa.RecordBatch | Mapping[str, list[Any]],
    *,
    path: str = "<table>",
    sample: int | None = None,
    full: bool = True,
    key: bytes | None = None,
    workers: int | None = None,
) -> DatasetClassification:
    """Classify an in-memory table (every row by default).

    >>> result = classify_table({"email": ["ada@example.org", "bob@example.com"]})
    >>> result.columns[0].entity
    'EMAIL_ADDRESS'
    """
    if isinstance(table, Mapping):
        table = pa.table(dict(table))
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if key is None:
        from dataward.catalog.keys import catalog_key

        key = catalog_key()
    with Analyser(classification_engine(), workers=workers) as analyser:
        return classify_batches(
            table.to_batches(max_chunksize=65536),
            path=path,
            fmt="arrow",
            key=key,
            analyser=analyser,
            sample=sample or DEFAULT_SAMPLE,
            full=full,
        )
