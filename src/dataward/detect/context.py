"""Context words: what sits near a match changes how likely it is to be real."""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    starts with it ("card" matches "cards"). An entry with a space matches as a phrase.
    """
    found: list[str] = []
    toks = window if isinstance(window, set | frozenset) else set(window)
    for word in words:
        if " " in word:
            if word in phrase_text:
                found.append(word)
        elif word in toks or (len(word) >= 4 and any(t.startswith(word) for t in toks)):
            found.append(word)
    return tuple(found)
