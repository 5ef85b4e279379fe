"""Context words: what sits near a match changes how likely it is to be real."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from dataward.detect.base import ContextWords

_TOKEN = re.compile(r"[^\W_]+")
LANGUAGES = ("en", "de", "fr", "es", "it")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (letters and digits, Unicode aware)."""
    return _TOKEN.findall(text.lower())


def words_for(words: ContextWords, language: str | None) -> tuple[str, ...]:
    """The context words that apply to ``language`` (all languages when it is unknown)."""
    if not words:
        return ()
    if language is None:
        return tuple(dict.fromkeys(w for group in words.values() for w in group))
    return words.get("any", ()) + words.get(language, ())


def match_words(window: Iterable[str], phrase_text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The entries of ``words`` found in the window.

    A single word matches a token equal to it or, for words of four letters or more, a token that
    starts with it ("card" matches "cards"). An entry with a space or punctuation ("e-mail",
    "p.iva") matches as a phrase of the lower-cased window.
    """
    if not words:
        return ()
    exact, prefixes, lengths, phrases = _matcher(words)
    found: list[str] = []
    for tok in window:
        if tok in exact:
            found.append(tok)
        size = len(tok)
        for n in lengths:  # ascending: stop once a prefix would be the whole token
            if n >= size:
                break
            if tok[:n] in prefixes:
                found.append(tok[:n])
    found.extend(p for p in phrases if p in phrase_text)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def _matcher(
    words: tuple[str, ...],
) -> tuple[frozenset[str], frozenset[str], tuple[int, ...], tuple[str, ...]]:
    singles = [w for w in words if _TOKEN.fullmatch(w)]
    prefixes = frozenset(w for w in singles if len(w) >= 4)
    lengths = tuple(sorted({len(w) for w in prefixes}))
    phrases = tuple(w for w in words if not _TOKEN.fullmatch(w))
    return frozenset(singles), prefixes, lengths, phrases
