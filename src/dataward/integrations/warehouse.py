"""Snowflake and Databricks Unity Catalog: column tags and masks from a scan and a decision.

A scan says what each column holds (its entity type and the entity's categories); a policy
decision says what must be done to some of them (obligations such as ``redact:US_SSN`` or
``mask:PCI``). The warehouse can enforce both where the data lives:

- **Snowflake**: object tags (``CREATE TAG``, ``ALTER TABLE ... MODIFY COLUMN ... SET TAG``)
  and masking policies (``CREATE MASKING POLICY``, ``... SET MASKING POLICY``);
- **Databricks Unity Catalog**: governed tags (``ALTER TABLE ... ALTER COLUMN ... SET TAGS``)
  and column masks (a SQL UDF, ``ALTER TABLE ... ALTER COLUMN ... SET MASK``).

The statements are generated, not run: review them, then run them with the warehouse's client.
Every name is quoted in the dialect (a column name cannot end the statement) and every tag
value is an entity or category name, never a data value.

A mask in the warehouse cannot hold Dataward's keys, and an unkeyed hash of a nine-digit SSN is
reversed by enumerating them; so obligations that tokenize, hash, encrypt or format-preserve
become a full redaction there (``[REDACTED:US_SSN]``), ``mask`` keeps the last four
characters, ``nullify`` and ``suppress`` give NULL. Members of the unmask role (Snowflake) or
group (Databricks) see the values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dataward.errors import ConfigError

__all__ = ["ColumnTags", "column_tags", "databricks_sql", "snowflake_sql"]

Dialect = Literal["snowflake", "databricks"]

MASKS = {
    "token": "redact",
    "hash": "redact",
    "encrypt": "redact",
    "fpe": "redact",
    "redact": "redact",
    "replace": "redact",
    "mask": "last4",
    "nullify": "null",
    "suppress": "null",
}
"""Protect operator (of an obligation) → the warehouse mask that stands for it."""

_TYPES: dict[str, dict[Dialect, str]] = {
    "string": {"snowflake": "STRING", "databricks": "STRING"},
    "large_string": {"snowflake": "STRING", "databricks": "STRING"},
    "int8": {"snowflake": "NUMBER", "databricks": "TINYINT"},
    "int16": {"snowflake": "NUMBER", "databricks": "SMALLINT"},
    "int32": {"snowflake": "NUMBER", "databricks": "INT"},
    "int64": {"snowflake": "NUMBER", "databricks": "BIGINT"},
    "double": {"snowflake": "FLOAT", "databricks": "DOUBLE"},
    "float": {"snowflake": "FLOAT", "databricks": "FLOAT"},
    "bool": {"snowflake": "BOOLEAN", "databricks": "BOOLEAN"},
    "date32[day]": {"snowflake": "DATE", "databricks": "DATE"},
}
"""Arrow type of a profiled column → the SQL type its mask takes and returns."""


@dataclass(frozen=True, slots=True)
class ColumnTags:
    """What the warehouse should know about one column: its entity type, the entity's
    categories, and the mask a decision's obligation asks for (``None``: tags only)."""

    column: str
    entity: str
    categories: tuple[str, ...]
    data_type: str = "string"
    mask: str | None = None
    """``redact``, ``last4`` or ``null`` (see :data:`MASKS`)."""
    obligation: str | None = None


def column_tags(classification: Any, decision: Any = None) -> list[ColumnTags]:
    """The sensitive columns of a :class:`~dataward.classify.dataset.DatasetClassification`
    (or a scan result's first dataset), each with the mask the first matching obligation of
    ``decision`` (a decision or its JSON) asks for. An obligation names an entity type or a
    category (``PII``, ``PHI``, ``PCI``...); identifiers beside health data count as ``PHI``."""
    from dataward.protect.defaults import categories_of

    if hasattr(classification, "datasets"):
        classification = classification.datasets[0]
    obligations: Sequence[tuple[str, str, str]] = ()
    dataset_tags: set[str] = set(getattr(classification, "tag_names", []))
    if decision is not None:
        from dataward.policy.evidence import decision_ref

        ref = decision_ref(decision)
        obligations = ref.obligations
        dataset_tags.update(ref.tags)
    out = []
    for col in classification.columns:
        if col.entity is None or not col.sensitive:
            continue
        cats = set(categories_of(col.entity))
        if "PII" in cats and "PHI" in dataset_tags:
            cats.add("PHI")
        mask = obligation = None
        for transform, operator, target in obligations:
            if target in (col.entity, "*") or target in cats:
                mask, obligation = MASKS.get(operator, "redact"), transform
                break
        out.append(
            ColumnTags(col.name, col.entity, tuple(sorted(cats)), col.data_type, mask, obligation)
        )
    return out


# -- SQL -------------------------------------------------------------------------------------


def _ident(name: str, dialect: Dialect) -> str:
    """One quoted identifier: ``"a""b"`` (Snowflake) or ```a``b``` (Databricks)."""
    if not name or "\x00" in name:
        raise ConfigError("an SQL identifier must be a non-empty name without NUL")
    if dialect == "snowflake":
        return '"' + name.replace('"', '""') + '"'
    return "`" + name.replace("`", "``") + "`"


