"""Protect in two steps: the plan says what each column and text field gets, and why.

:func:`plan` reads a sample of the data (or only a schema), classifies its columns and fixes,
per column, a *mode* and an operator:

- ``value``: the column holds one sensitive entity type and is protected whole by the
  operator of the first matching rule (``basis: rule``), of a decision's obligation
  (``basis: obligation``) or its type's default (``basis: default``);
- ``text``: free text; each finding is replaced in place by its own type's operator;
- ``scan``: every other string or integer column; its cells are still scanned value by value
  and sensitive findings replaced (``basis: findings``). A column whose type's default keeps it
  for training utility (a diagnosis, a medication) is also ``scan`` (``basis: utility``): the
  plan never leaves a column unread on its own account;
- ``keep``: only a rule that says ``keep``, and columns of types that hold no text (floats,
  booleans, dates).

:func:`dataward.protect.apply.apply` then does what the plan says. A plan holds no value.

>>> import pyarrow as pa
>>> p = plan(pa.schema([("ssn", pa.string()), ("score", pa.float64())]), rules=[])
>>> [(c.name, c.mode, c.operator) for c in p.columns.values()]
[('ssn', 'value', 'token'), ('score', 'keep', None)]
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from dataward.errors import ConfigError
from dataward.protect.cells import _is_list
from dataward.protect.config import (
    KEEP,
    OperatorSpec,
    ProtectConfig,
    ProtectRule,
    load_config,
    parse_config,
)
from dataward.protect.defaults import categories_of, default_spec
from dataward.protect.nested import check_readable, is_nested, scannable

Mode = Literal["keep", "value", "text", "scan"]
Basis = Literal["rule", "obligation", "default", "utility", "findings", ""]
RulesLike = ProtectConfig | Mapping[str, Any] | Sequence[ProtectRule | Mapping[str, Any]] | None

_CONFIG_KEYS = frozenset(ProtectConfig.model_fields)


# -- classification (one function to re-point) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """What a column holds, as far as protection cares."""

    entity: str | None
    kind: str
    """``entity``, ``free_text``, ``identifier`` or ``none``."""
    method: str
    sensitive: bool
    tags: frozenset[str] = frozenset()
    """Dataset tags (``PHI``, ``PCI``...) of the table the column belongs to."""


def classify_columns(sample: pa.Table, key: bytes) -> dict[str, ColumnInfo]:
    """Classify every column of ``sample`` (all rows of it). ``list<string>`` columns are
    classified by their elements; other nested columns (structs, maps, lists of lists...) are
    not classified: each of their values is scanned."""
    from dataward.classify import classify_table

    types = {n: sample.schema.field(n).type for n in sample.column_names}
    flat_cols = [n for n, t in types.items() if not is_nested(t)]
    out: dict[str, ColumnInfo] = {}
    parts: list[tuple[pa.Table, Sequence[str]]] = []
    if flat_cols:
        parts.append((sample.select(flat_cols), flat_cols))
    for name, t in types.items():
        if _is_list(t) and not is_nested(t.value_type):
            values = pc.list_flatten(sample.column(name))
            parts.append((pa.table({name: values}), [name]))
    for table, _names in parts:
        # A process pool pays off only for big samples (the classifier decides from 4,000
        # distinct values on); small tables are classified in-process.
        result = classify_table(table, key=key, workers=None if table.num_rows >= 2000 else 1)
        tags = frozenset(t.name for t in result.tags)
        for col in result.columns:
            out[col.name] = ColumnInfo(col.entity, col.kind, col.method, col.sensitive, tags)
    return out


def names_only(schema: pa.Schema) -> dict[str, ColumnInfo]:
    """What the column names of ``schema`` suggest, for a plan made without values (a name
    alone never classifies a column when there are values to check)."""
    from dataward.classify.names import match_rule, name_tokens
    from dataward.classify.profile import is_sensitive

    out: dict[str, ColumnInfo] = {}
    for name in schema.names:
        rule = match_rule(name_tokens(name))
        if rule is not None:
            out[name] = ColumnInfo(rule.entity, "entity", "column-name", is_sensitive(rule.entity))
    return out


# -- the plan -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ColumnDecision:
    """What one column gets, and why; never holds a value. ``changed`` and ``findings`` count
    what the apply step did with it."""

    name: str
    mode: Mode
    entity: str | None
    operator: str | None
    reason: str
    spec: OperatorSpec | None = field(default=None, repr=False)
    changed: int = 0
    """Values (``value``) or findings (``text``, ``scan``) replaced so far."""
    findings: Counter[str] = field(default_factory=Counter, repr=False)
    basis: Basis = ""
    """``rule``, ``obligation``, ``default``, ``utility`` (kept for training utility, still
    scanned) or ``findings`` (value-level scan of each cell)."""
    obligation: str | None = None
    """The decision's transform (``tokenize:PHI``) when ``basis`` is ``obligation``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "mode": self.mode,
            "entity": self.entity,
            "operator": self.operator,
            "params": dict(self.spec.params) if self.spec is not None else {},
            "reason": self.reason,
            "basis": self.basis,
            "obligation": self.obligation,
            "changed": self.changed,
            "findings": dict(sorted(self.findings.items())),
        }


