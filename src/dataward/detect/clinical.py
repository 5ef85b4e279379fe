"""The clinical register: notes written by clinicians (all caps, abbreviations, drugs, lab values).

Models trained on prose read such notes badly: ``DIGOXIN`` looks like a surname, ``1100 UNITS
POST BOLUS`` like a street. :func:`refine` runs after every detector on one text; when
:func:`is_clinical` says the text is a clinical note it

* keeps a model's PERSON or LOCATION span only when the name lists vouch for it and no word of it
  is a medical term (drugs, abbreviations: ``data/clinical_terms.txt.gz``, built by
  ``scripts/build_clinical_lexicon.py`` from lexicons that packages ship);
* drops model organizations and street addresses that have no street shape, pattern "phone
  numbers" that are lab values (``7.35/281/42/24``, ``95-110/60-70``) and ages under 90 (not
  identifying under HIPAA's Safe Harbor);
* adds what the clinical context names (:mod:`dataward.detect.clinical_cues`): clinicians and
  relatives after ``DR.``, ``SEEN BY``, ``DAUGHTER``, before ``, RN``; hospitals before
  ``HOSPITAL`` and after ``TRANSFERRED TO``; dates such as ``7/22``; pager numbers.

Outside the register the findings pass unchanged. Everything here is linear in the text: one
tokenization, set look-ups, fixed windows around each token.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from dataward.detect.clinical_cues import findings as cue_findings
from dataward.detect.clinical_words import MARKERS, MED_SUFFIXES, word_set
from dataward.detect.model import Finding
from dataward.detect.ner.features import Lexicon, tokenize
from dataward.detect.routing import prose_spans

TERMS_FILE = Path(__file__).resolve().parent / "data" / "clinical_terms.txt.gz"

_MIN_WORDS = 5
_MIN_SHARE = 0.04
_MIN_DISTINCT = 2
_SHORT = 30


def _words(text: str) -> list[str]:
    out = []
    for raw in text.split():
        w = raw.strip(".,:;()[]{}!?\"'-=*#").lower()
        if w:
            out.append(w)
    return out


def clinical_share(text: str) -> float:
    """The share of words that are clinical: common abbreviations (``MARKERS``) and medical
    terms of three letters or more that are rare in general English; 0 for texts of under five
    words or with under two distinct such words."""
    words = _words(text)
    if len(words) < _MIN_WORDS:
        return 0.0
    terms = clinical_terms()
    freq = name_lexicon().freq
    hits = [
        w for w in words if w in MARKERS or (len(w) >= 3 and w in terms and freq.get(w, 0) <= 3)
    ]
    if len(set(hits)) < _MIN_DISTINCT:
        # a short note may hold one abbreviation only ("correction: ETT in position"), of three
        # letters or more: "er", "pt", "q" are words of other languages and of chat as well
        if len(words) > _SHORT or not any(w in MARKERS and len(w) >= 3 for w in hits):
            return 0.0
        return len(hits) / len(words) / 2
    return len(hits) / len(words)


def is_clinical(text: str) -> bool:
    """Whether ``text`` reads as a clinical note: at least five words, two distinct clinical
    words among them and a share of at least 4% (``PT``, ``PMH``, ``S/P``, ``GTT``, drugs).
    One of 2,109 generated PII sentences passes; nursing notes are typically at 10-30%."""
    return clinical_share(text) >= _MIN_SHARE


def model_spans(text: str, clinical: bool | None = None) -> list[tuple[int, int]]:
    """The parts of ``text`` a NER model reads: :func:`dataward.detect.routing.prose_spans`, and
    none in a clinical note. There the model's names are mostly drugs and abbreviations that
    :func:`refine` drops; the cues find the names, and the model cost three quarters of the
    engine's time on such notes. ``clinical``: :func:`is_clinical` of ``text`` when known."""
    if is_clinical(text) if clinical is None else clinical:
        return []
    return prose_spans(text)


