"""Revealing protected values for an authorized caller, with an audit record of who revealed what.

The caller must hold the key ring (the key file is private to its owner). Every reveal appends a
``reveal`` event to the audit log *before* anything is shown or written; when the log cannot be
written, nothing is revealed. Events name the actor, the operator, the columns and counts, and
keyed hashes of the protected values, never an original value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataward.audit.events import RevealEvent
from dataward.errors import ConfigError, RevealError
from dataward.keys.ring import KeyRing
from dataward.protect.base import Operator
from dataward.protect.operators import get_operator

REVERSIBLE = ("token", "encrypt", "fpe")
_MAX_HASHES = 20


def audit_reveal(event: RevealEvent, actor: str | None) -> None:
    """Record a ``reveal`` event (by ``actor``, default :func:`dataward.audit.current_actor`);
    raises when it cannot (the caller then reveals nothing)."""
    from dataward.audit import record

    record(event, actor=actor)


def _operator(name: str, keyring: KeyRing, params: Mapping[str, Any]) -> Operator:
    if name not in REVERSIBLE:
        raise RevealError(
            f"operator {name!r} is one-way; only token, fpe and encrypt can be reversed",
            operator=name,
        )
    return get_operator(name, keyring=keyring, **dict(params))


def _fingerprint(keyring: KeyRing, value: str) -> str:
    """A keyed hash of a protected value, so the audit log can name it without holding it."""
    digest = get_operator("hash", keyring=keyring, context="reveal-audit", length=32).apply(value)
    return digest or ""


def _token_pattern(op: Operator) -> re.Pattern[str] | None:
    prefix = getattr(op, "prefix", None)
    if op.name not in ("token", "encrypt") or not prefix:
        return None
    return re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(prefix)}_[0-9]+_[A-Za-z0-9_-]+")


def reveal_value(
    value: str,
    operator: str = "token",
    *,
    keyring: KeyRing | None = None,
    actor: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> str:
    """The original of one protected value; audited first."""
    ring = keyring if keyring is not None else KeyRing.load_or_create()
    op = _operator(operator, ring, params or {})
    reverse = getattr(op, "reverse")  # noqa: B009 - every reversible operator has it
    original: str = reverse(value)  # fails before the audit record when the value is wrong
    audit_reveal(
        RevealEvent(operator=operator, mode="value", values=1, hashes=[_fingerprint(ring, value)]),
        actor,
    )
    return original


@dataclass(slots=True)
class RevealReport:
    """What a file reveal did (no values)."""

    input: str
    output: str
    columns: list[str]
    revealed: int = 0
    failed: int = 0
    rows: int = 0
    hashes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "columns": self.columns,
            "revealed": self.revealed,
            "failed": self.failed,
            "rows": self.rows,
        }


class _Revealer:
    def __init__(self, op: Operator, ring: KeyRing, report: RevealReport) -> None:
        self.op = op
        self.ring = ring
        self.report = report
        self.pattern = _token_pattern(op)
        self.reverse = getattr(op, "reverse")  # noqa: B009

    def _one(self, token: str) -> str | None:
        try:
            out: str = self.reverse(token)
        except (RevealError, ValueError):
            return None
        self.report.revealed += 1
        if len(self.report.hashes) < _MAX_HASHES:
            self.report.hashes.append(_fingerprint(self.ring, token))
        return out

    def prefetch(self, values: list[Any]) -> None:
        """Let the operator look up what it needs for many values at once (fpe: key versions)."""
        prefetch = getattr(self.op, "prefetch_versions", None)
        if prefetch is not None:
            prefetch([v for v in values if isinstance(v, str)])

    def cell(self, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        if self.pattern is None:  # fpe: the whole value
            out = self._one(value)
            if out is None:
                self.report.failed += 1
                return value
            return out

        def swap(m: re.Match[str]) -> str:
            token, tail = m.group(0), ""
            while True:  # a token glued to a trailing "-" or "_" of the text around it
                found = self._one(token)
                if found is not None:
                    return found + tail
                if len(tail) < 2 and token[-1:] in ("-", "_"):
                    token, tail = token[:-1], token[-1] + tail
                    continue
                self.report.failed += 1
                return m.group(0)

        return self.pattern.sub(swap, value)


def reveal_file(
    input: str | Path,
    output: str | Path,
    columns: Sequence[str],
    operator: str = "token",
    *,
    keyring: KeyRing | None = None,
    actor: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> RevealReport:
    """Reverse the protected values of ``columns`` (tokens inside text too) into ``output``."""
    from dataward.protect.files import check_paths, output_format, write_tables
    from dataward.sources import open_source, sources
    from dataward.sources.output import atomic_file

    if not columns:
        raise ConfigError("name the columns to reveal with --columns")
    src, dst = Path(input), Path(output)
    check_paths(src, dst)
    ring = keyring if keyring is not None else KeyRing.load_or_create()
    op = _operator(operator, ring, params or {})
    report = RevealReport(str(src), str(dst), list(columns))
    rev = _Revealer(op, ring, report)
    source = open_source(src)
    out_fmt = output_format(source, dst)
    assert out_fmt.writer is not None
    with atomic_file(dst) as fh:
        writer = out_fmt.writer(fh, format=out_fmt.name, like=source)
        if sources.get(source.format).shape == "records":
            _reveal_records(source, writer, rev, set(columns))
        else:
            tables = _reveal_tables(source.table_batches(16_384), rev, list(columns))
            write_tables(tables, writer)
        writer.close()
        # Audited before the output appears; a failing audit log leaves no output.
        audit_reveal(
            RevealEvent(
                operator=operator,
                mode="file",
                input=src.name,
                columns=list(columns),
                values=report.revealed,
                failed=report.failed,
                rows=report.rows,
                hashes=report.hashes,
            ),
            actor,
        )
    return report


def _reveal_tables(
    batches: Iterator[pa.RecordBatch], rev: _Revealer, columns: list[str]
) -> Iterator[pa.Table]:
    for batch in batches:
        table = pa.Table.from_batches([batch])
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise ConfigError(f"no column named {missing[0]!r}", column=missing[0])
        arrays = []
        for name in table.column_names:
            col = table.column(name)
            if name in columns:
                from dataward.classify.analysis import column_strings

                values = column_strings(col).to_pylist()
                rev.prefetch(values)
                col = pa.array([rev.cell(v) for v in values], pa.string())
            arrays.append(col)
        rev.report.rows += table.num_rows
        yield pa.Table.from_arrays(arrays, names=table.column_names)


def _reveal_records(source: Any, writer: Any, rev: _Revealer, columns: set[str]) -> None:
    out: list[Any] = []
    for _where, record, _size in source.records():
        if isinstance(record, dict):
            record = {k: rev.cell(v) if k in columns else v for k, v in record.items()}
        rev.report.rows += 1
        out.append(record)
        if len(out) >= 4096:
            writer.write_records(out)
            out.clear()
    writer.write_records(out)
