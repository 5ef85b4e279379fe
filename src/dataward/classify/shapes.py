"""Value shapes: cheap tests over single values that back a column-name rule, and the shape
signature used to recognise identifier columns (fixed-shape, unique, no entity)."""

from __future__ import annotations

import re
from collections.abc import Callable

_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.\-]*(?:[ \-][^\W\d_][^\W\d_'’.\-]*)?")
_PERSON = re.compile(r"[^\W\d_][^\W\d_'’.\-]*(?:[ ,]+[^\W\d_][^\W\d_'’.\-]*){0,4}")
_PLACE = re.compile(r"[^\W\d_][^\W\d_'’.()\-]*(?:[ ,/]+[^\W\d_][^\W\d_'’.()\-]*){0,5}")
_WORDS = re.compile(r"[^\W_][^\W_'’.,&()/+\-]*(?:[ ,&/+\-]+[^\W_][^\W_'’.,&()/+\-]*){0,9}\.?")
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_SSN = re.compile(r"\d{3}[- ]?\d{2}[- ]?\d{4}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./\-]{3,39}")
_DIGITS = re.compile(r"[\d][\d \-]{4,30}\d")
_CVV = re.compile(r"\d{3,4}")
_EXPIRY = re.compile(r"(0?[1-9]|1[0-2])\s*[/\-]\s*(\d{2}|\d{4})")
_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2} [A-Za-z]{3,9} \d{4}|[A-Za-z]{3,9} \d{1,2},? \d{4}|\d{8}"
)
_PHONE = re.compile(r"\+?[\d ()./\-]{6,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?")
_POSTAL = re.compile(r"[A-Za-z0-9]{2,5}(?:[ \-][A-Za-z0-9]{2,5})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_TOKEN = re.compile(r"\S{3,64}")
_PREFIX = re.compile(
    r"(?i)(mr|mrs|ms|miss|mx|dr|prof|sir|dame|rev|fr|herr|frau|mme|mlle|m|sr|sra)\.?"
)
_BLOOD = re.compile(r"(?i)(a|b|ab|o)\s*[+\-]?|(a|b|ab|o)\s*(pos|neg)\w*")
_HEIGHT = re.compile(r"\d{1,3}(?:[.,]\d+)?\s*(?:cm|m|in)?|\d\s*'\s*\d{1,2}\s*(?:\"|'')?")
_NUMBER = re.compile(r"[+\-]?\d{1,12}(?:[.,]\d+)?")
_DOMAIN = re.compile(r"(?i)(?:https?://)?(?:[a-z0-9\-]+\.)+[a-z]{2,}(?:/\S*)?")


def _float(value: str, low: float, high: float) -> bool:
    try:
        x = float(value)
    except ValueError:
        return False
    return low <= x <= high


def _digits_between(value: str, low: int, high: int) -> bool:
    n = sum(c.isdigit() for c in value)
    return low <= n <= high


def _age(value: str) -> bool:
    return value.isdigit() and 0 <= int(value) <= 125


SHAPES: dict[str, Callable[[str], bool]] = {
    "any": lambda v: True,
    "uuid": lambda v: _UUID.fullmatch(v) is not None,
    "ssn": lambda v: _SSN.fullmatch(v) is not None,
    "code": lambda v: _CODE.fullmatch(v) is not None and any(c.isdigit() for c in v),
    "digits": lambda v: _DIGITS.fullmatch(v) is not None,
    "cvv": lambda v: _CVV.fullmatch(v) is not None,
    "expiry": lambda v: _EXPIRY.fullmatch(v) is not None,
    "date": lambda v: _DATE.fullmatch(v) is not None,
    "age": _age,
    "name_word": lambda v: _NAME_WORD.fullmatch(v) is not None and v[:1].isupper(),
    "person": lambda v: _PERSON.fullmatch(v) is not None and v[:1].isupper(),
    "prefix": lambda v: _PREFIX.fullmatch(v) is not None,
    "category": lambda v: 0 < len(v) <= 24,
    "email": lambda v: _EMAIL.fullmatch(v) is not None,
    "phone": lambda v: _PHONE.fullmatch(v) is not None and _digits_between(v, 6, 15),
    "address": lambda v: (
        any(c.isdigit() for c in v) and any(c.isalpha() for c in v) and " " in v.strip()
    ),
    "place": lambda v: _PLACE.fullmatch(v) is not None,
    "postal": lambda v: _POSTAL.fullmatch(v) is not None and any(c.isdigit() for c in v),
    "latitude": lambda v: _float(v, -90, 90) and "." in v,
    "longitude": lambda v: _float(v, -180, 180) and "." in v,
    "token": lambda v: _TOKEN.fullmatch(v) is not None,
    "user_agent": lambda v: "/" in v and any(c.isalpha() for c in v) and len(v) > 12,
    "domain": lambda v: _DOMAIN.fullmatch(v) is not None,
    "words": lambda v: _WORDS.fullmatch(v) is not None and any(c.isalpha() for c in v),
    "number": lambda v: _NUMBER.fullmatch(v) is not None,
    "blood": lambda v: _BLOOD.fullmatch(v) is not None,
    "height": lambda v: _HEIGHT.fullmatch(v) is not None,
}


def is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


_ASCII_DIGITS = re.compile(r"[0-9]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
_ASCII_ALPHA_WORD = re.compile(r"[A-Za-z]\S*?[A-Za-z]\S*")


def signature(value: str) -> str:
    """The shape of a value: runs of digits → ``9``, letters → ``a``, other characters kept
    (``"MRN-00123"`` → ``"a-9"``). Identifier columns have one signature and the same length."""
    if value.isascii():  # the same result by two substitutions
        return _ASCII_LETTERS.sub("a", _ASCII_DIGITS.sub("9", value))
    out: list[str] = []
    last = ""
    for ch in value:
        cls = "9" if ch.isdigit() else "a" if ch.isalpha() else ch
        if cls != last or cls not in "9a":
            out.append(cls)
        last = cls
    return "".join(out)


def word_count(value: str) -> int:
    return len(value.split())


def alpha_words(value: str) -> int:
    """Words of two letters or more (``"1Z 789 686"`` has none; prose has many)."""
    if value.isascii():  # one match per such word, from its first letter to its end
        return len(_ASCII_ALPHA_WORD.findall(value))
    return sum(1 for w in value.split() if sum(c.isalpha() for c in w) >= 2)
