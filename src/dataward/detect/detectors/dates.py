"""Dates and times: ISO 8601, numeric day/month/year, written dates in five languages, clock times.

Every pattern is case sensitive; month names are spelled in lower, Capitalized and UPPER case so
that Hyperscan, RE2 and Python ``re`` (ASCII mode) agree on non-ASCII letters (März, févr., DÉC).
Each pattern keeps its fields in named groups; the engine gets the same regex with the names
removed, and ``validate`` re-reads the value with the named version to check the calendar.
Numeric patterns start with a "hard negative" alternative (four or more dotted or dashed numbers:
IP addresses, versions, phone numbers) whose match leaves the finding group empty, so the engine
skips it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_SP = "[ \u00a0]"


def _case_forms(word: str) -> list[str]:
    return list(dict.fromkeys((word.lower(), word.capitalize(), word.upper())))


def _alternation(full: Iterable[str], abbr: Iterable[str]) -> str:
    items = [(f, False) for f in full] + [(a, True) for a in abbr]
    forms: list[tuple[str, bool]] = []
    for word, is_abbr in items:
        forms.extend((form, is_abbr) for form in _case_forms(word))
    forms = list(dict.fromkeys(forms))
    forms.sort(key=lambda fa: -len(fa[0]))
    return "(?:" + "|".join(f"{f}\\.?" if a else f for f, a in forms) + ")"


# month number → (full names, abbreviations), over en, de, fr, es, it
_MONTH_WORDS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: (
        ("january", "januar", "jänner", "janvier", "enero", "gennaio"),
        ("jan", "janv", "ene", "gen"),
    ),
    2: (
        ("february", "februar", "feber", "février", "fevrier", "febrero", "febbraio"),
        ("feb", "févr", "fevr", "fév", "fev"),
    ),
    3: (("march", "märz", "maerz", "mars", "marzo"), ("mar", "mär", "mrz")),
    4: (("april", "avril", "abril", "aprile"), ("apr", "avr", "abr")),
    5: (("may", "mai", "mayo", "maggio"), ("mag",)),
    6: (("june", "juni", "juin", "junio", "giugno"), ("jun", "giu")),
    7: (("july", "juli", "juillet", "julio", "luglio"), ("jul", "juil", "lug")),
    8: (("august", "août", "aout", "agosto"), ("aug", "ago")),
    9: (
        ("september", "septembre", "septiembre", "setiembre", "settembre"),
        ("sept", "sep", "set", "sett"),
    ),
    10: (("october", "oktober", "octobre", "octubre", "ottobre"), ("oct", "okt", "ott")),
    11: (("november", "novembre", "noviembre"), ("nov",)),
    12: (
        ("december", "dezember", "décembre", "decembre", "diciembre", "dicembre"),
        ("dec", "dez", "déc", "dic"),
    ),
}
_MONTHS: dict[str, int] = {w: n for n, (f, a) in _MONTH_WORDS.items() for w in (*f, *a)}
_ABBREVIATIONS = frozenset(w for _, abbrs in _MONTH_WORDS.values() for w in abbrs)
# lower-case month words that are also ordinary words somewhere (may, mars, set, ago, sept = 7)
_AMBIGUOUS = frozenset({"may", "march", "mar", "mars", "ago", "set", "gen", "sept", "mag", "sett"})

_MON = _alternation(
    (w for f, _ in _MONTH_WORDS.values() for w in f),
    (w for _, a in _MONTH_WORDS.values() for w in a),
)
_WEEKDAY = _alternation(
    (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
        "lunedì", "lunedi", "martedì", "martedi", "mercoledì", "mercoledi", "giovedì", "giovedi",
        "venerdì", "venerdi", "sabato", "domenica",
    ),
    ("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
)  # fmt: skip
_WD = f"(?:{_WEEKDAY},?{_SP}+)?"

_AMPM = "[AaPp]\\.?[Mm]\\.?"
_UHR = "(?:Uhr|uhr|UHR)"
_TZ = (
    f"(?:Z|{_SP}?(?:UTC|GMT)(?:[+-][0-9]{{1,2}}(?::?[0-9]{{2}})?)?|{_SP}?[+-][0-9]{{2}}(?::?[0-9]{{2}})?"
    f"|{_SP}(?:CEST|CET|MESZ|MEZ|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST))"
)
_SECONDS = "(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
# a clock time attached to a date: always with minutes, so a following word never joins it
_TIME = (
    f"[0-9]{{1,2}}(?::[0-9]{{2}}{_SECONDS}(?:{_SP}?{_AMPM}|{_SP}?{_UHR})?|\\.[0-9]{{2}}{_SP}?{_UHR}"
    f"|{_SP}?h{_SP}?[0-9]{{2}})(?:{_TZ})?"
)
_CONNECTOR = f"(?:,?{_SP}+(?:(?:at|AT|um|UM|à|À|a las|A LAS|alle|alle ore|ore|kl\\.|-|,){_SP}+)?|T|{_SP}*-{_SP}*)"
_TSFX = f"(?:{_CONNECTOR}(?P<t>{_TIME}))?"
_ORD = "(?:st|nd|rd|th|ST|ND|RD|TH|er|ER|º|°|ª|\\.)?"
_HARD_NEGATIVE = "[0-9]+(?:[-./][0-9]+){3,}"


def _words(*words: str) -> str:
    """An alternation of ``words`` in lower, Capitalized and UPPER case."""
    forms = [f for w in words for f in _case_forms(w)]
    return "(?:" + "|".join(sorted(dict.fromkeys(forms), key=lambda f: -len(f))) + ")"


_RELATIVE = _words("last", "next", "this", "past", "coming", "previous", "following")
_PERIOD = _words("week", "weekend", "month", "year", "quarter", "spring", "summer", "autumn",
                 "fall", "winter")  # fmt: skip
_WEEKDAY_FULL = _words("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MON_FULL = (
    "(?:"
    + _words(*(n[0] for n, _ in _MONTH_WORDS.values() if n[0] not in _AMBIGUOUS))[3:-1]
    + "|May|March)"
)  # "this may be": the ambiguous months only Capitalized
_COUNT = (
    f"(?:[0-9]{{1,3}}|{_words('a', 'an', 'one', 'two', 'three', 'four', 'five', 'six', 'seven')}"
    f"|{_words('eight', 'nine', 'ten', 'eleven', 'twelve', 'several', 'a few', 'a couple of')})"
)
_UNIT = _words(
    "day", "days", "week", "weeks", "month", "months", "year", "years", "fortnight",
    "fortnights",
)  # fmt: skip
_AGO = _words("ago", "later", "earlier", "from now", "hence")
_IN = _words("in", "within", "after")
_ON = _words("on", "by", "until", "till", "before", "after", "since", "from")

_CORES: dict[str, str] = {
    # 2021-03-04, 2021/03/04, 2021.03.04, with an ISO or plain time
    "iso-date": (
        "(?P<y>[0-9]{4})(?:-(?P<m1>[0-9]{1,2})-(?P<d1>[0-9]{1,2})|/(?P<m2>[0-9]{1,2})/(?P<d2>[0-9]{1,2})"
        "|\\.(?P<m3>[0-9]{1,2})\\.(?P<d3>[0-9]{1,2}))"
        f"(?:(?:T|{_SP}+|{_SP}*,{_SP}*)(?P<t>[0-9]{{1,2}}:[0-9]{{2}}{_SECONDS}(?:{_SP}?{_AMPM})?(?:{_TZ})?))?"
    ),
    # 20210304T145641Z
    "iso-basic": (
        "(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"
        "T(?P<t>[0-9]{4}(?:[0-9]{2}(?:[.,][0-9]{1,9})?)?)(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
    ),
    # 20210304: only with context
    "compact-date": "(?P<y>(?:19|20)[0-9]{2})(?P<m>[01][0-9])(?P<d>[0-3][0-9])",
    # 3/4/2021, 03-04-21, 3.4.2021, 3. 4. 2021 (day/month order is not known)
    "numeric-date": (
        "(?P<a>[0-9]{1,2})(?:/(?P<b1>[0-9]{1,2})/|-(?P<b2>[0-9]{1,2})-|\\.[ ]?(?P<b3>[0-9]{1,2})\\.[ ]?)"
        f"(?P<y>[0-9]{{4}}|[0-9]{{2}}){_TSFX}"
    ),
    # 03/2021 (month/year): only with context
    "month-year-numeric": "(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})",
    # 3 March 2021, 3rd of March, 3. März 2021, 1er mars 2021, 3 de marzo de 2021, 03-MAR-21
    "written-dmy": (
        f"{_WD}(?P<d>[0-9]{{1,2}}){_ORD}(?:{_SP}+(?:(?:of|OF|de|DE){_SP}+)?|{_SP}*[-/]{_SP}*)?(?P<mon>{_MON})"
        f"(?:(?:(?:,?{_SP}+(?:(?:de|del|DE|DEL){_SP}+)?|{_SP}*[-/]{_SP}*)(?P<y>[0-9]{{4}})"
        f"|(?:[-/]|{_SP}*['’])?(?P<y2>[0-9]{{2}})){_TSFX})?"
    ),
    # March 3, 2021, Mar. 3rd 2021, Monday, March 3
    "written-mdy": (
        f"{_WD}(?P<mon>{_MON})(?:{_SP}+(?:(?:the|THE){_SP}+)?|{_SP}*[-/]{_SP}*)(?P<d>[0-9]{{1,2}})"
        f"(?:st|nd|rd|th|ST|ND|RD|TH)?(?:(?:,?{_SP}+|,|{_SP}*[-/]{_SP}*)(?P<y>[0-9]{{4}}){_TSFX}"
        f"|,?{_SP}*['’](?P<y2>[0-9]{{2}}))?"
    ),
    # March 2021, marzo de 2021, Mar-2021, Mar '21
    "written-month-year": (
        f"(?P<mon>{_MON})(?:(?:,?{_SP}+(?:(?:de|del|DE|DEL){_SP}+)?|{_SP}*[-/]{_SP}*)(?P<y>[0-9]{{4}})"
        f"|{_SP}*['’](?P<y2>[0-9]{{2}}))"
    ),
    # a year alone: only with context
    "year": "(?P<y>(?:19|20)[0-9]{2})",
    # last Tuesday, next week, this March, past month
    "relative-named": f"{_RELATIVE}{_SP}+(?:{_WEEKDAY_FULL}|{_PERIOD}|{_MON_FULL})",
    # 3 weeks ago, two days later, a few months earlier
    "relative-ago": f"{_COUNT}{_SP}+{_UNIT}{_SP}+{_AGO}",
    # in 3 weeks, within two days
    "relative-in": f"{_IN}{_SP}+{_COUNT}{_SP}+{_UNIT}",
    # (on) Tuesday, (by) Friday, (until) Monday: the weekday after a preposition
    "on-weekday": _WEEKDAY_FULL,
    # Q3 2024, Q1 '25, H2 2023, FY2024
    "quarter": f"(?:[QqHh][1-4]{_SP}?(?:[0-9]{{4}}|['’][0-9]{{2}})|(?:FY|fy)[ -]?(?:[0-9]{{4}}|[0-9]{{2}}))",
    # (on) the 5th, (by) the 21st: after a preposition
    "day-ordinal": (f"(?:the|THE|The){_SP}+(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th|ST|ND|RD|TH)"),
}

_NUMERIC = {"iso-date", "numeric-date", "month-year-numeric", "compact-date"}
_PARSERS = {name: re.compile(core) for name, core in _CORES.items()}


def _engine_regex(name: str) -> str:
    plain = re.sub(r"\(\?P<[A-Za-z0-9_]+>", "(?:", _CORES[name])
    if name == "month-year-numeric":  # not the tail of a full numeric date
        return f"{_HARD_NEGATIVE}|[0-9]+/[0-9]+/[0-9]+|({plain})"
    if name in _NUMERIC:
        return f"{_HARD_NEGATIVE}|({plain})"
    if name == "year":  # not a part of a longer number, date or decimal
        return f"[0-9]+(?:[-./,][0-9]+)+|({plain})"
    if name in _AFTER_PREPOSITION:
        return f"{_ON}{_SP}+({plain})"
    return plain


_AFTER_PREPOSITION = {"on-weekday", "day-ordinal"}


def _pattern(name: str, score: float) -> Pattern:
    group = 1 if name in _NUMERIC or name == "year" or name in _AFTER_PREPOSITION else 0
    return Pattern(name, _engine_regex(name), score, group=group)


def _day_ok(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:
        return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return day <= calendar.monthrange(year, month)[1]


def _time_ok(text: str | None) -> bool:
    if not text:
        return True
    nums = [int(n) for n in re.findall(r"[0-9]+", text)]
    if not nums:
        return False
    hour = nums[0]
    if len(nums) > 1 and nums[1] > 59:
        return False
    if len(nums) > 2 and nums[2] > 60:
        return False
    if re.search(_AMPM, text):
        return 1 <= hour <= 12
    return hour <= 24


def _year_weight(year: int) -> float:
    """0 for 1900–2099, a penalty for other plausible years; -1 rejects."""
    if 1900 <= year <= 2099:
        return 0.0
    if 1000 <= year <= 2999:
        return -0.15
    return -1.0


def _expand_year(y2: str) -> int:
    y = int(y2)
    return 2000 + y if y < 50 else 1900 + y


def _month_word(word: str) -> tuple[int, bool, bool]:
    """Month number, whether it is an abbreviation, whether it reads like an ordinary word."""
    key = word.lower().rstrip(".")
    month = _MONTHS[key]
    return month, key in _ABBREVIATIONS, word == key and key in _AMBIGUOUS


def _iso(m: re.Match[str]) -> float | None:
    year = int(m["y"])
    month = int(m["m1"] or m["m2"] or m["m3"])
    day = int(m["d1"] or m["d2"] or m["d3"])
    if _year_weight(year) < -0.5 or year < 1800 or not _day_ok(year, month, day):
        return None
    if not _time_ok(m["t"]):
        return None
    score = 0.8 if m["m1"] else 0.7
    return score + (0.1 if m["t"] else 0.0) + _year_weight(year)


def _iso_basic(m: re.Match[str]) -> float | None:
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    t = m["t"]
    if _year_weight(year) < -0.5 or not _day_ok(year, month, day):
        return None
    if int(t[:2]) > 24 or int(t[2:4]) > 59 or (len(t) >= 6 and int(t[4:6]) > 60):
        return None
    return 0.8 + _year_weight(year)


def _compact(m: re.Match[str]) -> float | None:
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    return 0.25 if _day_ok(year, month, day) else None


def _numeric(m: re.Match[str]) -> float | None:
    a = int(m["a"])
    b_text = m["b1"] or m["b2"] or m["b3"]
    b = int(b_text)
    y_text = m["y"]
    sep = "/" if m["b1"] else "-" if m["b2"] else "."
    if len(y_text) == 4:
        year = int(y_text)
        if not 1800 <= year <= 2199:
            return None
    else:
        year = _expand_year(y_text)
    if not (_day_ok(year, b, a) or _day_ok(year, a, b)):
        return None
    if not _time_ok(m["t"]):
        return None
    if len(y_text) == 4:
        score = 0.7 if 1900 <= year <= 2099 else 0.5
    else:
        padded = len(m["a"]) == 2 and len(b_text) == 2
        score = {"/": 0.5, ".": 0.45, "-": 0.35}[sep] + (0.05 if padded else -0.05)
    return score + (0.2 if m["t"] else 0.0)


def _month_year_numeric(m: re.Match[str]) -> float | None:
    month, year = int(m["m"]), int(m["y"])
    return 0.3 if 1 <= month <= 12 and 1900 <= year <= 2099 else None


def _written(m: re.Match[str]) -> float | None:
    month, abbr, ambiguous = _month_word(m["mon"])
    day = int(m["d"])
    year: int | None = None
    weight = 0.0
    if m["y"]:
        year = int(m["y"])
        weight = _year_weight(year)
        if weight < -0.5:
            return None
    elif m["y2"]:
        year = _expand_year(m["y2"])
    if not _day_ok(year, month, day):
        return None
    if not _time_ok(m["t"] if "t" in m.re.groupindex else None):
        return None
    if year is None:
        score = 0.25 if ambiguous else 0.4 if abbr else 0.55
    else:
        score = (0.8 if ambiguous else 0.85) + weight
    return score + (0.1 if "t" in m.re.groupindex and m["t"] else 0.0)


def _written_month_year(m: re.Match[str]) -> float | None:
    _, abbr, ambiguous = _month_word(m["mon"])
    if m["y"]:
        weight = _year_weight(int(m["y"]))
        if weight < -0.5:
            return None
    else:
        weight = 0.0
    score = 0.3 if ambiguous else 0.5 if abbr else 0.6
    return score + weight


def _year(m: re.Match[str]) -> float | None:
    return 0.15


_VALIDATORS: dict[str, Callable[[re.Match[str]], float | None]] = {
    "iso-date": _iso,
    "iso-basic": _iso_basic,
    "compact-date": _compact,
    "numeric-date": _numeric,
    "month-year-numeric": _month_year_numeric,
    "written-dmy": _written,
    "written-mdy": _written,
    "written-month-year": _written_month_year,
    "year": _year,
    "relative-named": lambda m: 0.6,
    "relative-ago": lambda m: 0.7,
    "relative-in": lambda m: 0.55,
    "on-weekday": lambda m: 0.55,
    "quarter": lambda m: 0.6,
    "day-ordinal": lambda m: 0.55,
}

_DOB_WORDS = {
    "en": ("born", "birth", "dob", "date of birth", "birthday", "birthdate", " b. "),
    "de": ("geboren", "geburtsdatum", "geburtstag", "geb", "geburt"),
    "fr": ("né", "née", "naissance", "date de naissance"),
    "es": ("nacido", "nacida", "nacimiento", "fecha de nacimiento", "f. nac"),
    "it": ("nato", "nata", "nascita", "data di nascita"),
}


def _merge(*groups: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for lang, words in group.items():
            out[lang] = tuple(dict.fromkeys(out.get(lang, ()) + words))
    return out


@register("date")
class DateDetector(PatternDetector):
    """Calendar dates (with an attached time), promoted to DATE_OF_BIRTH near birth words."""

    entity = "DATE_TIME"
    patterns = (
        _pattern("iso-date", 0.8),
        _pattern("iso-basic", 0.8),
        _pattern("compact-date", 0.25),
        _pattern("numeric-date", 0.7),
        _pattern("month-year-numeric", 0.3),
        _pattern("written-dmy", 0.85),
        _pattern("written-mdy", 0.85),
        _pattern("written-month-year", 0.6),
        _pattern("year", 0.15),
        _pattern("relative-named", 0.6),
        _pattern("relative-ago", 0.7),
        _pattern("relative-in", 0.55),
        _pattern("on-weekday", 0.55),
        _pattern("quarter", 0.6),
        _pattern("day-ordinal", 0.55),
    )
    context = _merge(
        {
            "en": (
                "date", "dated", "day", "year", "since", "until", "deadline", "expires", "expiry",
                "expiration", "valid", "issued", "created", "updated", "modified", "timestamp",
                "appointment", "scheduled", "admitted", "discharged", "visit", "signed", "effective",
            ),
            "de": (
                "datum", "tag", "jahr", "seit", "bis", "gültig", "ausgestellt", "termin", "frist",
                "vom", "erstellt", "ablauf", "aufnahme", "entlassung",
            ),
            "fr": (
                "date", "jour", "année", "depuis", "jusqu", "valable", "délivré", "émis", "rendez",
                "échéance", "créé", "expiration",
            ),
            "es": (
                "fecha", "día", "año", "desde", "hasta", "válido", "expedido", "emitido", "cita",
                "vencimiento", "plazo", "caducidad",
            ),
            "it": (
                "data", "giorno", "anno", "dal", "fino", "valido", "rilasciato", "emesso",
                "scadenza", "appuntamento",
            ),
        },
        _DOB_WORDS,
    )  # fmt: skip
    negative_context = {
        "en": ("version", "release", "build", "firmware", "ip", "isbn", "ratio", "score"),
        "de": ("version", "ip", "isbn"),
        "fr": ("version", "ip", "isbn"),
        "es": ("versión", "version", "ip", "isbn"),
        "it": ("versione", "ip", "isbn"),
    }
    context_entities = {"DATE_OF_BIRTH": _DOB_WORDS}
    validator = "calendar-date"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        m = _PARSERS[pattern.name].fullmatch(value)
        if m is None:
            return None
        score = _VALIDATORS[pattern.name](m)
        return None if score is None else max(0.0, min(1.0, score))


_CLOCK_CORES: dict[str, str] = {
    # 14:30, 14:30:05.123, 2:30 PM, 14:30 Uhr, 09:15 CET
    "clock": (
        f"(?P<h>[0-9]{{1,2}}):(?P<mi>[0-9]{{2}})(?P<s>:[0-9]{{2}}(?:[.,][0-9]{{1,9}})?)?"
        f"(?P<ampm>{_SP}?{_AMPM})?(?P<uhr>{_SP}?{_UHR})?(?P<tz>{_TZ})?"
    ),
    # 3 PM, 11a.m.
    "hour-ampm": f"(?P<h>[0-9]{{1,2}}){_SP}?{_AMPM}",
    # 14 Uhr, 14.30 Uhr
    "uhr": f"(?P<h>[0-9]{{1,2}})(?:\\.(?P<mi>[0-9]{{2}}))?{_SP}?{_UHR}",
    # 14h30, 14 h 30
    "h-minutes": f"(?P<h>[0-9]{{1,2}}){_SP}?h{_SP}?(?P<mi>[0-9]{{2}})",
}
_CLOCK_PARSERS = {name: re.compile(core) for name, core in _CLOCK_CORES.items()}


def _clock_pattern(name: str, score: float) -> Pattern:
    plain = re.sub(r"\(\?P<[A-Za-z0-9_]+>", "(?:", _CLOCK_CORES[name])
    if name == "clock":  # MAC-like runs of colon pairs are not times
        plain = f"[0-9A-Fa-f]{{1,2}}(?::[0-9A-Fa-f]{{2}}){{3,}}|({plain})"
        return Pattern(name, plain, score, group=1)
    return Pattern(name, plain, score)


@register("time")
class TimeDetector(PatternDetector):
    """Times of day on their own: weak evidence, reported with context (at, um, à, a las, alle)."""

    entity = "DATE_TIME"
    context_boost = 0.3
    patterns = (
        _clock_pattern("clock", 0.3),
        _clock_pattern("hour-ampm", 0.55),  # 9am, 7 PM: the a.m./p.m. says it is a time
        _clock_pattern("uhr", 0.55),
        _clock_pattern("h-minutes", 0.45),
    )
    context = {
        "en": (
            "at", "time", "hour", "clock", "from", "until", "till", "between", "morning",
            "afternoon", "evening", "night", "tonight", "today", "tomorrow", "yesterday", "meeting",
            "appointment", "scheduled", "arrival", "departure", "arrive", "depart", "starts",
            "opens", "closes", "call", "timestamp",
        ),
        "de": (
            "um", "uhr", "zeit", "uhrzeit", "heute", "morgen", "gestern", "abends", "morgens",
            "ab", "bis", "termin", "treffen", "ankunft", "abfahrt",
        ),
        "fr": (
            "à", "heure", "heures", "vers", "midi", "soir", "matin", "aujourd", "demain", "hier",
            "rendez", "réunion", "arrivée", "départ",
        ),
        "es": (
            "a las", "hora", "horas", "hoy", "mañana", "ayer", "tarde", "noche", "cita",
            "reunión", "llegada", "salida", "desde", "hasta",
        ),
        "it": (
            "alle ore", "ore", "ora", "oggi", "domani", "ieri", "sera", "mattina", "pomeriggio",
            "riunione", "appuntamento", "arrivo", "partenza",
        ),
    }  # fmt: skip
    negative_context = {
        "en": ("score", "ratio", "verse", "vs", "duration", "lap", "aspect"),
        "de": ("verhältnis", "dauer", "ergebnis"),
        "fr": ("score", "durée", "rapport"),
        "es": ("resultado", "duración", "marcador"),
        "it": ("risultato", "durata", "punteggio"),
    }
    validator = "clock-time"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        m = _CLOCK_PARSERS[pattern.name].fullmatch(value)
        if m is None:
            return None
        hour = int(m["h"])
        groups = m.re.groupindex
        minute = int(m["mi"]) if "mi" in groups and m["mi"] else 0
        if minute > 59 or hour > 24:
            return None
        if pattern.name == "hour-ampm":
            return pattern.score if 1 <= hour <= 12 else None
        if pattern.name != "clock":
            return pattern.score
        if m["s"] and int(m["s"][1:3]) > 60:
            return None
        if m["ampm"]:
            return 0.45 if 1 <= hour <= 12 else None
        if m["uhr"]:
            return 0.55
        if m["tz"] or m["s"]:
            return 0.4
        return pattern.score
