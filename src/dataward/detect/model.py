"""The values the detection engine works with: patterns, findings and their explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression of a pattern detector.

    ``regex`` must be in the subset that Hyperscan, RE2 and Python ``re`` (``re.ASCII``) read
    alike: no look-around, no back-references, no atomic groups; ``\\d``, ``\\w``, ``\\b`` are
    ASCII.
    Checks that need look-around belong in :meth:`PatternDetector.validate` or ``boundary``.
    """

    name: str
    regex: str
    score: float
    """Base score of a match before validation and context."""
    ignore_case: bool = False
    entity: str | None = None
    """Entity type of this pattern's matches; defaults to the detector's ``entity``."""
    group: int = 0
    """Capture group whose span is the finding (0: the whole match)."""
    boundary: bool = True
    """Reject a match whose neighbouring characters are letters or digits."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"pattern {self.name!r}: score must be in [0, 1], got {self.score}")


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was reported; never holds the matched value."""

    pattern: str | None
    base_score: float
    validator: str | None = None
    validation: str | None = None
    context_words: tuple[str, ...] = ()
    context_delta: float = 0.0
    language: str | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "base_score": round(self.base_score, 4),
            "validator": self.validator,
            "validation": self.validation,
            "context_words": list(self.context_words),
            "context_delta": round(self.context_delta, 4),
            "language": self.language,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """A detected span of ``text[start:end]`` (Python ``str`` indices, end exclusive)."""

    entity: str
    start: int
    end: int
    score: float
    detector: str
    explanation: Explanation | None = field(default=None, compare=False)

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "detector": self.detector,
        }
        if explain and self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()
        return out
