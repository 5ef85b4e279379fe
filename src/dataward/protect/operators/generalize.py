"""``generalize``: coarser values (date → month/year, postcode → prefix, age → band, number →
bucket) that still carry signal for analysis and training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dataward.errors import ConfigError, ProtectError
from dataward.protect import generalization as g
from dataward.protect.base import Operator, operators

Kind = Literal["auto", "date", "postcode", "age", "number"]

ENTITY_KINDS: dict[str, str] = {
    "DATE_TIME": "date",
    "DATE_OF_BIRTH": "date",
    "POSTAL_CODE": "postcode",
    "AGE": "age",
}


@operators.register("generalize")
@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralizeOperator(Operator):
    """Replace a value with a coarser one. ``kind="auto"`` picks by entity type (dates,
    postal codes, ages); a value that cannot be read raises, or becomes ``*`` with
    ``on_invalid="suppress"``.

    >>> GeneralizeOperator(kind="date", granularity="month").apply("1984-07-23")
    '1984-07'
    >>> GeneralizeOperator(kind="postcode", keep=3).apply("02139")
    '021**'
    >>> [GeneralizeOperator(kind="age").apply(a) for a in ("37", "93")]
    ['30-39', '90+']
    >>> GeneralizeOperator(kind="number", width=1000).apply("52300")
    '52000-52999'
    """

    name = "generalize"

    kind: Kind = "auto"
    granularity: Literal["day", "month", "year", "decade"] = "year"
    keep: int = 3
    band: int = 10
    top: int | None = 90
    width: float = 10.0
    on_invalid: Literal["error", "suppress"] = "error"

    def __post_init__(self) -> None:
        if self.kind not in ("auto", "date", "postcode", "age", "number"):
            raise ConfigError("generalize: kind must be auto, date, postcode, age or number")
        if self.granularity not in g.DATE_GRANULARITIES:
            raise ConfigError(f"generalize: granularity must be one of {g.DATE_GRANULARITIES}")
        if self.keep < 0 or self.band < 1 or self.width <= 0:
            raise ConfigError("generalize: keep >= 0, band >= 1 and width > 0 are required")
        if self.top is not None and self.top < 1:
            raise ConfigError("generalize: top must be positive (or None for no top-coding)")
        if self.on_invalid not in ("error", "suppress"):
            raise ConfigError("generalize: on_invalid must be 'error' or 'suppress'")

    def apply(self, value: str, entity: str | None = None) -> str:
        kind = self.kind if self.kind != "auto" else ENTITY_KINDS.get(entity or "")
        try:
            if kind == "date":
                return g.generalize_date(value, self.granularity)
            if kind == "postcode":
                return g.generalize_postcode(value, self.keep)
            if kind == "age":
                return g.generalize_age(value, self.band, self.top)
            if kind == "number":
                return g.generalize_number(value, self.width)
        except ProtectError:
            if self.on_invalid == "suppress":
                return g.SUPPRESSED
            raise
        return g.SUPPRESSED  # auto with an entity type that has no hierarchy
