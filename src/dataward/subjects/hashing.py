"""Keyed hashes of subject identifiers: what the index, plans and certificates hold instead of
the identifier.

An identifier is normalised by its type (an e-mail address lower-cased, an SSN or a phone
number reduced to its digits...) so that ``Ada@Example.org`` in one file and
``ada@example.org`` in another are one subject, then hashed with HMAC-SHA256 under the key
ring's ``subjects`` sub-key: without the key ring a hash cannot be tested against guesses (an
SSN has only 10^9 values, so a plain hash would be reversible).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from dataward import scope
from dataward.errors import DatawardError

PURPOSE = "subjects"
"""The HKDF purpose of the key ring sub-key the subject hashes use."""

DEFAULT_ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "US_SSN",
    "MEDICAL_RECORD_NUMBER",
    "PHONE_NUMBER",
)
"""Entity types that identify a person, found by the detection engine."""

ID_ENTITY = "CUSTOMER_ID"
"""The type of values read from identifier columns (:attr:`SubjectConfig.id_columns`)."""


class SubjectError(DatawardError):
    """A subject could not be indexed, found or erased; the message never holds the identifier."""


@dataclass(frozen=True, slots=True)
class SubjectConfig:
    """What identifies a subject: entity types the engine detects in any column, and columns
    (by name, case-insensitive) whose whole value is a customer id."""

    entities: tuple[str, ...] = DEFAULT_ENTITIES
    id_columns: tuple[str, ...] = ("customer_id",)
    threshold: float | None = None
    """The detection threshold (default: the settings')."""
    id_column_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_column_set", frozenset(c.lower() for c in self.id_columns))

    @property
    def types(self) -> tuple[str, ...]:
        """Every type an identifier may have."""
        return (*self.entities, ID_ENTITY) if self.id_columns else self.entities


def normalize(entity: str, value: str) -> str:
    """The identifier as it is hashed: one spelling per subject."""
    text = value.strip()
    if entity == "EMAIL_ADDRESS":
        return text.lower()
    if entity in ("US_SSN", "PHONE_NUMBER"):
        digits = "".join(c for c in text if c.isdigit())
        if entity == "PHONE_NUMBER" and len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]  # +1 (NANP) and the bare ten digits are one number
        return digits
    if entity == "MEDICAL_RECORD_NUMBER":
        return "".join(c for c in text.upper() if c.isalnum())
    return text


def subject_key(home: str | Path | None = None) -> bytes:
    """The HMAC key of subject hashes: the key ring's ``subjects`` sub-key, from the ring the
    runtime in use holds (one ring object per home, as :attr:`dataward.Runtime.keyring`)."""
    from dataward.keys.ring import KeyRing
    from dataward.settings import get_settings

    where = Path(home if home is not None else get_settings().home)
    ring: KeyRing = scope.current().get(
        f"keys.ring:{where.resolve()}", lambda: KeyRing.load_or_create(where)
    )
    return ring.subkey(PURPOSE)


class Hasher:
    """Keyed hashes of identifiers under one key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def current(cls) -> Hasher:
        """The hasher of the runtime in use."""
        return cls(subject_key())

    def digest(self, entity: str, value: str) -> bytes:
        message = f"{entity}\x00{normalize(entity, value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def hexdigest(self, entity: str, value: str) -> str:
        """The subject hash that events and certificates name (64 hex digits)."""
        return self.digest(entity, value).hex()


def prefix_of(digest: bytes) -> int:
    """The index's posting key: the first 8 bytes of a digest as a signed 64-bit integer."""
    return int.from_bytes(digest[:8], "big", signed=True)


def prefix_of_hex(subject_hash: str) -> int:
    return prefix_of(bytes.fromhex(subject_hash))
