"""``replace``: an entity tag (``<PERSON>``), numbered placeholders or a fixed text."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from dataward.errors import ConfigError
from dataward.protect.base import Operator, operators


@operators.register("replace")
@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceOperator(Operator):
    """Replace the value with ``<ENTITY>``, ``<ENTITY_n>`` or ``value``.

    With ``numbered=True`` each distinct value of an entity type gets the next number the first
    time it is seen, and keeps it for the life of the operator (one operator = one run), so
    "Ada met Bob; Ada left" becomes "<PERSON_1> met <PERSON_2>; <PERSON_1> left".

    >>> ReplaceOperator().apply("Ada Lovelace", "PERSON")
    '<PERSON>'
    >>> op = ReplaceOperator(numbered=True)
    >>> [op.apply(v, "PERSON") for v in ("Ada", "Bob", "Ada")]
    ['<PERSON_1>', '<PERSON_2>', '<PERSON_1>']
    """

    name = "replace"

    value: str | None = None
    """A fixed replacement; when set, tags and numbering are not used."""
    label: str = "REDACTED"
    """The tag used where the entity type is unknown (whole-column use)."""
    numbered: bool = False
    _numbers: dict[tuple[str, str], int] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )
    _counts: dict[str, int] = field(init=False, default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(
        init=False, default_factory=threading.Lock, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.label or any(c in self.label for c in "<>"):
            raise ConfigError("replace: label must be a non-empty name without '<' or '>'")

    def apply(self, value: str, entity: str | None = None) -> str:
        if self.value is not None:
            return self.value
        tag = entity or self.label
        if not self.numbered:
            return f"<{tag}>"
        key = (tag, value)
        number = self._numbers.get(key)
        if number is None:
            with self._lock:
                number = self._numbers.get(key)
                if number is None:
                    number = self._counts.get(tag, 0) + 1
                    self._counts[tag] = number
                    self._numbers[key] = number
        return f"<{tag}_{number}>"

    def reset(self) -> None:
        """Start a new run: numbering starts again at 1."""
        with self._lock:
            self._numbers.clear()
            self._counts.clear()
