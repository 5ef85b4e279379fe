"""Nested Arrow columns are protected value by value (struct fields, list items, map keys and
values, at any depth) and keep their type; a type protection cannot read fails closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataward as dw
from dataward.errors import ProtectError

SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"
N = 30
CANARY_ROW = 3


def _cell(i: int) -> str:
    """Benign notes, with both canaries in one row (the column is not one entity type)."""
    if i == CANARY_ROW:
        return f"call back, ssn {SSN}, mail {EMAIL}"
    return f"note {i} about the weather"


def _whole(i: int) -> str:
    """A column of whole values (classified as one entity type where it can be)."""
    return SSN if i % 2 else EMAIL


def _shapes(cell: Callable[[int], str]) -> dict[str, pa.Array]:
    s = pa.string()
    rows = range(N)
    return {
        "struct": pa.array(
            [{"a": cell(i), "n": i} for i in rows], pa.struct([("a", s), ("n", pa.int64())])
        ),
        "list_struct": pa.array(
            [[{"a": cell(i)}, {"a": "x"}] for i in rows], pa.list_(pa.struct([("a", s)]))
        ),
        "map": pa.array([[(cell(i), cell(i)), ("k", "v")] for i in rows], pa.map_(s, s)),
        "map_key": pa.array([[(cell(i), 1)] for i in rows], pa.map_(s, pa.int32())),
        "list_list": pa.array([[[cell(i)], []] for i in rows], pa.list_(pa.list_(s))),
        "large_list": pa.array([[cell(i)] for i in rows], pa.large_list(pa.large_string())),
        "fixed_list": pa.array([[cell(i), "y"] for i in rows], pa.list_(s, 2)),
        "struct_of_list": pa.array(
            [{"l": [cell(i)], "m": [("k", cell(i))]} for i in rows],
            pa.struct([("l", pa.list_(s)), ("m", pa.map_(s, s))]),
        ),
        "list_binary": pa.array([[cell(i).encode()] for i in rows], pa.list_(pa.binary())),
        "dict_list": pa.array([[cell(i)] for i in rows], pa.list_(pa.dictionary(pa.int32(), s))),
        "with_nulls": pa.array(
            [None if i == 1 else [{"a": cell(i)}] for i in rows], pa.list_(pa.struct([("a", s)]))
        ),
    }


SHAPES = list(_shapes(_cell))


def _assert_protected(before: pa.Array, after: pa.ChunkedArray | pa.Array) -> None:
    assert after.type == before.type
    text = str(after.to_pylist())
    assert SSN not in text
    assert EMAIL not in text
    assert len(after) == len(before)
    assert after.null_count == before.null_count


@pytest.mark.parametrize("cells", [_cell, _whole], ids=["in-text", "whole"])
@pytest.mark.parametrize("shape", SHAPES)
def test_dw_protect_reads_every_nested_value(shape: str, cells: Callable[[int], str]) -> None:
    column = _shapes(cells)[shape]
    table = pa.table({"id": list(range(N)), shape: column})
    out = dw.protect(table)
    _assert_protected(column, out.column(shape))
    assert out.column("id").to_pylist() == list(range(N))


def test_nested_benign_values_are_kept() -> None:
    column = _shapes(_cell)["list_struct"]
    out = dw.protect(pa.table({"c": column})).column("c").to_pylist()
    assert out[0] == [{"a": "note 0 about the weather"}, {"a": "x"}]


def test_dataward_protect_parquet_reads_every_nested_value(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    columns = _shapes(_cell)
    table = pa.table({"id": list(range(N)), **columns})
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    result = cli("protect", str(src), str(out), "-q")
    assert result.code == 0, result.output
    back = pq.read_table(out)
    assert back.column_names == table.column_names
    for name, column in columns.items():
        _assert_protected(column, back.column(name))


def test_an_unreadable_type_fails_closed_naming_column_and_type() -> None:
    column = pa.UnionArray.from_sparse(
        pa.array([0, 1], pa.int8()), [pa.array([SSN, "b"]), pa.array([1, 2])]
    )
    table = pa.table({"id": [1, 2], "odd": column})
    with pytest.raises(ProtectError) as err:
        dw.protect(table)
    message = str(err.value)
    assert "'odd'" in message
    assert str(column.type) in message
    assert SSN not in message


def test_a_union_inside_a_struct_fails_closed() -> None:
    union = pa.UnionArray.from_sparse(
        pa.array([0, 0], pa.int8()), [pa.array([SSN, EMAIL]), pa.array([1, 2])]
    )
    column = pa.StructArray.from_arrays([union], names=["u"])
    with pytest.raises(ProtectError, match="'odd") as err:
        dw.protect(pa.table({"odd": column}))
    assert SSN not in str(err.value) and EMAIL not in str(err.value)


def test_nested_binary_that_is_not_text_fails_closed() -> None:
    column = pa.array([[b"\xff\xfe" + SSN.encode()], [b"ok"]], pa.list_(pa.binary()))
    with pytest.raises(ProtectError, match="'blobs'") as err:
        dw.protect(pa.table({"blobs": column}))
    assert SSN not in str(err.value)
