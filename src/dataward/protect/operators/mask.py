"""``mask``: hide characters behind a mask character, keeping length and separators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dataward.errors import ConfigError
from dataward.protect.base import Operator, operators

Which = Literal["all", "alnum", "digits"]


@dataclass(frozen=True, slots=True)
class MaskPreset:
    keep_first: int
    keep_last: int
    which: Which


PRESETS: dict[str, MaskPreset] = {
    "card": MaskPreset(4, 4, "digits"),  # 4111 **** **** 1111
    "ssn": MaskPreset(0, 4, "digits"),  # ***-**-6789
    "phone": MaskPreset(0, 4, "digits"),  # +1 (***) ***-4567
    "iban": MaskPreset(4, 4, "alnum"),  # DE89 **** **** **** **30 00
    "email": MaskPreset(1, 0, "alnum"),  # a**@example.org (the domain is kept)
    "secret": MaskPreset(0, 0, "all"),
}
"""Presets by name; ``preset="auto"`` picks one from the finding's entity type."""

ENTITY_PRESETS: dict[str, str] = {
    "CREDIT_CARD": "card",
    "US_SSN": "ssn",
    "PHONE_NUMBER": "phone",
    "IBAN_CODE": "iban",
    "EMAIL_ADDRESS": "email",
}


@operators.register("mask")
@dataclass(frozen=True, slots=True, kw_only=True)
class MaskOperator(Operator):
    """Replace characters with ``char``, keeping the first and last ones and the length.

    ``which`` says which characters may be masked (and are counted by ``keep_first`` and
    ``keep_last``): ``all``, ``alnum`` (separators stay) or ``digits``. A preset sets all three;
    ``auto`` picks the preset of each value's entity type and otherwise uses the fields.

    >>> MaskOperator(preset="card").apply("4111 1111 1111 1111")
    '4111 **** **** 1111'
    >>> MaskOperator(preset="auto").apply("ada@example.org", "EMAIL_ADDRESS")
    'a**@example.org'
    >>> MaskOperator(keep_last=2).apply("secret")
    '****et'
    """

    name = "mask"

    char: str = "*"
    keep_first: int = 0
    keep_last: int = 0
    which: Which = "all"
    preset: str | None = None

    def __post_init__(self) -> None:
        if len(self.char) != 1:
            raise ConfigError("mask: char must be exactly one character")
        if self.keep_first < 0 or self.keep_last < 0:
            raise ConfigError("mask: keep_first and keep_last must be >= 0")
        if self.which not in ("all", "alnum", "digits"):
            raise ConfigError("mask: which must be 'all', 'alnum' or 'digits'")
        if self.preset is not None and self.preset != "auto" and self.preset not in PRESETS:
            raise ConfigError(
                f"mask: unknown preset {self.preset!r} (known: auto, {', '.join(PRESETS)})"
            )

    def _rule(self, entity: str | None) -> tuple[str | None, MaskPreset]:
        name = self.preset
        if name == "auto":
            name = ENTITY_PRESETS.get(entity or "")
        if name is None:
            return None, MaskPreset(self.keep_first, self.keep_last, self.which)
        return name, PRESETS[name]

    def apply(self, value: str, entity: str | None = None) -> str:
        name, rule = self._rule(entity)
        if name == "email" and "@" in value:
            local, _, domain = value.rpartition("@")
            return _mask(local, rule, self.char) + "@" + domain
        return _mask(value, rule, self.char)

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        name, rule = self._rule(entity)
        if name is None and rule.which == "all":
            char, first, last = self.char, rule.keep_first, rule.keep_last
            out: list[str | None] = []
            for v in values:
                n = len(v)
                hidden = n - first - last
                # Too short to keep anything back: everything is masked, nothing revealed.
                out.append(char * n if hidden <= 0 else v[:first] + char * hidden + v[n - last :])
            return out
        one = self.apply
        return [one(v, entity) for v in values]


def _mask(value: str, rule: MaskPreset, char: str) -> str:
    positions: Sequence[int]
    if rule.which == "all":
        positions = range(len(value))
    elif rule.which == "digits":
        positions = [i for i, c in enumerate(value) if c.isdigit()]
    else:
        positions = [i for i, c in enumerate(value) if c.isalnum()]
    end = len(positions) - rule.keep_last
    # Too short to keep anything back: everything is masked, nothing revealed.
    hide = positions[rule.keep_first : end] if end > rule.keep_first else positions
    chars = list(value)
    for i in hide:
        chars[i] = char
    return "".join(chars)
