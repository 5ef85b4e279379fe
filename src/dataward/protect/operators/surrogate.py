"""``surrogate``: a consistent, realistic fake value (same key and input → same fake)."""

from __future__ import annotations

import hmac
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dataward.errors import ConfigError
from dataward.protect.base import KeyedOperator, operators
from dataward.protect.operators._surrogate_data import CITIES, FIRST_NAMES, LAST_NAMES

Kind = Literal["auto", "name", "first-name", "last-name", "city", "email", "shape"]
KINDS = ("auto", "name", "first-name", "last-name", "city", "email", "shape")

ENTITY_KINDS: dict[str, str] = {
    "PERSON": "name",
    "LOCATION": "city",
    "CITY": "city",
    "EMAIL_ADDRESS": "email",
}


@operators.register("surrogate")
@dataclass(frozen=True, slots=True, kw_only=True)
class SurrogateOperator(KeyedOperator):
    """Replace a value with a plausible fake chosen by HMAC(key, value): names from a built-in
    list, cities, ``first.last@example.com`` emails, and for everything else (phone numbers,
    IDs) the same shape with other digits and letters. Text reads naturally and the same person
    is the same fake person everywhere; unlike ``token`` it is not reversible, and two inputs
    may share a fake. ``kind="auto"`` picks by entity type.

    >>> from dataward.keys import KeyRing
    >>> op = SurrogateOperator(keyring=KeyRing.from_secret(b"k" * 32))
    >>> op.apply("Ada Lovelace", "PERSON") == op.apply("Ada Lovelace", "PERSON")
    True
    >>> len(op.apply("+1 415-555-0100", "PHONE_NUMBER"))
    15
    """

    name = "surrogate"
    purpose = "surrogate"

    kind: Kind = "auto"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"surrogate: kind must be one of {', '.join(KINDS)}")

    def apply(self, value: str, entity: str | None = None) -> str:
        return self._fake(value, entity, self.key())

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        key = self.key()
        return [self._fake(v, entity, key) for v in values]

    def _fake(self, value: str, entity: str | None, key: bytes) -> str:
        kind = self.kind if self.kind != "auto" else ENTITY_KINDS.get(entity or "", "shape")
        seed = hmac.digest(key, kind.encode() + b"\x00" + value.encode(), "sha256")
        n = int.from_bytes(seed, "big")
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n >> 16) % len(LAST_NAMES)]
        if kind == "name":
            out = f"{first} {last}"
        elif kind == "first-name":
            out = first
        elif kind == "last-name":
            out = last
        elif kind == "city":
            out = CITIES[n % len(CITIES)]
        elif kind == "email":
            return f"{first.lower()}.{last.lower()}{(n >> 32) % 100}@example.com"
        else:
            return _shape(value, key, seed)
        return out.upper() if value.isupper() else out


def _shape(value: str, key: bytes, seed: bytes) -> str:
    """Each digit → a digit, each ASCII letter → a letter of the same case, others kept."""
    stream = bytearray(seed)
    counter = 0
    while len(stream) < len(value):
        counter += 1
        stream += hmac.digest(key, seed + counter.to_bytes(4, "big"), "sha256")
    out = []
    for ch, b in zip(value, stream, strict=False):
        if ch in string.digits:
            out.append(string.digits[b % 10])
        elif ch in string.ascii_uppercase:
            out.append(string.ascii_uppercase[b % 26])
        elif ch in string.ascii_lowercase:
            out.append(string.ascii_lowercase[b % 26])
        else:
            out.append(ch)
    return "".join(out)
