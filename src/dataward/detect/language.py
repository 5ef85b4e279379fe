"""Cheap language identification for context words: stop-word votes over the first words."""

from __future__ import annotations

from dataward.detect.context import tokens

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to is in that for with was are this my your his her from on at by".split()  # noqa: SIM905 - a word list reads best as one string
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine mit von zu den dem des für auf ich sie wir im".split()  # noqa: SIM905 - a word list reads best as one string
    ),
    "fr": frozenset(
        "le la les et est une des du pour dans que qui pas avec sur au aux ce je vous nous".split()  # noqa: SIM905 - a word list reads best as one string
    ),
    "es": frozenset(
        "el la los las y es una del para por con que en se no su al lo como mi".split()  # noqa: SIM905 - a word list reads best as one string
    ),
    "it": frozenset(
        "il lo la gli le e è una del della per con che non di da sono nel alla mio".split()  # noqa: SIM905 - a word list reads best as one string
    ),
}


def detect_language(text: str, max_tokens: int = 200, min_votes: int = 2) -> str | None:
    """Return ``en``, ``de``, ``fr``, ``es`` or ``it`` for ``text``, or ``None`` if unsure.

    >>> detect_language("Die Kundennummer des Patienten ist nicht bekannt")
    'de'
    """
    toks = tokens(text[: max_tokens * 12])[:max_tokens]
    best, best_votes, runner_up = None, 0, 0
    for lang, stop in _STOPWORDS.items():
        votes = sum(1 for t in toks if t in stop)
        if votes > best_votes:
            best, best_votes, runner_up = lang, votes, best_votes
        elif votes > runner_up:
            runner_up = votes
    if best_votes < min_votes or best_votes == runner_up:
        return None
    return best
