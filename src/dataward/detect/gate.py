"""The context gate: which detectors' context words can be near a match in a text.

A pattern whose best score without a context word is under the threshold (see
:func:`dataward.detect.base.score_ceiling`) can only be reported when one of its detector's
context words is in the window around the match, or in the hints (a column name). Loose digit
patterns of such detectors (health, licence, bank and national IDs) match nearly every number;
the engine runs them only in texts where such a word can be found, which changes no finding.

The check is one scan per text: a Hyperscan database of literal needles (Python ``in`` per
detector when Hyperscan is missing) over the lower-cased text. A needle is a string that the
lower-cased text holds whenever :func:`dataward.detect.context.match_words` can find one of the
words in a window of it:

- a single word itself: a window token equal to it or starting with it contains it, and a
  window token is a substring of the lower-cased text (a window only cuts the text);
- the longest token of a phrase ("date of birth"): a phrase found across the space that joins
  the text before and after a match still holds each of its tokens whole on one side.

A detector with a word that has no token, or that holds a Greek sigma (lower-cased by what
follows it, so a window and the whole text can differ), is never gated.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from dataward.detect.base import PatternDetector
from dataward.detect.context import match_words, tokens, words_for
from dataward.detect.prefilter import _hs

_HINT_MEMO = 1_000
"""Hint sets remembered with the gates they open before the memo starts over."""


def needles(words: Sequence[str]) -> tuple[str, ...] | None:
    """Strings of which one is in the lower-cased text whenever a context word of ``words`` is
    found in a window of it (see the module docstring); ``None`` when that cannot be said."""
    out: list[str] = []
    for w in words:
        if any(ch in w for ch in "σςΣ"):
            return None
        parts = tokens(w)
        if not parts:
            return None
        out.append(w if parts == [w] else max(parts, key=len))
    return tuple(dict.fromkeys(out))


class ContextGate:
    """Which detectors (by their index in ``detectors``) may have a context word near a match.

    >>> from dataward.detect.registry import detectors
    >>> from dataward.detect.detectors import load_builtins
    >>> load_builtins()
    >>> ssn = detectors.get("us-ssn")
    >>> gate = ContextGate([ssn])
    >>> sorted(gate.open("SSN 523-71-6604", frozenset())), sorted(gate.open("ref 1", frozenset()))
    ([0], [])
    >>> sorted(gate.open("ref 1", frozenset({"ssn"})))
    [0]
    """

    def __init__(self, detectors: Sequence[PatternDetector]) -> None:
        self._words = [words_for(d.context, None) for d in detectors]
        self._needles = [needles(w) for w in self._words]
        self._always = frozenset(i for i, n in enumerate(self._needles) if n is None)
        self._hints: dict[frozenset[str], frozenset[int]] = {}
        self._db: Any = None
        pairs = [(i, n) for i, ns in enumerate(self._needles) if ns for n in ns]
        if _hs is not None and pairs:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(
                expressions=[_literal(n) for _, n in pairs],
                ids=[i for i, _ in pairs],
                flags=[_hs.HS_FLAG_SINGLEMATCH] * len(pairs),
            )
            self._db = db
            self._scratch = _hs.Scratch(db)
            self._local = threading.local()

    def open(self, text: str, hint_tokens: frozenset[str]) -> set[int]:
        """The detectors whose context words may be near a match in ``text`` (or in the hints)."""
        opened = set(self._always)
        if hint_tokens:
            opened.update(self._by_hints(hint_tokens))
        low = text.lower()
        if self._db is not None:
            scratch = getattr(self._local, "scratch", None)
            if scratch is None:  # scratch space serves one scan at a time: one per thread
                scratch = self._local.scratch = self._scratch.clone()
            data = low.encode("utf-8", "surrogatepass")
            self._db.scan(data, match_event_handler=_on_match, context=opened, scratch=scratch)
        else:
            for i, found in enumerate(self._needles):
                if found and i not in opened and any(n in low for n in found):
                    opened.add(i)
        return opened

    def _by_hints(self, hint_tokens: frozenset[str]) -> frozenset[int]:
        got = self._hints.get(hint_tokens)
        if got is None:
            got = frozenset(
                i for i, words in enumerate(self._words) if match_words(hint_tokens, "", words)
            )
            if len(self._hints) >= _HINT_MEMO:
                self._hints.clear()
            self._hints[hint_tokens] = got
        return got


def _literal(needle: str) -> bytes:
    """``needle`` as a Hyperscan expression that matches its UTF-8 bytes literally."""
    return b"".join(b"\\x%02x" % b for b in needle.encode("utf-8"))


def _on_match(gate: int, start: int, end: int, flags: int, context: Any) -> None:
    context.add(gate)
