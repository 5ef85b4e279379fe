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

Flat = dict[str, "str | list[str | None] | None"]
LIST_OF_STRINGS = pa.list_(pa.string())


def flatten(record: Any) -> Flat:
    """The flat columns of one JSON value.

    >>> flatten({"patient": {"contacts": [{"phone": "555"}, {"phone": "556"}]}, "n": 1})
    {'patient.contacts[].phone': ['555', '556'], 'n': '1'}
    """
    out: Flat = {}
    if isinstance(record, dict):
        _walk(record, "", out, in_array=False)
    else:
        _walk(record, "value", out, in_array=False)
    return out


def _walk(value: Any, path: str, out: Flat, *, in_array: bool) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else str(key), out, in_array=in_array)
        return
    if isinstance(value, list):
        list_path = f"{path}[]"
        for item in value:
            _walk(item, list_path, out, in_array=True)
        return
    text = scalar_text(value)
    if in_array:
        holder = out.setdefault(path, [])
        if isinstance(holder, list):
            holder.append(text)
    else:
        out[path] = text


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
