"""``redact``: remove the value (in text, the span disappears)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataward.protect.base import Operator, operators


@operators.register("redact")
@dataclass(frozen=True, slots=True, kw_only=True)
class RedactOperator(Operator):
    """Replace the value with the empty string.

    >>> RedactOperator().apply("ada@example.org")
    ''
    """

    name = "redact"

    def apply(self, value: str, entity: str | None = None) -> str:
        return ""

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        return [""] * len(values)
