"""Regular expressions that cannot backtrack without bound: a ReDoS check and a safe compile.

Python's ``re`` backtracks. A pattern with a nested quantifier whose iterations can split a string
in more than one way (``(?:[a-z.]+/?)+``) takes exponential time on a string that almost matches;
two adjacent unbounded quantifiers over overlapping characters (``\\w+\\d+``) take polynomial time.
RE2 and Hyperscan never backtrack, but RE2's Python wrapper costs ~10 µs a call where ``re`` costs
well under one, so the hot paths want ``re`` on short values.

:func:`problems` is a static check over the parsed pattern (``re._parser``) that finds both shapes.
:func:`compile` returns a :class:`LinearPattern`, which runs on ``re`` when the check passes and
either the text is short (at most :data:`SHORT` characters: a pattern without those shapes then
costs at most O(n²) steps for a search, bounded by SHORT²) or the pattern's matches are short (at
most :data:`BOUNDED` characters: each attempt reads a bounded window, so a search is linear), and
on RE2 otherwise (RE2's Python wrapper costs ~10 µs a match). A pattern that fails the check
runs on RE2 only; one that fails the check and that RE2 cannot compile (back-references,
look-arounds) is refused with :class:`UnsafePatternError`.

>>> problems(r"(?:[A-Za-z0-9_.-]+[\\/]?)+")
['nested quantifier: repeated group can split a string in several ways']
>>> problems(r"(?:[a-z0-9-]+\\.)+(?:com|org)")
[]
>>> compile(r"[0-9]{3,}").search("ab 1234").group()
'1234'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from dataward.errors import DetectorError

# sre's parser (private, stable since 3.11, typeshed has no stubs for it)
sre_p: Any = importlib.import_module("re._parser")
sre_c: Any = importlib.import_module("re._constants")

__all__ = ["SHORT", "LinearPattern", "UnsafePatternError", "compile", "problems"]

SHORT = 1024
"""Texts up to this length may run on Python ``re`` (for a pattern the check passed)."""

_BIG = 64
"""A repetition with a maximum above this counts as unbounded for the polynomial check."""

BOUNDED = 256
"""A checked pattern whose matches are at most this long runs on ``re`` at any text length: each
match attempt reads at most this many characters, so a whole search is linear in the text."""

_ALPHABET = frozenset(range(128)) | frozenset(
    ord(c) for c in "\u00a0\u00e9\u00c9\u00df\u0430\u0410\u4e2d\u2028\u3000\u0663\U0001f600"
)
"""The characters sets are computed over: ASCII plus a sample of Latin, Cyrillic, CJK, digits of
other scripts, spaces and an emoji (enough to tell whether two classes overlap)."""


class UnsafePatternError(DetectorError):
    """A pattern can backtrack super-linearly and RE2 cannot run it instead."""


# -- character sets ------------------------------------------------------------------------------


def _category(cat: Any, ch: str) -> bool:
    name = str(cat)
    if "DIGIT" in name:
        hit = ch.isdecimal()
    elif "SPACE" in name:
        hit = ch.isspace()
    elif "WORD" in name:
        hit = ch.isalnum() or ch == "_"
    elif "LINEBREAK" in name:
        hit = ch == "\n"
    else:  # pragma: no cover - sre has no other categories
        hit = True
    return not hit if "NOT" in name else hit


def _in_set(items: list[Any], code: int) -> bool:
    ch = chr(code)
    negate = False
    hit = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            hit = hit or av == code
        elif op is sre_c.RANGE or op is sre_c.RANGE_UNI_IGNORE:
            hit = hit or av[0] <= code <= av[1]
        elif op is sre_c.CATEGORY:
            hit = hit or _category(av, ch)
    return hit != negate


def _fold(codes: frozenset[int], ignore_case: bool) -> frozenset[int]:
    if not ignore_case:
        return codes
    out = set(codes)
    for c in codes:
        ch = chr(c)
        out.update(ord(x) for x in (ch.lower(), ch.upper()) if len(x) == 1)
    return frozenset(out) & _ALPHABET


def _char_set(op: Any, av: Any, ignore_case: bool) -> frozenset[int]:
    """The characters one single-character item matches."""
    if op is sre_c.LITERAL:
        codes = frozenset({av}) & _ALPHABET or frozenset({av})
    elif op is sre_c.NOT_LITERAL:
        codes = _ALPHABET - {av}
    elif op is sre_c.ANY:
        codes = _ALPHABET - ({ord("\n")} if av is None else set())
    else:  # IN
        codes = frozenset(c for c in _ALPHABET if _in_set(av, c))
    return _fold(codes, ignore_case)


_SINGLE = (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN)
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT)


class _Analysis:
    """Walks a parsed pattern, collecting problems."""

    def __init__(self, ignore_case: bool, group_widths: list[tuple[int, int]]) -> None:
        self.ignore_case = ignore_case
        self.group_widths = group_widths
        self.found: list[str] = []

    def note(self, problem: str) -> None:
        if problem not in self.found:
            self.found.append(problem)

    # facts about a sequence of items

    def chars(self, seq: Any) -> frozenset[int]:
        """Every character that can occur in a match of ``seq``."""
        out: set[int] = set()
        for op, av in seq:
            if op in _SINGLE:
                out |= _char_set(op, av, self.ignore_case)
            elif op in _REPEATS or op is sre_c.POSSESSIVE_REPEAT:
                out |= self.chars(av[2])
            elif op is sre_c.SUBPATTERN:
                out |= self.chars(av[3])
            elif op is sre_c.ATOMIC_GROUP:
                out |= self.chars(av)
            elif op is sre_c.BRANCH:
                for alt in av[1]:
                    out |= self.chars(alt)
            elif op is sre_c.GROUPREF or op is sre_c.GROUPREF_EXISTS:
                out |= _ALPHABET
        return frozenset(out)

    def nullable(self, seq: Any) -> bool:
        return bool(_width(seq)[0] == 0)

    def unbounded(self, seq: Any) -> bool:
        """Whether ``seq`` holds a repetition that can grow past :data:`_BIG`."""
        return bool(_width(seq)[1] > _BIG)

    # the walk

    def walk(self, seq: Any) -> None:
        self.sequence(seq)
        for op, av in seq:
            if op in _REPEATS:
                self.repeat(av)
                self.walk(av[2])
            elif op is sre_c.POSSESSIVE_REPEAT:
                self.walk(av[2])
            elif op is sre_c.SUBPATTERN:
                self.walk(av[3])
            elif op is sre_c.ATOMIC_GROUP:
                self.walk(av)
            elif op is sre_c.BRANCH:
                for alt in av[1]:
                    self.walk(alt)
            elif op is sre_c.ASSERT or op is sre_c.ASSERT_NOT:
                self.walk(av[1])
            elif op is sre_c.GROUPREF_EXISTS or (
                op is sre_c.GROUPREF and self.group_widths[av][1] > _BIG
            ):
                self.note("back-reference: matching can be super-linear")

    def repeat(self, av: Any) -> None:
        """Exponential shapes: a repeated body that can match one string in several ways."""
        _low, high, body = av
        if high <= 1:
            return
        width = _width(body)
        if width[0] == 0:
            self.note("nested quantifier: repeated group can match the empty string")
            return
        if width[0] == width[1] and not self._ambiguous_branch(body):
            return  # fixed-width iterations split a string one way only
        if self._unambiguous_branch(body):
            return
        if not self._delimited(body):
            self.note("nested quantifier: repeated group can split a string in several ways")

    def _ambiguous_branch(self, body: Any) -> bool:
        for op, av in body:
            if op is sre_c.BRANCH:
                firsts = [self.first(alt) for alt in av[1]]
                seen: set[int] = set()
                for f in firsts:
                    if seen & f:
                        return True
                    seen |= f
            elif op is sre_c.SUBPATTERN and self._ambiguous_branch(av[3]):
                return True
        return False

    def _unambiguous_branch(self, body: Any) -> bool:
        """Whether ``body`` is one alternation whose alternatives start with different characters
        and each split a string one way (fixed width or delimited)."""
        items = list(_flatten(body))
        if len(items) != 1 or items[0][0] is not sre_c.BRANCH:
            return False
        seen: set[int] = set()
        for alt in items[0][1][1]:
            first = self.first(alt)
            if seen & first:
                return False
            seen |= first
            low, high = _width(alt)
            if low == 0 or (low != high and not self._delimited(alt)):
                return False
        return True

    def _delimited(self, body: Any) -> bool:
        """Whether one mandatory single character of ``body`` is a delimiter: it occurs in no
        variable-length part of ``body``, so each iteration's extent is fixed by where the
        delimiters are."""
        variable: set[int] = set()
        mandatory: list[frozenset[int]] = []
        for op, av in _flatten(body):
            if op in _SINGLE:
                mandatory.append(_char_set(op, av, self.ignore_case))
            elif op in _REPEATS or op is sre_c.POSSESSIVE_REPEAT:
                low, high, inner = av
                if low == high and _width(inner)[0] == _width(inner)[1]:
                    if low > 0:
                        mandatory.append(self.chars(inner))
                else:
                    variable |= self.chars(inner)
            elif op is sre_c.BRANCH and _literal_branch(av) and self._distinct_starts(av):
                mandatory.append(self.chars([(op, av)]))  # (?:\\.|->|::): fixed alternatives
            elif op is sre_c.BRANCH or op is sre_c.GROUPREF or op is sre_c.GROUPREF_EXISTS:
                variable |= self.chars([(op, av)])
        return any(not (m & variable) for m in mandatory)

    def _distinct_starts(self, av: Any) -> bool:
        seen: set[int] = set()
        for alt in av[1]:
            first = self.first(alt)
            if seen & first:
                return False
            seen |= first
        return True

    def first(self, seq: Any) -> frozenset[int]:
        """The characters a match of ``seq`` can start with."""
        out: set[int] = set()
        for op, av in seq:
            if op in _SINGLE:
                return frozenset(out | _char_set(op, av, self.ignore_case))
            if op in _REPEATS or op is sre_c.POSSESSIVE_REPEAT:
                out |= self.first(av[2])
                if av[0] > 0 and not self.nullable(av[2]):
                    return frozenset(out)
            elif op is sre_c.SUBPATTERN or op is sre_c.ATOMIC_GROUP:
                inner = av[3] if op is sre_c.SUBPATTERN else av
                out |= self.first(inner)
                if not self.nullable(inner):
                    return frozenset(out)
            elif op is sre_c.BRANCH:
                for alt in av[1]:
                    out |= self.first(alt)
                if not self.nullable([(op, av)]):
                    return frozenset(out)
            elif op is sre_c.GROUPREF or op is sre_c.GROUPREF_EXISTS:
                return frozenset(out | _ALPHABET)
        return frozenset(out)

    def sequence(self, seq: Any) -> None:
        """Polynomial shapes: an unbounded repetition that can hand characters it took to an
        unbounded repetition after it, with nothing between that separates them (``\\w+\\d+``,
        ``.*=.*``)."""
        pending: set[int] = set()  # characters a repetition so far can give back
        for op, av in seq:
            item = [(op, av)]
            if op is sre_c.AT or op is sre_c.ASSERT or op is sre_c.ASSERT_NOT:
                continue
            first = self.first(item)
            if self.unbounded(item):
                if pending & first:
                    self.note("overlapping quantifiers: adjacent repetitions share characters")
                if self.nullable(item):
                    pending |= self.last(item)
                else:
                    pending = set(self.last(item))
            elif not self.nullable(item):
                if pending & first:
                    pending |= self.last(item)
                else:
                    pending = set()  # a mandatory item the repetitions cannot absorb

    def last(self, seq: Any) -> frozenset[int]:
        """The characters a match of ``seq`` can end with."""
        return self.first(_reverse(seq))


def _reverse(seq: Any) -> list[tuple[Any, Any]]:
    """``seq`` read backwards (for the last characters of a match)."""
    out: list[tuple[Any, Any]] = []
    for op, av in reversed(list(seq)):
        if op in _REPEATS or op is sre_c.POSSESSIVE_REPEAT:
            out.append((op, (av[0], av[1], _reverse(av[2]))))
        elif op is sre_c.SUBPATTERN:
            out.append((op, (av[0], av[1], av[2], _reverse(av[3]))))
        elif op is sre_c.ATOMIC_GROUP:
            out.append((op, _reverse(av)))
        elif op is sre_c.BRANCH:
            out.append((op, (av[0], [_reverse(alt) for alt in av[1]])))
        else:
            out.append((op, av))
    return out


def _literal_branch(av: Any) -> bool:
    """Whether an alternation's alternatives are all non-empty runs of single characters."""
    return all(alt and all(op in _SINGLE for op, _ in alt) for alt in av[1])


