"""What a protect run replaced and produced, as keyed digests, for the verification pass.

Raw values never stay in memory past their batch: the ledger keeps 8-byte keyed BLAKE2b digests
under a key drawn at random for the run, so the sets mean nothing outside the process.
"""

from __future__ import annotations

import hashlib
import os

from dataward.classify.profile import is_sensitive
from dataward.errors import ProtectError

WHOLE_VALUE_OPERATORS = frozenset(
    {"token", "hash", "encrypt", "redact", "replace", "nullify", "suppress", "surrogate"}
)
"""Operators whose output keeps nothing of a whole cell: a mixed cell given to one of them is
destroyed, never partly kept, so its column needs no per-cell detection."""

LOOKALIKE_OPERATORS = frozenset({"fpe", "surrogate", "mask", "generalize", "date-shift"})
"""Operators whose output can look like a value of the same type (a valid card, a name, a
date): a finding of such a type in the output only counts as surviving when it is a value the
run replaced."""

MODEL_DETECTORS = frozenset({"ner"})
"""Detectors whose spans depend on context (names, places) rather than a pattern."""


class ScanIncompleteError(ProtectError):
    """The engine could not finish scanning a text within its time budget: the text is never
    passed through as clean (fail closed)."""


class Ledger:
    """Digests of the values a run replaced and of the values it wrote in their place."""

    __slots__ = ("_key", "produced", "replaced")

    def __init__(self) -> None:
        self._key = os.urandom(16)
        self.replaced: set[bytes] = set()
        self.produced: set[bytes] = set()

    def digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.strip().encode("utf-8"), key=self._key, digest_size=8).digest()

    def note(self, raw: str, new: str | None) -> None:
        """``raw`` was replaced by ``new`` (``None``: removed)."""
        if raw.strip():
            self.replaced.add(self.digest(raw))
        if new and new.strip() != raw.strip():  # an operator that kept the value produced nothing
            self.produced.add(self.digest(new))


def protected_type(entity: str) -> bool:
    """Whether findings of ``entity`` in a column the classifier left alone are protected:
    sensitive types of the taxonomy, and custom types (the taxonomy does not know them)."""
    from dataward.taxonomy import taxonomy

    return entity not in taxonomy() or is_sensitive(entity)