_TERMS_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def clinical_terms() -> frozenset[str]:
    """Medical words (drugs, abbreviations), lower case: never a name or a place here."""
    with _TERMS_LOCK, gzip.open(TERMS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


@lru_cache(maxsize=1)
def name_lexicon() -> Lexicon:
    """The built-in NER model's lexicon (names, places, word frequencies), loaded once and
    shared with the model."""
    from dataward.detect.ner.builtin import BuiltinBackend

    return BuiltinBackend().lexicon


class Words:
    """Look-ups on one word: medical term, first or last name, common word, place."""

    def __init__(self, lex: Lexicon, terms: frozenset[str]) -> None:
        self.lex = lex
        self.terms = terms
        gaz = lex.gazetteers
        self.first = gaz.get("fn", frozenset())
        self.last = gaz.get("ln", frozenset())
        self.city = gaz.get("city", frozenset())

    def term(self, low: str) -> bool:
        return low in self.terms or low in self.lex.gazetteers.get("med", ())

    def named(self, low: str) -> bool:
        return low in self.first or low in self.last

    def band(self, low: str) -> int:
        return self.lex.freq.get(low, 0)

    def rare(self, low: str) -> bool:
        """A word no list knows: not a term, not frequent, no medical or ordinary ending."""
        return (
            self.band(low) == 0
            and not self.term(low)
            and len(low) >= 3
            and not low.endswith(MED_SUFFIXES)
        )

    def name_word(self, tok: str, strict: bool) -> bool:
        """Whether ``tok`` may be a name: letters (with ``-`` or ``'``), two or more, not a
        medical term unless a name list holds it; ``strict``: also not a word of band 4 or more
        that no name list holds (``AWARE``, ``NOTIFIED``)."""
        bare = tok.replace("-", "").replace("'", "").replace("’", "")
        if len(bare) < 2 or not bare.isalpha():
            return False
        low = tok.lower()
        named = self.named(low)
        if low in _FUNCTION:
            return False
        if self.term(low) and not (named and self.band(low) <= 4):
            return False
        if named:
            return not (strict and self.band(low) >= 6)
        if strict:
            return self.band(low) <= 3 and not low.endswith(MED_SUFFIXES[:-7])
        return self.band(low) <= 4


_ENDINGS = ("ing", "ed", "ion", "ness", "ment", "ity", "sis", "ly", "ous", "ive", "ter")
"""Endings of ordinary and clinical words that a surname list may hold (``coughing``)."""

_FUNCTION = word_set(
    """a an the and or of to in at on for with from by as is was be been are were has had have
    he she it they we you i me my his her their our this that these those who which what
    when where will would can could should may might must not no yes all any some per via
    into onto up down out over under after before about above below than then there here
    also still aware notified called paged informed updated spoke made seen see team md rn
    np pa family pt patient dr mr mrs ms miss ho"""
)
"""Words that never are a name, whatever the name lists say (``Will``, ``May``, ``Dean``
stay possible only after a title)."""


def refine(text: str, findings: Sequence[Finding], clinical: bool | None = None) -> list[Finding]:
    """``findings`` for a clinical note as the module docstring says; others unchanged
    (``clinical``: :func:`is_clinical` of ``text`` when known)."""
    if not (is_clinical(text) if clinical is None else clinical):
        return list(findings)
    words = Words(name_lexicon(), clinical_terms())
    toks = tokenize(text)
    kept = [f for f in findings if _keep(text, f, words)]
    return kept + cue_findings(text, toks, words)


def _keep(text: str, f: Finding, words: Words) -> bool:
    value = text[f.start : f.end]
    if f.detector == "ner":
        toks = [t for t, _, _ in tokenize(value) if any(ch.isalnum() for ch in t)]
        if f.entity == "PERSON":
            return _person_ok(toks, words)
        if f.entity == "LOCATION":
            return _place_ok(toks, words)
        return False  # organizations and addresses: the cues find hospitals and streets
    if f.entity == "PHONE_NUMBER":
        return _phone_ok(value)
    if f.entity == "DOMAIN_NAME":
        # "shift.hr", "intact.sr": two sentences glued at a period, an abbreviation after it
        return value.rsplit(".", 1)[-1].lower() not in words.terms
    if f.detector == "time":
        return False  # a time of day identifies nobody (HIPAA lists dates, not times)
    if f.detector == "date" and value.isdigit():
        return False  # a bare number: 2000 is a clock time here (years come from the cues)
    if f.detector == "date" and _relative(value):
        return False  # next week, MONDAY, 3 days ago: no calendar date of the patient
    if f.entity == "AGE":
        digits = "".join(ch for ch in value if ch.isdigit())
        return bool(digits) and int(digits) >= 90
    return True


def _person_ok(toks: list[str], words: Words) -> bool:
    """A model's name: one word a name list holds that is no medical term and has no ordinary
    or medical ending, every other word a name or a word no list knows, no digits; one word
    alone must be rare in English (PEARL, AMBER, BROWN are findings) and of four letters or
    more."""
    if not toks or len(toks) > 4:
        return False
    lows = [t.lower() for t in toks]
    if any(not words.name_word(t, strict=False) for t in toks if len(t) > 1):
        return False
    if any(
        not (words.named(w) or (words.band(w) <= 2 and not words.term(w)))
        for w in lows
        if len(w) > 1
    ):
        return False
    if not any(
        words.named(w)
        and not words.term(w)
        and w not in _FUNCTION
        and (w in words.first or not w.endswith(_ENDINGS))
        for w in lows
    ):
        return False
    return len(lows) > 1 or (words.band(lows[0]) <= 3 and len(lows[0]) >= 4)


def _place_ok(toks: list[str], words: Words) -> bool:
    """A model's place: a whole place name of the lexicon, none of its words a term or a very
    frequent word."""
    lows = [t.lower() for t in toks]
    if not lows or any(words.term(w) or w in _FUNCTION for w in lows):
        return False
    kinds = words.lex.phrases.get(" ".join(lows), ())
    if not kinds or ("ctry" in kinds and len(kinds) == 1):
        return False
    return len(lows) > 1 or words.band(lows[0]) <= 4


_PHONE_GROUPS = frozenset(
    {(7,), (3, 4), (10,), (3, 3, 4), (3, 7), (6, 4), (11,), (1, 3, 3, 4), (1, 10), (1, 3, 7)}
)


def _phone_ok(value: str) -> bool:
    """A phone number in a note has its digits grouped as phone numbers are (``410 555-0142``,
    ``555-0142``); ``7.35/281/42/24`` is a blood gas, ``95-110/60-70`` a blood pressure range,
    ``0600-281`` a clock time and a glucose."""
    if "/" in value or "." in value:
        return False
    groups: list[int] = []
    run = 0
    for ch in value:
        if ch.isdigit():
            run += 1
        elif run:
            groups.append(run)
            run = 0
    if run:
        groups.append(run)
    return tuple(groups) in _PHONE_GROUPS


_RELATIVE = word_set(
    """ago later earlier hence now in within after next last this past coming previous
    following"""
)


def _relative(value: str) -> bool:
    """A relative date (``next week``, ``3 days ago``, ``MONDAY``): no digit, or a relative
    word."""
    if not any(ch.isdigit() for ch in value):
        return True
    return any(w in _RELATIVE for w in value.lower().split())
