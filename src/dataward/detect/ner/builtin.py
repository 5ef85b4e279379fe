"""The built-in NER model: a linear-chain CRF shipped in ``model/``, run with python-crfsuite.

Runtime dependencies: the standard library and ``pycrfsuite`` (a small compiled wheel). The model
folder holds ``crf.bin`` (the CRF), ``lexicon.json.gz`` (gazetteers and word-frequency bands) and
``meta.json`` (how it was trained and its scores); ``scripts/train_ner.py`` writes all three.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path
from typing import Any

from dataward.detect.ner.backends import Span
from dataward.detect.ner.features import Featurizer, Lexicon, case_mode, tokenize
from dataward.errors import ConfigError

MODEL_DIR = Path(__file__).resolve().parent / "model"

ENTITY_OF = {
    "PER": "PERSON",
    "LOC": "LOCATION",
    "ADDR": "STREET_ADDRESS",
    "ORG": "ORGANIZATION",
}
MAX_TOKENS = 256
"""Longer texts are tagged in windows of about this many tokens, cut at line or sentence ends."""
_KEEP_DOT = frozenset({"org", "st", "ttl"})
"""A trailing period stays in a span after words of these gazetteers (``Ltd.``, ``St.``)."""
_BREAKS = frozenset({"\n", ".", "!", "?", ";"})
PARTICLES = frozenset(
    [
        "van",
        "der",
        "den",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "von",
        "zu",
        "la",
        "le",
        "di",
        "del",
        "della",
        "bin",
        "binti",
        "ibn",
        "al",
        "el",
        "ter",
        "ten",
        "y",
        "e",
    ]
)
"""Lower-case words that belong inside names (Ludwig van Beethoven, José da Silva)."""
_PROPER = ("fn", "ln", "city", "ctry", "reg", "org", "st")


def load_lexicon(folder: Path) -> Lexicon:
    with gzip.open(folder / "lexicon.json.gz", "rb") as fh:
        payload = json.loads(fh.read().decode("utf-8"))
    gaz = {k: frozenset(v) for k, v in payload["gazetteers"].items()}
    freq = {w: int(band) for band, words in payload["freq_bands"].items() for w in words}
    return Lexicon(gaz, freq)


class _Loaded:
    __slots__ = ("featurizer", "lexicon", "tagger")

    def __init__(self, folder: Path) -> None:
        try:
            import pycrfsuite  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - a core dependency
            raise ConfigError(
                "the built-in NER model needs python-crfsuite: pip install python-crfsuite"
            ) from None
        model = folder / "crf.bin"
        if not model.is_file():
            raise ConfigError(f"no built-in NER model at {str(folder)!r} (crf.bin missing)")
        self.lexicon = load_lexicon(folder)
        self.featurizer = Featurizer(self.lexicon)
        self.tagger: Any = pycrfsuite.Tagger()
        self.tagger.open(str(model))


_CACHE: dict[str, _Loaded] = {}
_LOCK = threading.Lock()


def _loaded(folder: Path) -> _Loaded:
    key = os.fspath(folder)
    hit = _CACHE.get(key)
    if hit is None:
        with _LOCK:
            hit = _CACHE.get(key)
            if hit is None:
                hit = _CACHE[key] = _Loaded(folder)
    return hit


class BuiltinBackend:
    """The shipped CRF (or one trained by ``scripts/train_ner.py --out FOLDER``)."""

    name = "builtin"

    def __init__(self, model: str | os.PathLike[str] | None = None) -> None:
        self.model = Path(model) if model else MODEL_DIR

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model = state["model"]

    @property
    def lexicon(self) -> Lexicon:
        return _loaded(self.model).lexicon

    def predict(self, text: str) -> list[Span]:
        m = _loaded(self.model)
        toks = tokenize(text)
        if not toks:
            return []
        out: list[Span] = []
        start = 0
        while start < len(toks):
            end = _window_end(toks, start)
            out.extend(self._tag(m, toks[start:end]))
            start = end
        return out

    def _tag(self, m: _Loaded, toks: list[tuple[str, int, int]]) -> list[Span]:
        words = [t for t, _, _ in toks]
        tagger = m.tagger
        tagger.set(m.featurizer.features(words))
        labels: list[str] = tagger.tag()
        if all(lab == "O" for lab in labels):
            return []
        mode = case_mode(words)
        out: list[Span] = []
        i, n = 0, len(labels)
        while i < n:
            lab = labels[i]
            if lab == "O":
                i += 1
                continue
            kind = lab[2:]
            j = i + 1
            while j < n and labels[j] == "I-" + kind:
                j += 1
            for a, b in _pieces(m, words, i, j, kind, mode):
                score = sum(tagger.marginal(labels[k], k) for k in range(a, b)) / (b - a)
                entity = ENTITY_OF[kind]
                if kind == "ORG" and _person_like(m, words[a:b]):
                    entity = "PERSON"
                out.append((toks[a][1], toks[b - 1][2], entity, score))
            i = j
        return out


def _wordy(tok: str) -> bool:
    return any(ch.isalnum() for ch in tok)


def _pieces(
    m: _Loaded, words: list[str], i: int, j: int, kind: str, mode: str
) -> list[tuple[int, int]]:
    """The token ranges to report for a model span ``words[i:j]`` of type ``kind``.

    Names, places and companies end before a possessive ``'s``; names and places are split at
    ordinary words the model ran over (``Anna could visit Lyon`` → ``Anna``, ``Lyon``); all but
    street addresses lose ordinary words at their edges, and every span loses edge punctuation.
    """
    if kind == "ADDR":
        ranges = [(i, j)]
    else:
        j = _before_possessive(words, i, j)
        ranges = []
        a = i
        for k in range(i, j):
            if _breaker(m, words[k], mode, kind):
                if a < k:
                    ranges.append((a, k))
                a = k + 1
        if a < j:
            ranges.append((a, j))
    out = []
    for a, b in ranges:
        first = a
        while a < b and (not _wordy(words[a]) or _filler(m, words[a], mode, kind)):
            a += 1
        if (
            a < b
            and mode == "N"
            and kind != "ADDR"
            and (a == 0 or words[a - 1] in _BREAKS)
            and a == first
            and _common(m, words[a], 4)
        ):
            a += 1  # a capitalised ordinary word opening a sentence: "Tell Anna" → "Anna"
        while b > a and (not _wordy(words[b - 1]) or _filler(m, words[b - 1], mode, kind)):
            if words[b - 1] == "." and b - 1 > a and _keeps_dot(m, words[b - 2]):
                break
            b -= 1
        if a < b and not (kind == "ADDR" and _phone_like(words[a:b])):
            out.append((a, b))
    return out


def _person_like(m: _Loaded, words: list[str]) -> bool:
    """An "organization" of two to four words that are all known first or last names, with a
    first name among them and no company word (Inc, Ltd, Bank, ...), is a person: Zhang Wei."""
    names = [w.lower() for w in words if w.isalpha()]
    if not 2 <= len(names) <= 4 or len(names) != len(words):
        return False
    gaz = m.lexicon.gazetteers
    first, last, sfx = gaz.get("fn", ()), gaz.get("ln", ()), gaz.get("sfx", ())
    return (
        all(w in first or w in last for w in names)
        and any(w in first for w in names)
        and not any(w in sfx for w in names)
    )


def _phone_like(words: list[str]) -> bool:
    """An address span with no letter and more than six digits is a phone or account number
    (postcodes have at most six digits or contain letters); the pattern detectors own those."""
    if any(ch.isalpha() for w in words for ch in w):
        return False
    return sum(ch.isdigit() for w in words for ch in w) > 6


_EDGE_WORDS = frozenset(
    [
        "and",
        "or",
        "i",
        "the",
        "of",
        "to",
        "in",
        "at",
        "for",
        "with",
        "from",
        "by",
        "on",
        "is",
        "was",
        "as",
        "but",
        "if",
        "so",
        "me",
        "my",
        "we",
        "you",
        "he",
        "she",
        "it",
        "they",
    ]
)
"""Function words that never open or close a name, place or company."""
_JOINERS = frozenset({"and", "of", "the", "for", "und", "et", "y", "e", "&"})
"""Ordinary words that may stand inside a place name (Bosnia and Herzegovina)."""


def _common(m: _Loaded, tok: str, band: int) -> bool:
    """A frequent word (frequency band >= ``band``) that no name or place gazetteer holds."""
    low = tok.lower()
    if m.lexicon.freq.get(low, 0) < band or low in PARTICLES:
        return False
    gaz = m.lexicon.gazetteers
    return not any(low in gaz.get(g, ()) for g in _PROPER)


def _breaker(m: _Loaded, tok: str, mode: str, kind: str) -> bool:
    """An ordinary word inside a model span that cannot be part of a name or place."""
    if not tok.replace("-", "").isalpha():
        return False
    low = tok.lower()
    if kind == "ORG" or low in PARTICLES or (kind == "LOC" and low in _JOINERS):
        return False
    if mode == "N" and tok.islower():
        return True
    return _common(m, tok, 5)


def _filler(m: _Loaded, tok: str, mode: str, kind: str) -> bool:
    """Whether ``tok`` at the edge of a span is an ordinary word, not part of the name: a
    lower-case word in normally cased text, or (in all-caps or lower-case text) a common word that
    no gazetteer holds. Street addresses keep their words."""
    if kind == "ADDR" or not tok.replace("-", "").isalpha():
        return False
    low = tok.lower()
    if low in _EDGE_WORDS:
        return True
    if low in PARTICLES:
        return False
    if mode == "N":
        return tok.islower()
    if m.lexicon.freq.get(low, 0) < 4:
        return False
    gaz = m.lexicon.gazetteers
    return not any(low in gaz.get(g, ()) for g in _PROPER)


def _before_possessive(words: list[str], a: int, b: int) -> int:
    """End the span before a possessive ``'s`` (Kevin's book → Kevin)."""
    for k in range(a + 1, b - 1):
        if words[k] in ("'", "’") and words[k + 1] in ("s", "S"):
            return k
    return b


def _keeps_dot(m: _Loaded, tok: str) -> bool:
    low = tok.lower()
    gaz = m.lexicon.gazetteers
    return any(low in gaz.get(g, ()) for g in _KEEP_DOT) or (len(tok) == 1 and tok.isalpha())


def _window_end(toks: list[tuple[str, int, int]], start: int) -> int:
    end = min(len(toks), start + MAX_TOKENS)
    if end == len(toks):
        return end
    for k in range(end - 1, start + MAX_TOKENS // 2, -1):
        if toks[k][0] in _BREAKS:
            return k + 1
    return end