def _qualified(name: str, dialect: Dialect) -> str:
    """``db.schema.table`` with each part quoted (a part may not contain a dot)."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ConfigError(f"{name!r} is not a [database.][schema.]name", name=name)
    return ".".join(_ident(p, dialect) for p in parts)


def _literal(value: str, dialect: Dialect = "snowflake") -> str:
    """A string literal: both dialects read a backslash as an escape; Snowflake doubles a
    quote, Databricks (Spark SQL) escapes it."""
    escaped = value.replace("\\", "\\\\")
    quote = "''" if dialect == "snowflake" else "\\'"
    return "'" + escaped.replace("'", quote) + "'"


def _sql_type(col: ColumnTags, dialect: Dialect) -> str:
    types = _TYPES.get(col.data_type)
    if types is None:
        raise ConfigError(
            f"column {col.column!r} is {col.data_type}: no {dialect} mask is generated for "
            "that type; protect the column with dw.protect before loading it",
            column=col.column,
        )
    return types[dialect]


def _masked(col: ColumnTags, sql_type: str, dialect: Dialect) -> str:
    """The expression a masked reader sees instead of ``val``."""
    if col.mask == "last4" and sql_type == "STRING":
        return "CONCAT('****', RIGHT(val, 4))"
    if col.mask in ("redact", "last4") and sql_type == "STRING":
        return _literal(f"[REDACTED:{col.entity}]", dialect)
    return "NULL"  # nullify, suppress, and any mask of a value that is not text


def _policy_name(col: ColumnTags, sql_type: str) -> str:
    kind = col.mask if sql_type == "STRING" else "null"
    tail = f"_{col.entity.lower()}" if kind == "redact" else ""
    return f"dataward_{kind}_{sql_type.lower()}{tail}"


def snowflake_sql(
    table: str,
    columns: Iterable[ColumnTags],
    *,
    tag_schema: str,
    unmask_role: str = "DATAWARD_UNMASK",
) -> list[str]:
    """Statements that tag each column of ``table`` (``DATAWARD_ENTITY`` and
    ``DATAWARD_CATEGORY`` tags, created in ``tag_schema``) and attach a masking policy (created
    in ``tag_schema``) to each column a decision masks."""
    d: Dialect = "snowflake"
    cols = list(columns)
    entity_tag = f"{_qualified(tag_schema, d)}.{_ident('DATAWARD_ENTITY', d)}"
    category_tag = f"{_qualified(tag_schema, d)}.{_ident('DATAWARD_CATEGORY', d)}"
    out = [
        f"CREATE TAG IF NOT EXISTS {entity_tag} COMMENT = 'Dataward: the entity type'",
        f"CREATE TAG IF NOT EXISTS {category_tag} COMMENT = 'Dataward: its categories'",
    ]
    target = _qualified(table, d)
    made: set[str] = set()
    for col in cols:
        sets = [f"{entity_tag} = {_literal(col.entity)}"]
        if col.categories:
            sets.append(f"{category_tag} = {_literal(','.join(col.categories))}")
        out.append(
            f"ALTER TABLE {target} MODIFY COLUMN {_ident(col.column, d)} SET TAG {', '.join(sets)}"
        )
        if col.mask is None:
            continue
        sql_type = _sql_type(col, d)
        policy = f"{_qualified(tag_schema, d)}.{_ident(_policy_name(col, sql_type).upper(), d)}"
        if policy not in made:
            made.add(policy)
            out.append(
                f"CREATE MASKING POLICY IF NOT EXISTS {policy} AS (val {sql_type}) "
                f"RETURNS {sql_type} -> CASE WHEN IS_ROLE_IN_SESSION({_literal(unmask_role)}) "
                f"THEN val ELSE {_masked(col, sql_type, d)} END"
            )
        out.append(
            f"ALTER TABLE {target} MODIFY COLUMN {_ident(col.column, d)} "
            f"SET MASKING POLICY {policy}"
        )
    return out


def databricks_sql(
    table: str,
    columns: Iterable[ColumnTags],
    *,
    function_schema: str,
    unmask_group: str = "dataward_unmask",
) -> list[str]:
    """Statements that set Unity Catalog tags (``dataward_entity``, ``dataward_category``) on
    each column of ``table`` and a column mask (a SQL function in ``function_schema``) on each
    column a decision masks."""
    d: Dialect = "databricks"
    target = _qualified(table, d)
    out: list[str] = []
    made: set[str] = set()
    for col in columns:
        tags: Mapping[str, str] = {"dataward_entity": col.entity}
        if col.categories:
            tags = {**tags, "dataward_category": ",".join(col.categories)}
        pairs = ", ".join(f"{_literal(k, d)} = {_literal(v, d)}" for k, v in tags.items())
        out.append(f"ALTER TABLE {target} ALTER COLUMN {_ident(col.column, d)} SET TAGS ({pairs})")
        if col.mask is None:
            continue
        sql_type = _sql_type(col, d)
        function = f"{_qualified(function_schema, d)}.{_ident(_policy_name(col, sql_type), d)}"
        if function not in made:
            made.add(function)
            out.append(
                f"CREATE OR REPLACE FUNCTION {function}(val {sql_type}) RETURNS {sql_type} "
                f"RETURN CASE WHEN is_account_group_member({_literal(unmask_group, d)}) "
                f"THEN val ELSE {_masked(col, sql_type, d)} END"
            )
        out.append(f"ALTER TABLE {target} ALTER COLUMN {_ident(col.column, d)} SET MASK {function}")
    return out
