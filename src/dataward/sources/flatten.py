"""Flattening JSON records into columns.

Rules (see docs/sources.md):

- nested objects become dotted paths: ``{"patient": {"name": "Ada"}}`` → ``patient.name``;
- an array adds ``[]`` to the path, so arrays of objects give ``parent.child[].leaf``
  (``patient.contacts[].phone``) and arrays of scalars give ``tags[]``;
- a path without ``[]`` is a ``string`` column; a path with ``[]`` is a ``list<string>``
  column holding every leaf value under it in document order (nested arrays included);
- scalars become strings as JSON spells them (``true``, ``1.5``); ``null`` stays null;
- empty arrays and empty objects add nothing (there is nothing to scan);
- a record that is not an object (a string, a number, an array) is held in ``value``.

The ``[]`` marker keeps types stable: a key that holds a string in one record and an array in
another yields two columns (``tags`` and ``tags[]``), never a column of mixed type.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from dataward.errors import SourceError

Flat = dict[str, "str | list[str | None] | None"]
LIST_OF_STRINGS = pa.list_(pa.string())


MAX_DEPTH = 64
"""Default deepest nesting of objects and arrays in one JSON record (``Limits.max_depth``)."""


def flatten(record: Any, *, max_depth: int = MAX_DEPTH) -> Flat:
    """The flat columns of one JSON value.

    The walk is iterative, so depth costs no stack; a value nested deeper than ``max_depth``
    objects and arrays raises :class:`~dataward.errors.SourceError` (the reader adds the file
    and line).

    >>> flatten({"patient": {"contacts": [{"phone": "555"}, {"phone": "556"}]}, "n": 1})
    {'patient.contacts[].phone': ['555', '556'], 'n': '1'}
    """
    out: Flat = {}
    # (value, path, inside an array, depth); children are pushed in reverse to keep order
    stack: list[tuple[Any, str, bool, int]] = [
        (record, "" if isinstance(record, dict) else "value", False, 0)
    ]
    while stack:
        value, path, in_array, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= max_depth:
                raise too_deep(max_depth)
            if isinstance(value, dict):
                items = [
                    (item, f"{path}.{key}" if path else str(key), in_array, depth + 1)
                    for key, item in value.items()
                ]
            else:
                items = [(item, f"{path}[]", True, depth + 1) for item in value]
            stack.extend(reversed(items))
            continue
        text = scalar_text(value)
        if in_array:
            holder = out.setdefault(path, [])
            if isinstance(holder, list):
                holder.append(text)
        else:
            out[path] = text
    return out


def too_deep(max_depth: int) -> SourceError:
    """The error for a JSON value nested deeper than ``max_depth`` (no file or line yet)."""
    return SourceError(
        f"nested deeper than {max_depth} levels of objects and arrays; "
        "flatten the data or raise Limits.max_depth",
        max_depth=max_depth,
    )


def scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def to_batch(rows: Sequence[Flat]) -> pa.RecordBatch:
    """A record batch of flat rows: columns in order of first appearance."""
    names: dict[str, None] = {}
    for row in rows:
        for name in row:
            names.setdefault(name, None)
    arrays = []
    for name in names:
        values = [row.get(name) for row in rows]
        arrays.append(pa.array(values, LIST_OF_STRINGS if "[]" in name else pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=list(names))
