"""Tokens and CRF features of the built-in NER model, shared by the runtime and the trainer.

Standard library only: the runtime needs neither Faker nor wordfreq. Everything that depends on a
token alone (lower-cased form, shape, affixes, gazetteer membership, frequency band) is computed
once per distinct token and cached; a sentence adds only its neighbours and its case mode.

Case robustness: each token's casing feature is also conjoined with the *sentence* case mode
(``U`` all capitals, ``L`` all lower case, ``N`` normal), so in all-caps or lower-case text the
model leans on words, gazetteers, word frequency and context instead of capital letters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TOKEN_RE = re.compile(
    r"https?://\S+|www\.\S+"  # URLs: one opaque token
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses: one opaque token
    r"|\d+(?:[.,:/-]\d+)*"  # numbers, dates, times
    r"|[^\W\d_]+(?:['’](?![sS]\b)[^\W\d_]+|-[^\W\d_]+)*"  # words, O'Brien, Jean-Luc; not 's
    r"|\w+"  # mixed letters and digits
    r"|\S"  # punctuation
    r"|\n"  # line breaks: one token each, so the model sees the lines of an address block
)

GAZETTEERS = ("fn", "ln", "city", "ctry", "reg", "st", "org", "ttl", "cal", "med")
"""Gazetteer names: first names, last names, cities, countries, regions, street words, company
words, personal titles, calendar words (months, weekdays), medical and product words."""
MAX_PHRASE = 5
"""Longest place name, in tokens, matched whole (``Saint Vincent and the Grenadines``)."""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Gazetteers (lower-cased tokens) and word-frequency bands, loaded from the model folder."""

    gazetteers: Mapping[str, frozenset[str]]
    """Single tokens: a token of any value of that kind (``g=`` features)."""
    freq: Mapping[str, int]
    """Zipf-like frequency band (1..7) of common words; absent words are rare."""
    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Whole place names (tokens lower-cased, joined by spaces) → their kinds (``city``,
    ``ctry``, ``reg``): the tokens of the longest whole match get ``G=`` features."""


def phrase_key(value: str) -> str:
    """How a value is written in :attr:`Lexicon.phrases`: its tokens, lower-cased."""
    return " ".join(t.lower() for t, _, _ in tokenize(value))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for every token of ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _shape(tok: str) -> str:
    out: list[str] = []
    last = ""
    for ch in tok:
        if ch.isupper():
            c = "X"
        elif ch.isalpha():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c != last:
            out.append(c)
            last = c
    return "".join(out[:6])


_SCRIPTS = (
    (0x0370, 0x0400, "grk"),
    (0x0400, 0x0530, "cyr"),
    (0x0530, 0x0590, "arm"),
    (0x0590, 0x0600, "heb"),
    (0x0600, 0x0800, "ara"),
    (0x0900, 0x0E00, "ind"),
    (0x0E00, 0x0E80, "tha"),
    (0x10A0, 0x1100, "geo"),
    (0x1100, 0x1200, "kor"),
    (0x3040, 0x3100, "jpn"),
    (0x3400, 0xA000, "han"),
    (0xAC00, 0xD7B0, "kor"),
)


def _script(tok: str) -> str:
    """The writing system of a word's first letter when it is not Latin (``cyr``, ``han``...)."""
    for ch in tok:
        if ch.isalpha():
            code = ord(ch)
            if code < 0x0370:
                return ""
            for lo, hi, name in _SCRIPTS:
                if lo <= code < hi:
                    return name
            return "oth"
    return ""


def _casing(tok: str) -> str:
    if tok.isdigit():
        return "D"
    if not any(ch.isalpha() for ch in tok):
        return "P"
    if tok.isupper():
        return "U" if len(tok) > 1 else "T"
    if tok.islower():
        return "L"
    if tok[0].isupper() and tok[1:].islower():
        return "T"
    return "M"


def case_mode(tokens: Sequence[str]) -> str:
    """``U`` when the text is (nearly) all capitals, ``L`` when all lower case, else ``N``."""
    upper = lower = 0
    for tok in tokens:
        for ch in tok:
            if ch.isupper():
                upper += 1
            elif ch.islower():
                lower += 1
    letters = upper + lower
    if letters == 0:
        return "N"
    if upper >= 0.85 * letters:
        return "U"
    if upper == 0:
        return "L"
    return "N"