def _flatten(body: Any) -> Iterator[tuple[Any, Any]]:
    """Items of ``body`` with plain groups opened (they do not change what is mandatory)."""
    for op, av in body:
        if op is sre_c.SUBPATTERN:
            yield from _flatten(av[3])
        elif op is sre_c.ATOMIC_GROUP:
            yield from _flatten(av)
        else:
            yield op, av


_MAX = sre_c.MAXREPEAT


def _width(seq: Any) -> tuple[int, int]:
    """(min, max) length of a match of ``seq`` (max capped at MAXREPEAT)."""
    low = high = 0
    for op, av in seq:
        if op in _SINGLE:
            lo, hi = 1, 1
        elif op in _REPEATS or op is sre_c.POSSESSIVE_REPEAT:
            ilo, ihi = _width(av[2])
            lo, hi = ilo * av[0], (ihi * av[1] if av[1] != _MAX or ihi == 0 else _MAX)
        elif op is sre_c.SUBPATTERN:
            lo, hi = _width(av[3])
        elif op is sre_c.ATOMIC_GROUP:
            lo, hi = _width(av)
        elif op is sre_c.BRANCH:
            widths = [_width(alt) for alt in av[1]]
            lo, hi = min(w[0] for w in widths), max(w[1] for w in widths)
        elif op is sre_c.GROUPREF or op is sre_c.GROUPREF_EXISTS:
            lo, hi = 0, _MAX
        else:  # AT, ASSERT, ASSERT_NOT: zero width
            lo, hi = 0, 0
        low, high = low + lo, min(_MAX, high + hi)
    return low, high


