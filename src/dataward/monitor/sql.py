"""Tables and columns a query touches, read with ``sqlglot`` (never by a regular expression).

Sources that do not list what a query read (Snowflake ``QUERY_HISTORY`` without a matching
``ACCESS_HISTORY`` row, pgaudit's statement, Databricks ``commandSubmit``) hand the text here;
only the names come back, never a literal. A query that does not parse comes back as ``None``
so the caller reports it (a subject that cannot be identified is never taken as "nothing read").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Touched:
    """What one statement reads or writes."""

    tables: tuple[str, ...]
    columns: tuple[str, ...]
    """``TABLE.COLUMN`` (``TABLE.*`` for a star; ``?.COLUMN`` when the table is ambiguous)."""
    write: bool


def _name(table: Any, database: str | None, schema: str | None) -> str:
    parts = [p for p in (table.catalog, table.db, table.name) if p]
    if len(parts) == 1 and schema:
        parts.insert(0, schema)
    if len(parts) == 2 and database:
        parts.insert(0, database)
    return ".".join(parts).upper()


def touched(
    query: str, dialect: str | None = None, database: str | None = None, schema: str | None = None
) -> Touched | None:
    """The tables and columns of ``query`` (qualified with ``database``/``schema`` where the
    query leaves them out), or ``None`` when it does not parse."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        statements = sqlglot.parse(query, read=dialect)
    except (SqlglotError, RecursionError, ValueError):
        return None
    tables: dict[str, None] = {}
    columns: dict[str, None] = {}
    write = False
    for statement in statements:
        if statement is None:
            continue
        if isinstance(statement, exp.Insert | exp.Update | exp.Delete | exp.Merge | exp.Create):
            write = True
        ctes = {c.alias_or_name.upper() for c in statement.find_all(exp.CTE)}
        aliases: dict[str, str] = {}
        found: list[str] = []
        for table in statement.find_all(exp.Table):
            if not table.name or table.name.upper() in ctes:
                continue
            name = _name(table, database, schema)
            found.append(name)
            tables[name] = None
            aliases[(table.alias or table.name).upper()] = name
        single = found[0] if len(set(found)) == 1 else None
        for column in statement.find_all(exp.Column):
            col = column.name
            if not col:
                continue
            owner = column.table.upper() if column.table else None
            table_name = aliases.get(owner) if owner is not None else single
            columns[f"{table_name or '?'}.{col.upper()}"] = None
        for star in statement.find_all(exp.Star):
            parent = star.parent
            if isinstance(parent, exp.Column) and parent.table:
                continue  # t.* is a Column with a table: counted above as T.*
            if single is not None:
                columns[f"{single}.*"] = None
    return Touched(tuple(tables), tuple(columns), write)
