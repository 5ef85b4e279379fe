"""Detector contracts.

A detector is one short declarative class. Most are :class:`PatternDetector` subclasses: patterns,
context words and an optional ``validate`` that does the precision work (checksums, ranges,
hard-negative filters). The engine compiles the patterns of every detector into one database, scans
each value once, and calls ``validate`` only for real matches. Detectors that are not pattern based
(NER, dictionaries) implement :class:`Detector` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar, Protocol, runtime_checkable

from dataward.detect.model import Finding, Pattern

ContextWords = Mapping[str, tuple[str, ...]]
"""Context words per language code (``en``, ``de``, ``fr``, ``es``, ``it``); ``any`` for all."""


@runtime_checkable
class Detector(Protocol):
    """Anything that turns a text into findings."""

    name: str
    entities: tuple[str, ...]

    def detect(self, text: str, language: str | None = None) -> Iterable[Finding]: ...


class PatternDetector:
    """A declarative pattern detector; subclasses set the class attributes below."""

    name: ClassVar[str] = ""
    """Registry key, set by :func:`dataward.detect.registry.register`."""
    entity: ClassVar[str]
    """Entity type of the findings (patterns may override it)."""
    patterns: ClassVar[tuple[Pattern, ...]]
    context: ClassVar[ContextWords] = {}
    """Words near a match that make it more likely (lower case; prefixes of >= 4 letters match)."""
    negative_context: ClassVar[ContextWords] = {}
    """Words near a match that make it less likely."""
    context_boost: ClassVar[float] = 0.35
    negative_penalty: ClassVar[float] = 0.35
    context_entities: ClassVar[Mapping[str, ContextWords]] = {}
    """Promote a finding to another entity when these words are near (DATE_TIME → DATE_OF_BIRTH)."""
    window_before: ClassVar[int] = 48
    window_after: ClassVar[int] = 24
    validator: ClassVar[str | None] = None
    """Name of the validation ``validate`` performs, shown in explanations."""

    @property
    def entities(self) -> tuple[str, ...]:
        names = {p.entity or self.entity for p in self.patterns}
        names.update(self.context_entities)
        return tuple(sorted(names))

    def validate(self, value: str, pattern: Pattern) -> float | None:
        """Return the score of ``value`` (a match of ``pattern``), or ``None`` to reject it."""
        return pattern.score
