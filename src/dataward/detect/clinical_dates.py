"""Dates in clinical notes: month/day (``8/25``), month/day/year, month/year (``11/92``), an
apostrophe year (``'84``), a year after ``in``/``of``/``since``, month names with a day or a year;
fractions (``1/2 NS``), pain scores (``CP 5/10``) and ventilator settings (``PS 10/5``) are none.
Each rule reads a fixed window of tokens around one number or month name."""

from __future__ import annotations

from dataward.detect.clinical_words import cue_finding as _finding
from dataward.detect.clinical_words import word_set
from dataward.detect.model import Finding

Tok = tuple[str, int, int]

YEAR_CUES = frozenset({"in", "of", "since", "year", "yr"})
PAIN = frozenset({"pain", "cp", "discomfort", "scale", "rated", "rates", "score"})

MONTHS = word_set(
    """january february march april june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec"""
)
"""Month names (``may`` is left out: a modal verb far more often than a month in notes)."""

VENT = word_set(
    """ps psv cpap peep ips ipap epap bipap vent ventilation flowby imv simv ac pap pressure
    support"""
)


def date_at(text: str, toks: list[Tok], lows: list[str], i: int, out: list[Finding]) -> None:
    """The date that the number token ``i`` opens, if any."""
    tok, start, end = toks[i]
    if start > 0 and (text[start - 1].isdigit() or text[start - 1] in "/."):
        return
    if end < len(text) and (text[end].isalnum() or text[end] in "%/"):
        return
    before = lows[i - 1] if i > 0 else ""
    after = lows[i + 1] if i + 1 < len(toks) else ""
    near = set(lows[max(0, i - 6) : i]) | set(lows[i + 1 : i + 3])
    parts = tok.split("/")
    if len(parts) == 2 and all(p.isdigit() and len(p) <= 2 for p in parts):
        month, day = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and len(parts[1]) == 2 and day > 31 and not near & VENT:
            out.append(_finding("DATE_TIME", start, end, "month-year"))  # 11/92
            return
        if not (1 <= month <= 12 and 1 <= day <= 31) or (month == 2 and day > 29):
            return
        if day in (2, 3, 4, 8) and month < day:
            return  # a fraction: 1/2 NS, 3/4 strength
        if day == 10 and (near & PAIN or before == "("):
            return  # a pain score
        if near & VENT or (
            before in VENT
            or after in VENT
            or after == "%"
            or (i + 2 < len(toks) and lows[i + 2] == "%")
        ):
            return  # ventilator settings: PS 10/5, 5/5 40%
        out.append(_finding("DATE_TIME", start, end, "month-day"))
        return
    if _full_date(tok):
        out.append(_finding("DATE_TIME", start, end, "month-day-year"))
        return
    if len(tok) == 2 and tok.isdigit() and before == "'" and i > 1:
        apo = toks[i - 1]
        if apo[2] == start and apo[1] > toks[i - 2][2]:
            out.append(_finding("DATE_TIME", apo[1], end, "apostrophe-year"))
        return
    if len(tok) == 4 and tok.isdigit() and before in YEAR_CUES and 1900 <= int(tok) <= 2099:
        out.append(_finding("DATE_TIME", start, end, "year"))


def _full_date(tok: str) -> bool:
    """``9/2/92``, ``3-12-99``, ``8/28/1995``: month, day, two- or four-digit year."""
    for sep in "/-":
        parts = tok.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            month, day, year = parts
            if len(month) <= 2 and len(day) <= 2 and len(year) in (2, 4):
                return 1 <= int(month) <= 12 and 1 <= int(day) <= 31
    return False


def month_date(toks: list[Tok], lows: list[str], i: int, out: list[Finding]) -> None:
    """``MARCH OF 1993``, ``Oct 28``, ``28 Oct, 88``, ``march 21, 1899``: a month name with a
    day or a year."""
    n = len(toks)
    start, end = toks[i][1], toks[i][2]
    if i > 0 and _day(lows[i - 1]):
        start = toks[i - 1][1]
    k = i + 1
    if k < n and toks[k][0] == ".":
        k += 1
    if (
        k < n
        and _day(lows[k])
        and not (
            k + 1 < n
            and lows[k + 1][:1].isalpha()
            and len(lows[k + 1]) <= 3
            and lows[k + 1] not in ("th", "st", "nd", "rd")
        )
    ):
        end = toks[k][2]
        k += 1
    if k + 1 < n and lows[k] == "of" and _year(lows[k + 1]) and end == toks[i][2]:
        # MARCH OF 1993: a month and a year, each its own finding
        out.append(_finding("DATE_TIME", start, end, "month-name"))
        out.append(_finding("DATE_TIME", toks[k + 1][1], toks[k + 1][2], "year-of-month"))
        return
    if k + 1 < n and lows[k] == "," and _year(lows[k + 1]):
        end = toks[k + 1][2]
    elif k < n and _year(lows[k]) and len(lows[k]) == 4:
        end = toks[k][2]
    if (start, end) != (toks[i][1], toks[i][2]):
        out.append(_finding("DATE_TIME", start, end, "month-name"))


def _day(low: str) -> bool:
    return low.isdigit() and len(low) <= 2 and 1 <= int(low) <= 31


def _year(low: str) -> bool:
    return low.isdigit() and (len(low) == 2 or (len(low) == 4 and 1900 <= int(low) <= 2099))
