"""Generalization of single values: dates to month or year, postcodes to a prefix, ages to
bands with top-coding, numbers to buckets. Shared by the ``generalize`` operator and the
k-anonymity hierarchies."""

from __future__ import annotations

import math
import re
from datetime import date

from dataward.errors import ProtectError

SUPPRESSED = "*"
DATE_GRANULARITIES = ("day", "month", "year", "decade")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _invalid(kind: str) -> ProtectError:
    return ProtectError(f"generalize: a value is not a valid {kind}", kind=kind)


def generalize_date(value: str, granularity: str) -> str:
    """``2024-03-15`` → ``2024-03`` (month), ``2024`` (year), ``2020s`` (decade); a datetime's
    time is dropped. Other layouts raise ProtectError."""
    m = _ISO_DATE.match(value.strip())
    if m is None:
        raise _invalid("ISO date")
    year, month, day = (int(g) for g in m.groups())
    try:
        date(year, month, day)
    except ValueError:
        raise _invalid("ISO date") from None
    if granularity == "day":
        return m.group(0)
    if granularity == "month":
        return f"{year:04d}-{month:02d}"
    if granularity == "year":
        return f"{year:04d}"
    if granularity == "decade":
        return f"{year // 10 * 10:04d}s"
    return SUPPRESSED


def generalize_postcode(value: str, keep: int) -> str:
    """Keep the first ``keep`` letters/digits; the others become ``*`` (separators stay):
    ``02139`` → ``021**``, ``02139-4307`` → ``021**-****``, ``SW1A 1AA`` → ``SW1* ***``."""
    out = []
    seen = 0
    for ch in value.strip():
        if ch.isalnum():
            out.append(ch if seen < keep else "*")
            seen += 1
        else:
            out.append(ch)
    if seen == 0:
        raise _invalid("postcode")
    return "".join(out)


def _number(value: str, kind: str) -> float:
    try:
        x = float(value.strip().replace(",", ""))
    except ValueError:
        raise _invalid(kind) from None
    if not math.isfinite(x):
        raise _invalid(kind)
    return x


def generalize_age(value: str, band: int, top: int | None = 90) -> str:
    """``37`` → ``30-39`` (band 10); ages at or above ``top`` become ``90+`` (HIPAA)."""
    age = _number(value, "age")
    if age < 0:
        raise _invalid("age")
    years = int(age)
    if top is not None and years >= top:
        return f"{top}+"
    if band <= 1:
        return str(years)
    lo = years // band * band
    hi = lo + band - 1
    if top is not None:
        hi = min(hi, top - 1)
    return f"{lo}-{hi}"


def generalize_number(value: str, width: float) -> str:
    """Bucket of ``width``: ``1234`` → ``1000-1999`` (width 1000, whole numbers), otherwise a
    half-open interval such as ``[1.5, 2.0)``."""
    x = _number(value, "number")
    lo = math.floor(x / width) * width
    if float(width).is_integer() and x.is_integer():
        lo_i, w = int(lo), int(width)
        return f"{lo_i}-{lo_i + w - 1}" if w > 1 else str(lo_i)
    return f"[{lo:g}, {lo + width:g})"