def as_config(rules: RulesLike) -> ProtectConfig:
    """A :class:`ProtectConfig` from a config, its mapping, a list of rules, or a mapping of
    column name → operator (``{"ssn": "hash", "email": {"operator": "mask"}}``)."""
    if rules is None:
        return load_config()
    if isinstance(rules, ProtectConfig):
        return rules
    if isinstance(rules, Mapping):
        if set(rules) <= _CONFIG_KEYS:
            return parse_config(dict(rules))
        column_rules = [
            {"column": name, **OperatorSpec.model_validate(spec).model_dump()}
            for name, spec in rules.items()
        ]
        return parse_config({"rules": column_rules})
    if isinstance(rules, str | bytes):
        raise ConfigError("rules must be a mapping or a list of rules, not a string")
    items = [r.model_dump() if isinstance(r, ProtectRule) else dict(r) for r in rules]
    return parse_config({"rules": items})


@dataclass(slots=True)
class ProtectPlan:
    """What each column gets (:attr:`columns`) and how findings in text are chosen
    (:meth:`finding`); ``str(plan)`` is a table, :meth:`to_dict` its JSON form."""

    config: ProtectConfig
    dataset_tags: frozenset[str] = frozenset()
    """Tags known for the whole input (a decision's ``PHI``...), added to each column's (so an
    identifier column beside health data is PHI)."""
    obligations: tuple[str, ...] = ()
    """The decision's transforms; the first ``len(obligations)`` rules are theirs."""
    decision_id: str | None = None
    decision: Any = field(default=None, repr=False)
    """The decision's :class:`~dataward.policy.evidence.DecisionRef` (apply issues a receipt)."""
    columns: dict[str, ColumnDecision] = field(default_factory=dict)

    # -- choosing operators -------------------------------------------------------------------

    def resolve(
        self,
        *,
        column: str | None,
        entity: str | None,
        scope: Literal["column", "finding"],
        tags: frozenset[str] = frozenset(),
        named_only: bool = False,
    ) -> tuple[OperatorSpec, str]:
        """The operator spec for a column or finding, and why (``rule N`` or ``default``)."""
        if scope == "column":  # as a column's own tags: findings in text get none
            tags = tags | self.dataset_tags
        cats = categories_of(entity)
        if "PII" in cats and "PHI" in tags:
            cats = cats | {"PHI"}  # identifiers beside health data are PHI too
        for i, rule in enumerate(self.config.rules, 1):
            if named_only and rule.column is None:
                continue
            if rule.matches(column=column, entity=entity, categories=cats, scope=scope):
                return rule.spec(), f"rule {i}"
        return default_spec(entity, self.config.defaults, scope=scope), "default"

    def _basis(self, why: str) -> tuple[Basis, str | None]:
        if why.startswith("rule "):
            i = int(why.split()[1]) - 1
            if i < len(self.obligations):
                return "obligation", self.obligations[i]
            return "rule", None
        return "default", None

    def finding(self, entity: str, column: str | None = None) -> tuple[str, str]:
        """The operator a finding of ``entity`` in ``column``'s text gets, and why."""
        spec, why = self.resolve(column=column, entity=entity, scope="finding")
        basis, obligation = self._basis(why)
        return _label(spec), obligation or (why if basis != "default" else f"default for {entity}")

    # -- planning columns ---------------------------------------------------------------------

    def add(self, sample: pa.Table, key: bytes) -> dict[str, ColumnDecision]:
        """Classify the columns of ``sample`` not planned yet and plan them."""
        todo = [n for n in sample.column_names if n not in self.columns]
        if todo:
            infos = classify_columns(sample.select(todo), key)
            for name in todo:
                self.columns[name] = self.column(name, infos.get(name), sample.schema.field(name))
        return self.columns

    def add_schema(self, schema: pa.Schema) -> dict[str, ColumnDecision]:
        """Plan the columns of ``schema`` from their names and types only."""
        infos = names_only(schema)
        for f in schema:
            if f.name not in self.columns:
                self.columns[f.name] = self.column(f.name, infos.get(f.name), f)
        return self.columns

    def column(self, name: str, info: ColumnInfo | None, f: pa.Field) -> ColumnDecision:
        """The plan of one column from its classification (a type whose values cannot be
        read fails closed: :class:`~dataward.errors.ProtectError`)."""
        check_readable(name, f.type)
        info = info or ColumnInfo(None, "none", "none", False)
        if info.kind == "free_text" and info.method in ("free-text", "none"):
            spec, why = self.resolve(
                column=name, entity=info.entity, scope="column", tags=info.tags, named_only=True
            )
            if why != "default":
                return self._value(name, info.entity, spec, why, f.type)
            if self.config.free_text:
                return ColumnDecision(
                    name, "text", info.entity, "by finding", "free text", basis="findings"
                )
            return self._scan(name, info.entity, f.type, "free text (free_text off)")
        spec, why = self.resolve(column=name, entity=info.entity, scope="column", tags=info.tags)
        if why == "default":
            wanted = info.sensitive if self.config.sensitive_only else info.entity is not None
            if not wanted:
                return self._scan(name, info.entity, f.type, "not sensitive")
            why = f"default for {info.entity}"
        return self._value(name, info.entity, spec, why, f.type)

    def _scan(
        self, name: str, entity: str | None, dtype: pa.DataType, why: str, basis: Basis = "findings"
    ) -> ColumnDecision:
        """A column the plan leaves whole: its cells are still searched, value by value, and
        sensitive findings replaced (only non-text types are kept unread)."""
        if scannable(dtype):
            return ColumnDecision(
                name, "scan", entity, "by finding", f"{why}; value-level scan", basis=basis
            )
        return ColumnDecision(
            name, "keep", entity, None, f"{why}; {dtype} not scanned", basis=basis
        )

    def _value(
        self, name: str, entity: str | None, spec: OperatorSpec, why: str, dtype: pa.DataType
    ) -> ColumnDecision:
        basis, obligation = self._basis(why)
        if spec.operator == KEEP:
            if basis == "default":  # kept for utility: the cells are still scanned
                return self._scan(name, entity, dtype, f"{why}: keep for utility", "utility")
            return ColumnDecision(
                name, "keep", entity, KEEP, why, basis=basis, obligation=obligation
            )
        return ColumnDecision(
            name, "value", entity, spec.operator, why, spec, basis=basis, obligation=obligation
        )

    # -- showing it ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON: columns, and the rules findings in text are matched against."""
        return {
            "decision_id": self.decision_id,
            "dataset_tags": sorted(self.dataset_tags),
            "obligations": list(self.obligations),
            "columns": [_planned(c) for c in self.columns.values()],
            "text": {
                "rules": [
                    {"rule": i, **r.model_dump(exclude_defaults=True)}
                    for i, r in enumerate(self.config.rules, 1)
                    if r.scope in ("any", "finding")
                ],
                "otherwise": "each finding gets its entity type's default operator",
                "free_text": self.config.free_text,
                "link_values": self.config.link_values,
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        if not self.columns:
            return "\n".join(
                ["no columns: text, each finding replaced by its operator", *self._notes()]
            )
        rows = [("column", "mode", "entity", "operator", "why")]
        for c in self.columns.values():
            op = _label(c.spec) if c.spec is not None else (c.operator or "-")
            why = c.reason if c.obligation is None else f"{c.reason} (obligation {c.obligation})"
            rows.append((_shown(c.name), c.mode, c.entity or "-", op, why))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
            for r in rows
        ]
        return "\n".join([*lines, *self._notes()])

    def _notes(self) -> list[str]:
        text_rules = [r for r in self.config.rules if r.scope in ("any", "finding")]
        notes = [
            "text and scanned cells: each finding gets "
            + ("the first matching rule, else " if text_rules else "")
            + "its entity type's default operator"
        ]
        if self.obligations:
            notes.append(f"obligations: {', '.join(self.obligations)}")
        return notes


def _label(spec: OperatorSpec) -> str:
    """``mask(preset=phone)``."""
    params = ", ".join(f"{k}={v}" for k, v in sorted(spec.params.items()))
    return f"{spec.operator}({params})" if params else spec.operator


def _planned(c: ColumnDecision) -> dict[str, Any]:
    doc = c.to_dict()
    del doc["changed"], doc["findings"]  # what apply did: nothing yet
    return {**doc, "column": _shown(c.name)}


def _shown(name: str) -> str:
    """A column name as a plan shows it: the values pattern detectors find in it (an object key
    can be an e-mail) become ``<ENTITY>``; text lines are ``(text)``."""
    if name.startswith("\x00"):
        return "(text)"
    from dataward.detect.api import masked_name

    return masked_name(name)


def plan(
    data: Any,
    rules: RulesLike = None,
    *,
    decision: Any = None,
    keyring: Any = None,
) -> ProtectPlan:
    """What :func:`dataward.protect.apply.apply` will do with ``data``: any input
    ``dw.protect`` takes (a ``Path`` is a file: its first ``sample_rows`` rows are read), or a
    ``pyarrow.Schema`` to plan from column names and types alone.

    ``decision``: a policy decision (or its JSON) whose obligations come first.
    """
    config = as_config(rules)
    p = ProtectPlan(config)
    if decision is not None:
        from dataward.policy import evidence

        ref = evidence.decision_ref(decision)
        p = ProtectPlan(
            evidence.config_for(ref, None if rules is None else config),
            dataset_tags=frozenset(ref.tags),
            obligations=tuple(t for t, _op, _target in ref.obligations),
            decision_id=ref.decision_id,
            decision=ref,
        )
    if isinstance(data, pa.Schema):
        p.add_schema(data)
        return p
    if _is_text(data):
        return p
    if isinstance(data, Path):
        table = _file_sample(data, p.config.sample_rows)
        if table is None:  # a text file: findings only, no columns
            return p
    else:
        from dataward.sources.memory import to_arrow

        table, _back = to_arrow(data, verb="protect")
    if keyring is None:
        from dataward.keys.ring import KeyRing

        keyring = KeyRing.load_or_create()
    p.add(table.slice(0, p.config.sample_rows), keyring.subkey("protect-classify"))
    return p


def _file_sample(path: Path, rows: int) -> pa.Table | None:
    """The first ``rows`` rows of a file, as protect reads it (``None`` for a text file: it is
    protected finding by finding, with no columns)."""
    from dataward.protect.cells import _concat
    from dataward.sources import open_source

    if path.is_dir():
        raise ConfigError(f"{path}: a plan is made for one file; name a file of the folder")
    source = open_source(str(path))
    if source.format == "text":
        return None
    head: list[pa.Table] = []
    n = 0
    for batch in source.batches():
        head.append(pa.Table.from_batches([batch]))
        n += batch.num_rows
        if n >= rows:
            break
    if not head:
        return pa.table({})
    return _concat(head).slice(0, rows)


def _is_text(data: Any) -> bool:
    return isinstance(data, str) or (
        isinstance(data, list) and all(isinstance(t, str | None) for t in data)
    )
