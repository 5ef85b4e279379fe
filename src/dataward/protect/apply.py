"""Applying protection: doing what a :class:`~dataward.protect.plan.ProtectPlan` says, on Arrow
tables, DataFrames, records, files and text (the plan says *what*, this module *does* it).

Protection is value-level first: every value the detection engine finds in any cell is
protected, whatever its column's classification. The classification (taken once per column,
from a sample, see :func:`classify_columns`) only chooses *how*:

- a column that holds one sensitive entity type (SSNs, e-mails, a name column...) is protected
  whole with the operator of the first matching rule, or its type's default
  (:mod:`dataward.protect.defaults`); a cell of it that holds more than the value (``paid with
  card ... from <e-mail>``) has each finding replaced in place instead, so format-preserving
  operators (FPE, mask, generalize, date-shift) only ever see a detected value;
- a free-text column keeps its text: every finding in it is replaced in place by its own
  type's operator, and so are the values of the same row's protected columns (``link_values``),
  so a note quoting the patient's SSN gets the same token as the SSN column;
- every other text (or integer) column is scanned cell by cell (``scan``): findings of a
  sensitive type are replaced in place, so 1 SSN in 100 comments is protected like 100 in 100;
- only a rule that says ``keep`` for a column, and columns of other types (floats, dates,
  booleans), are kept as they are.

Same key and same value give the same output in every row, batch, file and table (every
default operator is deterministic).

>>> import pyarrow as pa
>>> from dataward.protect import KeyRing
>>> from dataward.protect.apply import protect_table
>>> ring = KeyRing.from_secret(b"k" * 32)
>>> out = protect_table(pa.table({"email": ["ada@example.org", "bob@example.com"]}), keyring=ring)
>>> out.column("email")[0].as_py().startswith("tok_1_")
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataward.errors import ConfigError
from dataward.keys.ring import KeyRing
from dataward.protect.files import protect_file, protect_keys
from dataward.protect.plan import (
    ColumnDecision,
    ColumnInfo,
    ProtectPlan,
    RulesLike,
    as_config,
    classify_columns,
    plan,
)
from dataward.protect.protector import Protector

log = logging.getLogger(__name__)

__all__ = [
    "ColumnDecision",
    "ColumnInfo",
    "ProtectPlan",
    "ProtectResult",
    "Protector",
    "RulesLike",
    "apply",
    "as_config",
    "classify_columns",
    "plan",
    "protect",
    "protect_keys",
    "protect_table",
    "protect_text",
]


# -- the SDK ---------------------------------------------------------------------------------


def protect_table(
    table_or_df: Any,
    rules: RulesLike = None,
    *,
    keyring: KeyRing | None = None,
    protector: Protector | None = None,
) -> Any:
    """Protect an Arrow table or record batch, a pandas or polars DataFrame, a list of dicts or
    a dict of columns; returns the same kind of object.

    ``rules``: a :class:`ProtectConfig`, its mapping, a list of rules, a mapping column →
    operator, or ``None`` for the ``protect:`` section of ``dataward.yaml``.
    """
    p = protector if protector is not None else Protector(rules, keyring=keyring)
    return _protect_memory(p, table_or_df)


def protect_text(
    text: str, rules: RulesLike = None, *, keyring: KeyRing | None = None
) -> str | None:
    """Replace every finding of ``text`` with its type's operator (``None``: suppressed)."""
    return Protector(rules, keyring=keyring).protect_text(text)


@dataclass(frozen=True, slots=True)
class ProtectResult:
    """What ``protect(data, decision=d)`` returns: the protected data (the output path for a
    file) and the signed receipt that proves which of the decision's obligations it met (see
    :mod:`dataward.policy.evidence`)."""

    data: Any
    receipt: dict[str, Any]


