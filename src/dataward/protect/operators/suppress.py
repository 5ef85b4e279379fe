"""``suppress``: the record holding the value is dropped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from dataward.detect.model import Finding
from dataward.protect.base import Operator, operators


@operators.register("suppress")
@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressOperator(Operator):
    """Mark the value's record for removal: the value becomes null (the marker) and
    ``drops_record`` tells the table writer to drop every record whose input was not null.

    Text with at least one finding is suppressed whole (``None``); text without is kept.

    >>> op = SuppressOperator()
    >>> op.apply("ada@example.org") is None, op.drops_record
    (True, True)
    """

    name = "suppress"
    drops_record = True

    def apply(self, value: str, entity: str | None = None) -> None:
        return None

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        return [None] * len(values)

    def apply_text(self, text: str, findings: Iterable[Finding]) -> str | None:
        return None if any(True for _ in findings) else text

    @staticmethod
    def keep_mask(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
        """True for the records that stay (their value was null), for ``Table.filter``."""
        return pc.is_null(values)
