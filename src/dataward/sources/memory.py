"""Data the user holds in memory, as one Arrow table and a way back to the same kind.

``dw.scan`` and ``dw.protect`` take what users hold: an Arrow table or record batch, a pandas
or polars DataFrame, a list of dicts (records), or a dict of columns. :func:`to_arrow` turns
each into an Arrow table and returns the function that turns a table of the same columns back
into the kind that came in (a DataFrame for a DataFrame, records for records).

pandas and polars are optional: they are recognised by the module of the object's type, so
neither is imported unless the object came from it.

Records are flattened as JSON records are (:mod:`dataward.sources.flatten`): nested objects
become dotted columns, arrays ``[]`` columns, and every leaf is read as text, so nothing nested
escapes the scan. On the way back each leaf is put where it was; a leaf that did not change
keeps its type. Struct columns of tables and DataFrames are read the same way, leaf by leaf
(``patient.ssn``), and come back as structs.

>>> table, back = to_arrow([{"name": "Ada", "visits": 3}])
>>> table.column_names
['name', 'visits']
>>> back(table)
[{'name': 'Ada', 'visits': 3}]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataward.errors import ConfigError
from dataward.sources.flatten import flatten, scalar_text, to_batch

Back = Callable[[pa.Table], Any]

ROW = "\x00row"
"""A column a caller may add to a records table: each row's record index, so that the way back
gives only the records whose rows are left (a protect ``suppress`` drops rows)."""

KINDS = (
    "an Arrow table or record batch, a pandas or polars DataFrame, a list of dicts, "
    "a dict of columns"
)
"""What :func:`to_arrow` accepts, for error messages."""


def kind_of(obj: Any) -> str | None:
    """``arrow``, ``batch``, ``pandas``, ``polars``, ``records`` or ``columns``; ``None`` for
    anything else (a path, text, an unsupported object)."""
    if isinstance(obj, pa.Table):
        return "arrow"
    if isinstance(obj, pa.RecordBatch):
        return "batch"
    module = type(obj).__module__.split(".")[0]
    if module in ("pandas", "polars") and type(obj).__name__ == "DataFrame":
        return module
    if isinstance(obj, Mapping):
        return "columns"
    if isinstance(obj, list | tuple) and obj and all(isinstance(r, Mapping) for r in obj):
        return "records"
    return None


def to_arrow(
    obj: Any, *, map_keys: Callable[[Any], Any] | None = None, verb: str = "read"
) -> tuple[pa.Table, Back]:
    """``obj`` as an Arrow table, and the function that gives a table back as ``obj``'s kind.

    ``map_keys`` (records only) is applied to every record before it is flattened (protect
    uses it to replace values held in object keys). Raises :class:`ConfigError` naming the
    accepted kinds for anything else."""
    kind = kind_of(obj)
    if kind in ("arrow", "batch", "pandas", "polars"):
        table, back = _tabular(obj, kind)
        flat, renest = _flat(table)
        return flat, lambda t: back(renest(t))
    if kind == "columns":
        try:
            table = pa.table({str(k): list(v) for k, v in obj.items()})
        except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ConfigError(
                f"a dict of columns needs a list of values per column of one length and type "
                f"({type(exc).__name__})"
            ) from None
        return table, lambda t: t.to_pydict()
    if kind == "records":
        records = [map_keys(r) if map_keys is not None else r for r in obj]
        return _from_records(records)
    raise ConfigError(
        f"cannot {verb} an object of type {type(obj).__name__}: pass {KINDS}, or a path"
        + (" (a Path), text or a list of texts" if verb == "protect" else "")
    )


def _tabular(obj: Any, kind: str) -> tuple[pa.Table, Back]:
    if kind == "arrow":
        return obj, lambda t: t
    if kind == "batch":
        return pa.Table.from_batches([obj]), _to_batch
    if kind == "pandas":
        return _from_pandas(obj)
    import polars as pl

    return obj.to_arrow(), lambda t: pl.from_arrow(t)


def _flat(table: pa.Table) -> tuple[pa.Table, Callable[[pa.Table], pa.Table]]:
    """Struct columns as their leaves (``patient.ssn``), so that each leaf is read like any
    column (a struct column is no text to scan), and the way back to the same nesting. The
    structs' own nulls come back when every row is still there."""
    schema = table.schema
    if not any(pa.types.is_struct(f.type) for f in schema):
        return table, lambda t: t
    rows = table.num_rows
    valid: dict[str, pa.Array] = {}
    flat = table
    while any(pa.types.is_struct(f.type) for f in flat.schema):
        for f in flat.schema:
            if pa.types.is_struct(f.type):
                valid[f.name] = flat.column(f.name).combine_chunks().is_valid()
        flat = flat.flatten()

    def renest(t: pa.Table) -> pa.Table:
        whole = t.num_rows == rows

        def build(name: str, type_: pa.DataType) -> pa.Array:
            if not pa.types.is_struct(type_):
                return t.column(name).combine_chunks()
            children = [build(f"{name}.{c.name}", c.type) for c in type_]
            fields = [pa.field(c.name, a.type) for c, a in zip(type_, children, strict=True)]
            mask = pc.invert(valid[name]) if whole else None
            return pa.StructArray.from_arrays(children, fields=fields, mask=mask)

        return pa.Table.from_arrays([build(f.name, f.type) for f in schema], names=schema.names)

    return flat, renest


def _to_batch(t: pa.Table) -> pa.RecordBatch:
    if t.num_rows:
        return t.combine_chunks().to_batches()[0]
    return pa.RecordBatch.from_pylist([], schema=t.schema)


def _from_pandas(df: Any) -> tuple[pa.Table, Back]:
    table = pa.Table.from_pandas(df, preserve_index=False)

    def back(t: pa.Table) -> Any:
        out = t.to_pandas()
        if len(out) == len(df):
            out.index = df.index
        return out

    return table, back


def _from_records(records: list[Any]) -> tuple[pa.Table, Back]:
    flat = [flatten(r) for r in records]
    table = pa.Table.from_batches([to_batch(flat)])

    def back(t: pa.Table) -> list[Any]:
        rows = t.column(ROW).to_pylist() if ROW in t.column_names else range(t.num_rows)
        columns = {n: t.column(n).to_pylist() for n in t.column_names if n != ROW}
        return [
            rebuild(records[r], {n: col[i] for n, col in columns.items()})
            for i, r in enumerate(rows)
        ]

    return table, back


def rebuild(record: Any, values: Mapping[str, Any]) -> Any:
    """``record`` with each leaf replaced by its value in ``values`` (keyed by the flat column
    names :func:`~dataward.sources.flatten.flatten` gives); unchanged leaves keep their type."""
    cursors: dict[str, int] = {}
    if isinstance(record, Mapping):
        return _put(record, "", values, cursors, in_array=False)
    return _put(record, "value", values, cursors, in_array=False)


def _put(
    value: Any, path: str, values: Mapping[str, Any], cursors: dict[str, int], *, in_array: bool
) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _put(v, f"{path}.{k}" if path else str(k), values, cursors, in_array=in_array)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_put(v, f"{path}[]", values, cursors, in_array=True) for v in value]
    if path not in values:
        return value
    new = values[path]
    if in_array:
        i = cursors.get(path, 0)
        cursors[path] = i + 1
        items = new if isinstance(new, list) else []
        new = items[i] if i < len(items) else None
    if value is None or new == scalar_text(value):
        return value
    return new