def protect(
    data: Any,
    rules: RulesLike = None,
    *,
    keyring: KeyRing | None = None,
    decision: Any = None,
    output: str | Path | None = None,
) -> Any:
    """Protect what the user holds and give back the same kind: a string, a list of strings,
    an Arrow table or record batch, a pandas or polars DataFrame, a list of dicts, a dict of
    columns, or a file or folder (a ``Path``, or any path with ``output=``: the protected copy
    is written there, by default beside the input as ``NAME.protected.EXT``, and its path
    comes back; a folder is protected file by file into ``output``, by default
    ``NAME.protected`` beside it, see :func:`~dataward.protect.folders.protect_folder`).
    ``protect(x) == apply(plan(x), x)``.

    With ``decision`` (a policy decision or its JSON) the decision's obligations are applied
    first (``rules`` are then the base rules) and a :class:`ProtectResult` comes back with the
    protected data and a signed receipt to pass to ``dw.decide(..., evidence=[receipt])`` (a
    folder gives its output path: each file's receipt is written beside its output).

    >>> import dataward as dw  # doctest: +SKIP
    >>> dw.protect("Mail ada@example.org")  # doctest: +SKIP
    'Mail tok_1_...'
    """
    if isinstance(data, Path) or output is not None:
        return _protect_path(Path(data), output, rules, keyring, decision)
    return apply(plan(data, rules, decision=decision, keyring=keyring), data, keyring=keyring)


def apply(plan: ProtectPlan, data: Any, *, keyring: KeyRing | None = None) -> Any:
    """Protect ``data`` as ``plan`` says (columns the plan does not name are planned from the
    data first) and give back the same kind. A plan made with a decision gives a
    :class:`ProtectResult` with the receipt."""
    if isinstance(data, Path):
        raise ConfigError("apply takes data in memory; protect a file with dw.protect(path)")
    p = Protector(plan=plan, keyring=keyring)
    ref = plan.decision
    out = _protect_text_or_memory(p, data)
    if ref is None:
        return out
    from dataward.protect.verify import verify_memory

    verify_memory(out, p)  # a receipt is issued for output read back clean, as for files
    from dataward.audit import record
    from dataward.audit.events import ProtectEvent
    from dataward.policy import evidence

    met = evidence.met(p, ref)
    hashes = {
        "input_sha256": evidence.content_sha256(data),
        "output_sha256": evidence.content_sha256(out),
    }
    event = record(
        ProtectEvent(
            decision_id=ref.decision_id,
            obligations=met,
            input_sha256=hashes["input_sha256"],
            output_sha256=hashes["output_sha256"],
        )
    )
    receipt = evidence.issue(
        ref,
        met,
        audit_index=event.index,
        input_sha256=hashes["input_sha256"],
        output_sha256=hashes["output_sha256"],
    )
    return ProtectResult(out, receipt)


def _protect_text_or_memory(p: Protector, data: Any) -> Any:
    if isinstance(data, str):
        return p.protect_text(data)
    if isinstance(data, list) and all(isinstance(t, str | None) for t in data):
        return [None if t is None else p.protect_text(t) for t in data]
    return _protect_memory(p, data)


def _protect_memory(p: Protector, data: Any) -> Any:
    """A table-like input (see :mod:`dataward.sources.memory`), protected, as the same kind."""
    from dataward.sources.memory import ROW, kind_of, to_arrow

    records = kind_of(data) == "records"
    keys = (lambda r: protect_keys(r, p)) if records else None
    table, back = to_arrow(data, map_keys=keys, verb="protect")
    p.decide(table.slice(0, p.config.sample_rows))
    if records:  # which records a suppress dropped
        table = table.append_column(ROW, pa.array(range(table.num_rows), pa.int64()))
        p.decisions[ROW] = ColumnDecision(ROW, "keep", None, None, "row index")
        try:
            return back(p.protect_batch(table))
        finally:
            del p.decisions[ROW]
    out = p.protect_batch(table)
    names = [p.protect_name(n) for n in out.column_names]
    if names != out.column_names:  # a column name that holds a sensitive value
        out = out.rename_columns(names)
    return back(out)


def _protect_path(
    src: Path, output: str | Path | None, rules: RulesLike, keyring: KeyRing | None, decision: Any
) -> Any:
    out = Path(output) if output is not None else _beside(src)
    if src.is_dir():  # each file's receipt (with a decision) is written beside its output
        from dataward.protect.folders import protect_folder

        protect_folder(src, out, rules, keyring=keyring, decision=decision)
        return out
    report = protect_file(src, out, rules, keyring=keyring, decision=decision)
    if decision is not None:
        assert report.receipt is not None
        return ProtectResult(out, report.receipt)
    return out


def _beside(src: Path) -> Path:
    """``data/patients.csv`` → ``data/patients.protected.csv`` (a folder: ``NAME.protected``)."""
    if src.is_dir():
        return src.with_name(src.name + ".protected")
    suffixes = "".join(src.suffixes)
    stem = src.name[: len(src.name) - len(suffixes)] if suffixes else src.name
    return src.with_name(f"{stem}.protected{suffixes}")
