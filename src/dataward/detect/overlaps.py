"""Overlapping findings: the best one wins, and no character a finding covered is dropped.

:func:`resolve` keeps the best of overlapping findings (a detector that is not a model first,
then the higher score, the longer span, the earlier start). A finding that loses keeps the parts
of its span that no winner covers: a model's "address" over ``Amit Martinez, DOB 1936-02-27``
loses the date to the date detector, and ``Amit Martinez`` is still reported. For a pattern's
finding only parts that hold a digit are kept: a regex match cut in two is no match, but its
digits are still the value. With the text, each remainder is trimmed of spaces and punctuation
at its ends and dropped when nothing but a form label or a filler word is left (``SSN``,
``DOB``, ``the``).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Collection

from dataward.detect.model import Explanation, Finding

_TRIM = " \t\r\n,;:.-–—/|()[]{}\"'"
_FILLER = frozenset({"a", "an", "the", "of", "on", "at", "in", "to", "by", "for", "and", "or"})
"""Words that are left over alone carry nothing (``the`` of ``the 3rd`` beside ``3rd of March``)."""
_MIN_REST = 2
"""A remainder shorter than this (after trimming) is not reported."""


def resolve(
    findings: list[Finding], secondary: Collection[str] = frozenset(), text: str | None = None
) -> list[Finding]:
    """Non-overlapping findings sorted by start, as the module docstring says."""
    if len(findings) <= 1:
        return findings
    ranked = sorted(
        findings,
        key=lambda f: (f.detector in secondary, -f.score, -(f.end - f.start), f.start, f.entity),
    )
    starts: list[int] = []
    kept: list[Finding] = []
    losers: list[Finding] = []
    for f in ranked:
        if _clashes(starts, kept, f.start, f.end):
            losers.append(f)
            continue
        i = bisect.bisect_right(starts, f.start)
        starts.insert(i, f.start)
        kept.insert(i, f)
    for f in losers:
        for start, end in _uncovered(starts, kept, f.start, f.end):
            start, end = _trim(text, start, end)
            if end - start < _MIN_REST or _label_only(text, start, end):
                continue
            if f.detector not in secondary and _no_digit(text, start, end):
                continue  # "avr" of "avr '84": a pattern's letters alone match nothing
            if f.entity == "STREET_ADDRESS" and not _address_rest(text, start, end):
                continue  # "<STREET_ADDRESS" beside the card that won: one word is no address
            if _clashes(starts, kept, start, end):
                continue
            i = bisect.bisect_right(starts, start)
            starts.insert(i, start)
            kept.insert(i, _rest(f, start, end))
    return kept


def _clashes(starts: list[int], kept: list[Finding], start: int, end: int) -> bool:
    i = bisect.bisect_right(starts, start)
    if i > 0 and kept[i - 1].end > start:
        return True
    return i < len(kept) and kept[i].start < end


def _uncovered(
    starts: list[int], kept: list[Finding], start: int, end: int
) -> list[tuple[int, int]]:
    """The stretches of ``[start, end)`` that no kept finding covers."""
    out: list[tuple[int, int]] = []
    i = max(0, bisect.bisect_right(starts, start) - 1)
    pos = start
    while i < len(kept) and kept[i].start < end:
        k = kept[i]
        if k.end > pos:
            if k.start > pos:
                out.append((pos, k.start))
            pos = max(pos, k.end)
        i += 1
    if pos < end:
        out.append((pos, end))
    return out


def _trim(text: str | None, start: int, end: int) -> tuple[int, int]:
    if text is None:
        return start, end
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _no_digit(text: str | None, start: int, end: int) -> bool:
    return text is not None and not any(ch.isdigit() for ch in text[start:end])


def _address_rest(text: str | None, start: int, end: int) -> bool:
    if text is None:
        return True
    from dataward.detect.ner.rules import address_text_plausible

    return address_text_plausible(text[start:end])


def _label_only(text: str | None, start: int, end: int) -> bool:
    if text is None:
        return False
    from dataward.detect.ner.rules import is_label

    return all(
        is_label(w.strip(_TRIM)) or w.strip(_TRIM).lower() in _FILLER
        for w in text[start:end].split()
    )


def _rest(f: Finding, start: int, end: int) -> Finding:
    why = f.explanation or Explanation(pattern=None, base_score=f.score)
    notes = (*why.notes, "remainder after an overlap")
    return dataclasses.replace(
        f, start=start, end=end, explanation=dataclasses.replace(why, notes=notes)
    )
