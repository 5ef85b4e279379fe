"""``nullify``: the value becomes null (in text, the span is removed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataward.protect.base import Operator, operators


@operators.register("nullify")
@dataclass(frozen=True, slots=True, kw_only=True)
class NullifyOperator(Operator):
    """Replace the value with null; text spans are removed, since text cannot hold a null.

    >>> NullifyOperator().apply("ada@example.org") is None
    True
    """

    name = "nullify"

    def apply(self, value: str, entity: str | None = None) -> None:
        return None

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        return [None] * len(values)
