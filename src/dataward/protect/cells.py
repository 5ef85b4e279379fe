"""Cell-level helpers of :mod:`dataward.protect.apply`: column types, whole-value and
mixed-cell tests, integer round trips, and finding a row's values in its text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from dataward.detect.model import Finding


def _is_list(t: pa.DataType) -> bool:
    return bool(pa.types.is_list(t) or pa.types.is_large_list(t))


def _is_temporal(t: pa.DataType) -> bool:
    return bool(pa.types.is_date32(t) or pa.types.is_timestamp(t))


def _whole(value: str, found: Sequence[Finding]) -> bool:
    """Whether one finding covers ``value`` but for surrounding blanks."""
    if len(found) != 1:
        return False
    lead = len(value) - len(value.lstrip())
    end = len(value.rstrip())
    return found[0].start <= lead and found[0].end >= end


def _wordy(value: str) -> bool:
    """Text rather than one value: letters beside a blank."""
    return any(c.isspace() for c in value.strip()) and any(c.isalpha() for c in value)


def _as_integers(values: list[str | None], type_: pa.DataType) -> pa.Array:
    """Protected integers back in their column type; a replacement that is not a number of
    that type becomes null (the value is removed rather than kept)."""
    out: list[int | None] = []
    for v in values:
        try:
            out.append(None if v is None else int(v))
        except ValueError:
            out.append(None)
    try:
        return pa.array(out, type_)
    except (pa.ArrowInvalid, OverflowError):
        return pa.array([None] * len(out), type_)


def _concat(tables: list[pa.Table]) -> pa.Table:
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return tables[0]


def _strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    from dataward.classify.analysis import column_strings

    return column_strings(array)


def _occurrences(text: str, value: str) -> Iterator[int]:
    """Starts of ``value`` in ``text`` not glued to letters or digits on either side."""
    start = text.find(value)
    n = len(value)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + n] if start + n < len(text) else " "
        if not (before.isalnum() and value[0].isalnum()) and not (
            after.isalnum() and value[-1].isalnum()
        ):
            yield start
        start = text.find(value, start + 1)
