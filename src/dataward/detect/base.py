"""Detector contracts.

A detector is one short declarative class. Most are :class:`PatternDetector` subclasses: patterns,
context words and an optional ``validate`` that does the precision work (checksums, ranges,
hard-negative filters). The engine compiles the patterns of every detector into one database, scans
each value once, and calls ``validate`` only for real matches. Detectors that are not pattern based
(NER, dictionaries) implement :class:`Detector` directly.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable, Iterable, Mapping
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


def score_ceiling(detector: PatternDetector, pattern: Pattern) -> float | None:
    """The highest score ``detector.validate`` can give a match of ``pattern``, read from its
    code; ``None`` when the code does not say (the engine then assumes any score).

    ``validate`` is read when every ``return`` in it is ``None``, a number, ``pattern.score``,
    ``pattern.score`` plus or minus a number, or a conditional (``a if test else b``) of these:
    the shape of nearly every built-in detector. Anything else (a computed score, a call, an
    attribute of ``self``, a ``validate`` set on the instance) is unknown.

    >>> from dataward.detect.model import Pattern
    >>> class Loose(PatternDetector):
    ...     entity = "X"
    ...     patterns = (Pattern("digits", r"\\d{6}", 0.3),)
    ...     def validate(self, value: str, pattern: Pattern) -> float | None:
    ...         return pattern.score if value[0] != "0" else None
    >>> score_ceiling(Loose(), Loose.patterns[0])
    0.3
    """
    if "validate" in getattr(detector, "__dict__", {}):
        return None
    func = type(detector).validate
    if func is PatternDetector.validate:
        return pattern.score
    read = _returns(func)
    if read is None:
        return None
    name, returns = read
    try:
        bounds = [_bound(expr, name, pattern.score) for expr in returns]
    except _UnreadableError:
        return None
    return max((b for b in bounds if b is not None), default=0.0)


class _UnreadableError(Exception):
    """A ``return`` of ``validate`` that :func:`score_ceiling` cannot bound."""


@functools.lru_cache(maxsize=1024)
def _returns(func: Callable[..., object]) -> tuple[str, tuple[ast.expr | None, ...]] | None:
    """The name of ``func``'s pattern parameter and the expressions of its ``return`` statements,
    or ``None`` when its source cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef) or len(node.args.args) < 3:
        return None
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Lambda)) for n in ast.walk(node)):
        return None
    returns = tuple(n.value for n in ast.walk(node) if isinstance(n, ast.Return))
    return node.args.args[2].arg, returns


def _bound(expr: ast.expr | None, name: str, score: float) -> float | None:
    """The largest value ``expr`` can take (``None``: a rejection); raises
    :class:`_UnreadableError` when it is not an expression :func:`score_ceiling` reads."""
    if expr is None:
        return None
    if isinstance(expr, ast.Constant):
        value = expr.value
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _UnreadableError
    if (
        isinstance(expr, ast.Attribute)
        and expr.attr == "score"
        and isinstance(expr.value, ast.Name)
        and expr.value.id == name
    ):
        return score
    if isinstance(expr, ast.IfExp):
        both = [_bound(expr.body, name, score), _bound(expr.orelse, name, score)]
        return max((b for b in both if b is not None), default=None)
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, (ast.Add, ast.Sub))
        and isinstance(expr.right, ast.Constant)
    ):
        left = _bound(expr.left, name, score)
        right = _bound(expr.right, name, score)
        if left is None or right is None:
            raise _UnreadableError
        return left + right if isinstance(expr.op, ast.Add) else left - right
    raise _UnreadableError