class Featurizer:
    """Turns token lists into CRF feature lists, caching per-token work."""

    __slots__ = ("_cache", "_lex", "_starts")

    CACHE_LIMIT = 200_000

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon
        self._cache: dict[str, tuple[list[str], list[str], list[str], str, str]] = {}
        self._starts = frozenset(k.split(" ", 1)[0] for k in lexicon.phrases if " " in k)
        """First words of the place names of several tokens: only these start a longer match."""

    def _token(self, tok: str) -> tuple[list[str], list[str], list[str], str, str]:
        hit = self._cache.get(tok)
        if hit is not None:
            return hit
        low = tok.lower()
        kind = "o"
        if tok == "\n":
            kind = "nl"
        elif "@" in tok and len(tok) > 3:
            kind = "email"
        elif low.startswith(("http://", "https://", "www.")):
            kind = "url"
        cas = _casing(tok)
        shape = _shape(tok) if kind == "o" else kind
        band = self._lex.freq.get(low, 0)
        gaz = [g for g in GAZETTEERS if low in self._lex.gazetteers.get(g, ())]
        own = [
            "w=" + low if kind == "o" else "w=<" + kind + ">",
            "s=" + shape,
            "f=" + str(band),
            "p3=" + low[:3],
            "s3=" + low[-3:],
            "s2=" + low[-2:],
            "len=" + (str(len(tok)) if len(tok) < 4 else "4+"),
        ]
        own.extend("g=" + g for g in gaz)
        script = _script(tok) if kind == "o" else ""
        if script:
            own.append("sc=" + script)
        if not gaz:
            own.append("g=none")
        if tok.endswith(".") or (len(tok) <= 3 and cas in "TU" and tok.isalpha()):
            own.append("abbr")
        if tok.isascii() and tok.isalpha() and not any(ch in "aeiouy" for ch in low):
            own.append("novowel")  # HCP, PMH, SOB: abbreviations, not names
        left = ["-1w=" + low, "-1f=" + str(band), "-1c=" + cas]
        left.extend("-1g=" + g for g in gaz)
        right = ["+1w=" + low, "+1f=" + str(band), "+1c=" + cas]
        right.extend("+1g=" + g for g in gaz)
        if script:
            left.append("-1sc=" + script)
            right.append("+1sc=" + script)
        entry = (own, left, right, low, cas)
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()
        self._cache[tok] = entry
        return entry

    def places(self, lows: list[str]) -> list[tuple[str, ...]]:
        """The kinds of the longest whole place name each token belongs to (left to right)."""
        n = len(lows)
        out: list[tuple[str, ...]] = [()] * n
        phrases = self._lex.phrases
        if not phrases:
            return out
        starts = self._starts
        i = 0
        while i < n:
            if not lows[i][:1].isalpha():
                i += 1
                continue
            longest = min(MAX_PHRASE, n - i) if lows[i] in starts else 1
            for size in range(longest, 0, -1):
                kinds = phrases.get(lows[i] if size == 1 else " ".join(lows[i : i + size]))
                if kinds:
                    for k in range(i, i + size):
                        out[k] = kinds
                    i += size
                    break
            else:
                i += 1
        return out

    def features(
        self,
        tokens: Sequence[str],
        places: list[tuple[str, ...]] | None = None,
        mode: str | None = None,
    ) -> list[list[str]]:
        """One feature list per token; ``places`` (:meth:`places`) and ``mode``
        (:func:`case_mode`) of the tokens when the caller has them already."""
        n = len(tokens)
        info = [self._token(t) for t in tokens]
        if mode is None:
            mode = case_mode(tokens)
        if places is None:
            places = self.places([x[3] for x in info])
        out: list[list[str]] = []
        for i, (own, _left, _right, _low, cas) in enumerate(info):
            f = ["b", "m=" + mode, "cm=" + cas + mode, "cb=" + cas + own[2] + mode, *own]
            f.extend("G=" + k for k in places[i])
            if i > 0:
                prev = info[i - 1]
                f.extend(prev[1])
                f.append("-1cm=" + prev[4] + mode)
                f.append("-2w=" + info[i - 2][3] if i > 1 else "-2w=<s>")
            else:
                f.append("BOS")
            if i < n - 1:
                nxt = info[i + 1]
                f.extend(nxt[2])
                f.append("+1cm=" + nxt[4] + mode)
                f.append("+2w=" + info[i + 2][3] if i < n - 2 else "+2w=</s>")
            else:
                f.append("EOS")
            out.append(f)
        return out
