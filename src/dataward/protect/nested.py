"""Nested Arrow columns, value by value: struct fields, list and large-list items, fixed-size
list items, map keys and values, at any depth, each text (or integer) leaf protected by one
function and the array rebuilt with its own type (nulls and field names kept).

A type whose values protection cannot read (a union, an extension type...) fails closed:
:func:`check_readable` raises one :class:`~dataward.errors.ProtectError` naming the column and
its type, so the column never passes through unread.

>>> import pyarrow as pa
>>> arr = pa.array([[{"a": "x"}], None], pa.list_(pa.struct([("a", pa.string())])))
>>> walk(arr, lambda leaf: pa.array([v.upper() for v in leaf.to_pylist()])).to_pylist()
[[{'a': 'X'}], None]
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from dataward.errors import ProtectError

Leaf = Callable[[pa.Array], pa.Array]
"""Protects a flat ``string`` array of the same length (nulls stay null)."""


def is_nested(t: pa.DataType) -> bool:
    """A type with children (struct, list-like, map)."""
    return bool(pa.types.is_nested(t))


def _text_leaf(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t))


def _unreadable(t: pa.DataType) -> pa.DataType | None:
    """The first part of ``t`` whose values cannot be read, or ``None``."""
    if pa.types.is_union(t) or isinstance(t, pa.BaseExtensionType):
        return t
    if pa.types.is_dictionary(t):
        return _unreadable(t.value_type)
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            bad = _unreadable(t.field(i).type)
            if bad is not None:
                return bad
        return None
    if pa.types.is_map(t):
        return _unreadable(t.key_type) or _unreadable(t.item_type)
    if pa.types.is_nested(t):  # list, large list, fixed-size list, list views
        if not (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)):
            return t
        return _unreadable(t.value_type)
    if pa.types.is_run_end_encoded(t):
        return t
    return None


def check_readable(column: str, t: pa.DataType) -> None:
    """Raise :class:`ProtectError` when a part of ``t`` cannot be read (fail closed)."""
    bad = _unreadable(t)
    if bad is not None:
        part = "" if bad == t else f" (its {bad} values)"
        raise ProtectError(
            f"column {column!r} of type {t} cannot be read for protection{part}; "
            "cast the column to strings or structs, or drop it"
        )


def scannable(t: pa.DataType) -> bool:
    """Whether any leaf of ``t`` holds text (or integers) that protection reads."""
    if pa.types.is_dictionary(t):
        return scannable(t.value_type)
    if pa.types.is_struct(t):
        return any(scannable(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return scannable(t.key_type) or scannable(t.item_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return scannable(t.value_type)
    return _text_leaf(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t)


def walk(arr: pa.Array, leaf: Leaf, column: str = "") -> pa.Array:
    """``arr`` with every text or integer leaf protected by ``leaf``, same type. Binary leaves
    are read as UTF-8 text; binary that is not text fails closed (:class:`ProtectError`
    naming ``column``)."""
    t = arr.type
    if pa.types.is_dictionary(t):
        return pc.cast(walk(arr.dictionary_decode(), leaf, column), t)
    if _text_leaf(t):
        return _leaf(arr, leaf)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        try:
            text = pc.cast(arr, pa.string())
        except pa.ArrowInvalid:
            raise ProtectError(
                f"column {column!r}: its {t} values are not UTF-8 text and cannot be read for "
                "protection; decode them to strings, or drop the column"
            ) from None
        return pc.cast(_leaf(text, leaf), t)
    mask = arr.is_null() if arr.null_count else None
    if pa.types.is_struct(t):
        children = [walk(child, leaf, column) for child in arr.flatten()]
        return pa.StructArray.from_arrays(children, fields=list(t), mask=mask)
    if pa.types.is_fixed_size_list(t):
        size = t.list_size
        values = arr.values.slice(arr.offset * size, len(arr) * size)
        return pa.FixedSizeListArray.from_arrays(walk(values, leaf, column), type=t, mask=mask)
    if pa.types.is_map(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
        offsets = arr.offsets
        first = offsets[0].as_py()
        span = offsets[-1].as_py() - first
        rebased = pc.subtract(offsets, offsets[0]) if first else offsets
        if pa.types.is_map(t):
            entries = arr.values.slice(first, span)
            keys = walk(entries.field(0), leaf, column)
            items = walk(entries.field(1), leaf, column)
            return pa.MapArray.from_arrays(rebased, keys, items, type=t, mask=mask)
        cls = pa.LargeListArray if pa.types.is_large_list(t) else pa.ListArray
        values = walk(arr.values.slice(first, span), leaf, column)
        return cls.from_arrays(rebased, values, type=t, mask=mask)
    return arr  # floats, booleans, dates...: no text to read (as at the top level)


def _leaf(arr: pa.Array, leaf: Leaf) -> pa.Array:
    t = arr.type
    if pa.types.is_integer(t):
        from dataward.protect.cells import _as_integers

        out = leaf(pc.cast(arr, pa.string()))
        return _as_integers(out.to_pylist(), t)
    out = leaf(arr if pa.types.is_string(t) else pc.cast(arr, pa.string()))
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return out if out.type == t else pc.cast(out, t)