def problems(regex: str, flags: int = 0) -> list[str]:
    """Why ``regex`` can backtrack super-linearly in Python ``re`` (empty: it cannot).

    Checked: nested quantifiers whose iterations are not delimited (exponential), alternatives
    inside a repetition that start alike, repeated groups that match the empty string,
    adjacent unbounded repetitions over shared characters (polynomial), back-references.
    """
    parsed = sre_p.parse(regex, flags)
    ignore_case = bool((flags | parsed.state.flags) & re.IGNORECASE)
    analysis = _Analysis(ignore_case, list(parsed.state.groupwidths))
    analysis.walk(parsed)
    return analysis.found


# -- compile -------------------------------------------------------------------------------------


def _re2_compile(regex: str, flags: int) -> Any:
    from dataward.detect.prefilter import _re2, _re2_options

    if _re2 is None:
        return None
    prefix = "(?i)" if flags & re.IGNORECASE else ""
    prefix += "(?s)" if flags & re.DOTALL else ""
    prefix += "(?m)" if flags & re.MULTILINE else ""
    try:
        return _re2.compile(prefix + regex, options=_re2_options())
    except Exception:  # RE2 lacks the construct (look-around, back-reference, >1000 repeats)
        return None


class LinearPattern:
    """A pattern that runs in time linear in the text (see the module docs).

    It offers the ``re.Pattern`` methods the package uses; results are ``re`` or RE2 match
    objects, which offer ``group``, ``span``, ``start`` and ``end`` alike. RE2 reads ``\\d``,
    ``\\w`` and ``\\s`` as ASCII: compile with ``re.ASCII`` for the same results on both.
    """

    __slots__ = ("_bounded", "_re", "_re2", "flags", "guard", "pattern", "problems", "short")

    def __init__(
        self,
        regex: str,
        flags: int = 0,
        *,
        short: int = SHORT,
        name: str = "",
        guard: str | None = None,
    ) -> None:
        self.pattern = regex
        self.flags = flags
        self.short = short
        self.guard = guard
        compiled = re.compile(regex, flags)
        self.problems = problems(regex, flags)
        self._re2 = _re2_compile(regex, flags)
        self._re: re.Pattern[str] | None = None if self.problems else compiled
        self._bounded = self._re is not None and _width(sre_p.parse(regex, flags))[1] <= BOUNDED
        if self._bounded and guard:
            # no match may touch these characters: the search skips such places in C. Only for
            # bounded patterns, which run on re at every length, so results never depend on it
            self._re = re.compile(f"(?<!{guard})(?:{regex})(?!{guard})", flags)
        if self._re is None and self._re2 is None:
            label = f"pattern {name!r}" if name else "a pattern"
            raise UnsafePatternError(
                f"{label} can backtrack without bound ({'; '.join(self.problems)}) and RE2 "
                "cannot run it; rewrite it without nested or overlapping quantifiers",
                pattern=name or None,
            )

    @property
    def linear_engine_only(self) -> bool:
        """Whether every text runs on RE2 (the check found a problem)."""
        return self._re is None

    def _pick(self, text: str) -> Any:
        if self._re is not None and (len(text) <= self.short or self._bounded or self._re2 is None):
            return self._re
        return self._re2

    def search(self, text: str) -> Any:
        return self._pick(text).search(text)

    def match(self, text: str) -> Any:
        return self._pick(text).match(text)

    def fullmatch(self, text: str) -> Any:
        return self._pick(text).fullmatch(text)

    def finditer(self, text: str) -> Iterator[Any]:
        result: Iterator[Any] = self._pick(text).finditer(text)
        return result

    def findall(self, text: str) -> list[Any]:
        result: list[Any] = self._pick(text).findall(text)
        return result

    def split(self, text: str) -> list[str]:
        result: list[str] = self._pick(text).split(text)
        return result

    def sub(self, repl: str | Callable[[Any], str], text: str) -> str:
        result: str = self._pick(text).sub(repl, text)
        return result

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.pattern, self.flags, self.short, self.guard))

    def __repr__(self) -> str:
        return f"LinearPattern({self.pattern!r})"


def _rebuild(regex: str, flags: int, short: int, guard: str | None) -> LinearPattern:
    return LinearPattern(regex, flags, short=short, guard=guard)


def compile(regex: str, flags: int = 0, *, short: int = SHORT, name: str = "") -> LinearPattern:
    """A :class:`LinearPattern`; raises :class:`UnsafePatternError` for a pattern neither engine
    can run in linear time."""
    return LinearPattern(regex, flags, short=short, name=name)
