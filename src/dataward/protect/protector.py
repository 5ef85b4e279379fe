"""The protector: applies one :class:`~dataward.protect.plan.ProtectPlan` to tables batch by
batch (:mod:`dataward.protect.apply` and :mod:`dataward.protect.files` both drive it; the
module docstring of :mod:`dataward.protect.apply` says what protection does to each column)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataward.detect.model import Finding
from dataward.detect.overlaps import resolve as resolve_overlaps
from dataward.errors import ConfigError
from dataward.keys.ring import KeyRing
from dataward.protect.base import Operator
from dataward.protect.cells import (
    _as_integers,
    _concat,
    _is_temporal,
    _occurrences,
    _strings,
    _whole,
    _wordy,
)
from dataward.protect.config import KEEP, OperatorSpec, ProtectConfig
from dataward.protect.ledger import (
    MODEL_DETECTORS,
    WHOLE_VALUE_OPERATORS,
    Ledger,
    ScanIncompleteError,
    protected_type,
)
from dataward.protect.nested import is_nested, walk
from dataward.protect.operators import get_operator
from dataward.protect.operators.date_shift import DateShiftOperator
from dataward.protect.plan import (
    ColumnDecision,
    ProtectPlan,
    RulesLike,
    as_config,
)

log = logging.getLogger(__name__)

_LINK_MIN = 4
"""Column values shorter than this are not searched for in free text."""
_CACHE_MAX = 200_000
_FOUND_MAX_LEN = 512
_PASSES = 2
"""Times a protected text is read again for values its replacements brought out."""
"""Texts up to this long have their findings cached (repeated values are detected once)."""


class Protector:
    """Protects tables batch by batch as its :attr:`plan` says.

    ``decide(sample)`` plans the columns not planned yet (from a sample); ``protect_batch``
    then applies the same plan to every batch (columns first seen later are planned from their
    first batch). ``plan=`` starts from a plan made by :func:`~dataward.protect.plan.plan`.
    """

    def __init__(
        self,
        rules: RulesLike = None,
        *,
        keyring: KeyRing | None = None,
        engine: Any = None,
        plan: ProtectPlan | None = None,
    ) -> None:
        self.plan = plan if plan is not None else ProtectPlan(as_config(rules))
        self.keyring = keyring if keyring is not None else KeyRing.load_or_create()
        self._engine = engine
        self._ops: dict[str, Operator | None] = {}
        self._cache: dict[tuple[str, str, str], str | None] = {}
        self._found: dict[tuple[str | None, str], list[Finding]] = {}
        self.ledger = Ledger()
        self._names = ColumnDecision("(names)", "scan", None, "by finding", "keys and names")
        """Digests of what was replaced and produced, for :mod:`dataward.protect.verify`."""
        self.rows_in = 0
        self.rows_out = 0
        self.text_findings: Counter[str] = Counter()

    @property
    def config(self) -> ProtectConfig:
        return self.plan.config

    @property
    def decisions(self) -> dict[str, ColumnDecision]:
        """The plan of each column, with what was done so far (``changed``, ``findings``)."""
        return self.plan.columns

    @property
    def dataset_tags(self) -> frozenset[str]:
        """Tags known for the whole input (a decision's ``PHI``...): see the plan's."""
        return self.plan.dataset_tags

    @dataset_tags.setter
    def dataset_tags(self, tags: frozenset[str]) -> None:
        self.plan.dataset_tags = tags

    # -- pieces ---------------------------------------------------------------------------

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from dataward.detect.api import get_engine

            self._engine = get_engine(threshold=self.config.threshold)
        return self._engine

    def operator(self, spec: OperatorSpec) -> Operator | None:
        """The operator of ``spec``, built once (``None`` for ``keep``)."""
        key = spec.model_dump_json()
        if key not in self._ops:
            if spec.operator == KEEP:
                self._ops[key] = None
            else:
                self._ops[key] = get_operator(spec.operator, keyring=self.keyring, **spec.params)
        return self._ops[key]

    def find(self, text: str, column: str | None) -> list[Finding]:
        """The engine's findings in ``text`` (short texts are cached: repeats cost nothing).

        Raises :class:`ScanIncompleteError` when the engine ran out of its time budget on the
        text: an unscanned value is never passed through as clean."""
        key = (column, text)
        got = self._found.get(key) if len(text) <= _FOUND_MAX_LEN else None
        if got is None:
            found = self.engine.detect(text, hints=(column,) if column else ())
            if getattr(found, "partial", False):
                raise ScanIncompleteError(
                    f"a value of {len(text):,} characters could not be scanned within the "
                    "detection time budget; raise detect.record_budget_ms or split the input",
                    length=len(text),
                )
            got = list(found)
            if len(text) <= _FOUND_MAX_LEN:
                if len(self._found) >= _CACHE_MAX:
                    self._found.clear()
                self._found[key] = got
        return got

    # -- planning ---------------------------------------------------------------------------

    def decide(self, sample: pa.Table) -> dict[str, ColumnDecision]:
        """Plan the columns of ``sample`` not planned yet (from its classification)."""
        return self.plan.add(sample, self.keyring.subkey("protect-classify"))

    # -- protecting ------------------------------------------------------------------------

    def protect_batch(self, batch: pa.RecordBatch | pa.Table) -> pa.Table:
        """Protect one batch with the column decisions (taken now for unseen columns)."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if any(n not in self.decisions for n in table.column_names):
            self.decide(table.slice(0, self.config.sample_rows))
        n = table.num_rows
        keep: pa.Array | None = None
        links: list[tuple[str, list[Any], list[Any]]] = []
        columns: dict[str, pa.Array | pa.ChunkedArray] = {}
        texts = [c for c in table.column_names if self.decisions[c].mode in ("text", "scan")]
        for name in table.column_names:
            decision = self.decisions[name]
            if decision.mode != "value":
                continue
            out, drop = self._protect_values(table, name, decision)
            columns[name] = out
            if drop is not None:
                keep = drop if keep is None else pc.and_(keep, drop)
            if texts and self.config.link_values and pa.types.is_string(out.type):
                links.append((name, _strings(table.column(name)).to_pylist(), out.to_pylist()))
        for name in texts:
            out, drop = self._protect_texts(table, name, links)
            columns[name] = out
            if drop is not None:
                keep = drop if keep is None else pc.and_(keep, drop)
        if links_for_kept := (self._links(table, columns) if self.config.link_values else []):
            for name in table.column_names:
                if self.decisions[name].mode == "keep":
                    linked = self._link_kept(table.column(name), links_for_kept)
                    if linked is not None:
                        columns[name] = linked
        arrays = [columns.get(name, table.column(name)) for name in table.column_names]
        result = pa.Table.from_arrays(arrays, names=table.column_names)
        if keep is not None:
            result = result.filter(keep)
        self.rows_in += n
        self.rows_out += result.num_rows
        return result

    def _links(
        self, table: pa.Table, protected: dict[str, Any]
    ) -> list[tuple[str, list[Any], list[Any]]]:
        """(column, originals, outputs) of the protected string columns, for kept columns."""
        out = []
        for name, arr in protected.items():
            decision = self.decisions[name]
            if decision.mode == "value" and pa.types.is_string(arr.type):
                out.append((name, _strings(table.column(name)).to_pylist(), arr.to_pylist()))
        return out

    def _link_kept(
        self, column: pa.Array | pa.ChunkedArray, links: list[tuple[str, list[Any], list[Any]]]
    ) -> pa.Array | None:
        """A kept string column with the row's protected values replaced, or None if none."""
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return None
        texts = column.to_pylist()
        changed = False
        for row, text in enumerate(texts):
            if not text or len(text) < _LINK_MIN:
                continue
            row_links = [
                (c, raw[row], new[row])
                for c, raw, new in links
                if isinstance(raw[row], str) and len(raw[row]) >= _LINK_MIN and raw[row] in text
            ]
            if row_links:
                new_text = self._replace_links(text, row_links)
                if new_text != text:
                    texts[row] = new_text
                    changed = True
        return pa.array(texts, column.type) if changed else None

    def _replace_links(self, text: str, links: Sequence[tuple[str, Any, Any]]) -> str:
        found: list[Finding] = []
        values: dict[tuple[int, int], str] = {}
        for link_col, raw, new in links:
            if raw == new:
                continue
            for start in _occurrences(text, raw):
                found.append(Finding("LINKED", start, start + len(raw), 1.0, link_col))
                values[(start, start + len(raw))] = "" if new is None else str(new)
        out, cursor = [], len(text)
        for f in reversed(resolve_overlaps(found, text=text)):
            # a part of a linked value that another one half covers is replaced all the same
            out += [text[f.end : cursor], values.get((f.start, f.end), "<LINKED>")]
            cursor = f.start
        out.append(text[:cursor])
        return "".join(reversed(out))

    def _protect_values(
        self, table: pa.Table, name: str, decision: ColumnDecision
    ) -> tuple[pa.Array, pa.Array | None]:
        assert decision.spec is not None
        op = self.operator(decision.spec)
        assert op is not None
        column = table.column(name)
        col = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        subject = decision.spec.subject_column
        subjects = None
        if subject is not None:
            if subject not in table.column_names:
                raise ConfigError(f"subject_column {subject!r} is not a column", column=subject)
            subjects = _strings(table.column(subject)).to_pylist()
        if isinstance(op, DateShiftOperator) and _is_temporal(col.type):
            decision.changed += len(col) - col.null_count
            return op.apply_array(col, subjects=subjects), None
        if is_nested(col.type):  # each struct field, list item, map key and value
            return walk(col, lambda values: self._whole_values(values, op, decision), name), None
        strings = _strings(col)
        empty = pc.fill_null(pc.equal(strings, ""), False)
        has_empty = bool(pc.any(empty).as_py())
        work = pc.if_else(empty, pa.scalar(None, pa.string()), strings) if has_empty else strings
        if subjects is not None and isinstance(op, DateShiftOperator):
            out = op.apply_array(work, subjects=subjects)
        else:
            out = op.apply_array(work, entity=decision.entity)
        if isinstance(out, pa.ChunkedArray):
            out = out.combine_chunks()
        decision.changed += len(work) - work.null_count
        drop = pc.is_null(work) if op.drops_record else None
        if decision.spec.operator not in WHOLE_VALUE_OPERATORS and pa.types.is_string(out.type):
            out = self._mixed_cells(work, out, name, decision)
        else:
            self._note_values(work, out)
        if has_empty:
            out = pc.if_else(empty, pa.scalar("", out.type), out)
        return out, drop

    def _note_values(self, raw: pa.Array, out: pa.Array) -> None:
        """Record a whole-value column's values and outputs in the ledger."""
        if not pa.types.is_string(out.type):
            return
        note = self.ledger.note
        for a, b in zip(raw.to_pylist(), out.to_pylist(), strict=True):
            if a is not None:
                note(a, b)

    def _mixed_cells(
        self, work: pa.Array, out: pa.Array, name: str, decision: ColumnDecision
    ) -> pa.Array:
        """A format-preserving operator only protects a cell that *is* one value: a cell with
        more (findings that do not cover it, or text with no finding at all under FPE) has its
        findings replaced in place, each with its own type's operator."""
        raw, new = work.to_pylist(), out.to_pylist()
        fpe = decision.spec is not None and decision.spec.operator == "fpe"
        for i, value in enumerate(raw):
            if value is None:
                continue
            found = self.find(value, name)
            if _whole(value, found) or (not found and not (fpe and _wordy(value))):
                self.ledger.note(value, new[i])
                continue
            new[i] = self._text(value, name, decision, (), found=found)[0]
        return pa.array(new, pa.string())

    def _whole_values(self, values: pa.Array, op: Operator, decision: ColumnDecision) -> pa.Array:
        """The text leaves of a nested ``value`` column, each protected whole by ``op``."""
        if not len(values):
            return values
        out = op.apply_array(values, entity=decision.entity)
        if isinstance(out, pa.ChunkedArray):
            out = out.combine_chunks()
        decision.changed += len(values) - values.null_count
        self._note_values(values, out)
        return out

    def _protect_texts(
        self, table: pa.Table, name: str, links: list[tuple[str, list[Any], list[Any]]]
    ) -> tuple[pa.Array, pa.Array | None]:
        decision = self.decisions[name]
        column = table.column(name)
        col = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if is_nested(col.type):  # each struct field, list item, map key and value
            return walk(col, lambda values: self._texts(values, name, decision), name), None
        texts = _strings(col).to_pylist()
        out: list[str | None] = []
        keep: list[bool] = []
        changed = False
        for row, text in enumerate(texts):
            if not text:
                out.append(text)
                keep.append(True)
                continue
            row_links = [(c, raw[row], new[row]) for c, raw, new in links]
            new_text, dropped = self._text(text, name, decision, row_links)
            out.append(new_text)
            keep.append(not dropped)
            changed = changed or dropped or new_text != text
        drop = None if all(keep) else pa.array(keep, pa.bool_())
        if not changed:  # nothing found: the column keeps its values (and integers their type)
            return (col if pa.types.is_integer(col.type) else _strings(col)), drop
        if pa.types.is_integer(col.type):
            return _as_integers(out, col.type), drop
        return pa.array(out, pa.string()), drop

    def _texts(self, values: pa.Array, name: str, decision: ColumnDecision) -> pa.Array:
        """The text leaves of a nested column, each with its findings replaced (a leaf a
        ``suppress`` rule matched becomes null)."""
        return pa.array(
            [
                None if v is None else self._text(v, name, decision, ())[0]
                for v in values.to_pylist()
            ],
            pa.string(),
        )

    def _text(
        self,
        text: str,
        column: str | None,
        decision: ColumnDecision | None,
        links: Sequence[tuple[str, Any, Any]],
        *,
        found: Sequence[Finding] | None = None,
    ) -> tuple[str | None, bool]:
        """Protect the findings (and linked values) of one text; True when the record drops.

        In a ``scan`` column only findings of sensitive (or custom) types are replaced. The
        protected text is read again, as verification will read it: replacing a value changes
        the context of its neighbours (``2021-09-17`` after an address scored under the
        threshold until the address became a placeholder), so what the new text shows is
        replaced too, for up to :data:`_PASSES` passes. Values the run wrote are not read."""
        out, dropped = self._text_once(text, column, decision, links, found=found)
        ledger = self.ledger
        for _ in range(_PASSES):
            if dropped or out is None or out == text:
                break
            again = [
                f
                for f in self.find(out, column)
                if ledger.digest(out[f.start : f.end]) not in ledger.produced
            ]
            if not again:
                break
            text = out
            out, dropped = self._text_once(text, column, decision, (), found=again)
        return out, dropped

    def _text_once(
        self,
        text: str,
        column: str | None,
        decision: ColumnDecision | None,
        links: Sequence[tuple[str, Any, Any]],
        *,
        found: Sequence[Finding] | None = None,
    ) -> tuple[str | None, bool]:
        found = list(self.find(text, column) if found is None else found)
        if decision is not None and decision.mode == "scan":
            found = [f for f in found if protected_type(f.entity)]
        linked: dict[tuple[int, int], str] = {}
        for link_col, raw, new in links:
            if not isinstance(raw, str) or len(raw.strip()) < _LINK_MIN or raw == new:
                continue
            for start in _occurrences(text, raw):
                end = start + len(raw)
                found.append(Finding("LINKED", start, end, 1.01, f"column:{link_col}"))
                linked[(start, end)] = "" if new is None else str(new)
        chosen = resolve_overlaps(found, MODEL_DETECTORS, text)
        pieces: list[str] = []
        cursor = len(text)
        for f in reversed(chosen):
            span = text[f.start : f.end]
            if f.entity == "LINKED" and (f.start, f.end) in linked:
                new_span: str | None = linked[(f.start, f.end)]
                label = "LINKED"
            else:
                spec, _why = self.plan.resolve(column=column, entity=f.entity, scope="finding")
                op = self.operator(spec)
                if op is None:
                    continue
                if op.drops_record:
                    return None, True
                new_span = self._apply_cached(op, spec, span, f.entity)
                label = f.entity
            self.ledger.note(span, new_span)
            pieces.append(text[f.end : cursor])
            pieces.append(new_span or "")
            cursor = f.start
            self.text_findings[label] += 1
            if decision is not None:
                decision.changed += 1
                decision.findings[label] += 1
        pieces.append(text[:cursor])
        return "".join(reversed(pieces)), False

    def _apply_cached(
        self, op: Operator, spec: OperatorSpec, value: str, entity: str
    ) -> str | None:
        if not op.deterministic:
            return op.apply(value, entity)
        key = (spec.model_dump_json(), entity, value)
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        out = self._cache[key] = op.apply(value, entity)
        return out

    def protect_text(self, text: str) -> str | None:
        """Protect the findings of one text (``None`` when a ``suppress`` rule matched)."""
        return self._text(text, None, None, ())[0]

    def protect_name(self, name: str) -> str:
        """An object key or column name with its sensitive findings replaced (keys are values
        too: ``{"<e-mail>": 5}`` must not keep the e-mail)."""
        if not name or not name.strip():
            return name
        # patterns only: a model reads headers ("ssn", "Customer Name") as names
        found = [f for f in self.find(name, None) if f.detector not in MODEL_DETECTORS]
        out = self._text(name, None, self._names, (), found=found)[0]
        return "" if out is None else out

    def protect_stream(self, batches: Iterable[pa.RecordBatch | pa.Table]) -> Iterator[pa.Table]:
        """Decide from the first ``sample_rows`` rows, then protect every batch in order."""
        head: list[pa.Table] = []
        rows = 0
        it = iter(batches)
        for batch in it:
            table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            head.append(table)
            rows += table.num_rows
            if rows >= self.config.sample_rows:
                break
        if head:
            self.decide(_concat(head).slice(0, self.config.sample_rows))
        for table in head:
            yield self.protect_batch(table)
        head.clear()
        for batch in it:
            yield self.protect_batch(batch)

    def summary(self) -> list[dict[str, Any]]:
        """Per column: mode, entity, operator, why, and how many values/findings changed."""
        return [d.to_dict() for d in self.decisions.values()]
