"""Arrow types at the border between Spark and Dataward.

Spark 4 hands ``mapInArrow`` its strings, binaries and lists as Arrow's *large* types
(``spark.sql.execution.arrow.useLargeVarTypes``); the in-process engine reads what a user's
table holds, usually the plain types. The values are the same, but a column profile records its
Arrow type, and a scan on Spark must give the profile ``dw.scan`` gives: :func:`plain` casts
the large types to the plain ones before Dataward reads a batch.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["FINDING", "FINDINGS", "plain", "plain_type"]

FINDING = pa.struct(
    [
        pa.field("entity", pa.string(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("end", pa.int32(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
    ]
)
"""One finding as :meth:`dataward.Finding.to_dict` gives it (the score unrounded)."""

FINDINGS = pa.list_(pa.field("element", FINDING, nullable=False))
"""The ``findings`` column: the findings of one text, sorted by start."""


def plain_type(t: pa.DataType) -> pa.DataType:
    """``t`` with every large string, binary and list type replaced by the plain one (a
    list's field named ``item``, as Arrow names it)."""
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        # Spark names a list's field "element"; Arrow's default (a user's table) is "item"
        item = pa.field("item", plain_type(t.value_type), nullable=t.value_field.nullable)
        return pa.list_(item)
    if pa.types.is_struct(t):
        return pa.struct(
            [t.field(i).with_type(plain_type(t.field(i).type)) for i in range(t.num_fields)]
        )
    if pa.types.is_map(t):
        return pa.map_(plain_type(t.key_type), plain_type(t.item_type))
    return t


def plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with large types cast to plain ones (no copy when there are none)."""
    schema = pa.schema([f.with_type(plain_type(f.type)) for f in batch.schema])
    # compared as text: Arrow's equality ignores the name of a list's field
    return batch if str(schema) == str(batch.schema) else batch.cast(schema)
