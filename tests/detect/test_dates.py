"""Dates and times: spans, calendar validation, hard negatives, DATE_OF_BIRTH promotion."""

from __future__ import annotations

import pytest

from dataward.detect import Engine, Finding
from dataward.detect.detectors.dates import DateDetector, TimeDetector

BACKENDS = ("hyperscan", "re")


_ENGINES: dict[str, Engine] = {}


def _run(text: str, backend: str, language: str | None = None) -> list[Finding]:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine([DateDetector(), TimeDetector()], backend=backend)
    return _ENGINES[backend].detect(text, language=language)


def _spans(text: str, language: str | None = None) -> list[tuple[str, str]]:
    results = {b: _run(text, b, language) for b in BACKENDS}
    assert results["hyperscan"] == results["re"]
    return [(f.entity, text[f.start : f.end]) for f in results["re"]]


HITS = [
    # ISO 8601
    ("created 2021-03-04 by ops", "2021-03-04"),
    ("ts=2021-03-04T14:56:41Z", "2021-03-04T14:56:41Z"),
    ("at 2021-03-04T14:56:41.123+01:00 sharp", "2021-03-04T14:56:41.123+01:00"),
    ("log 2021-03-04 14:56:41 started", "2021-03-04 14:56:41"),
    ("stamp 20210304T145641Z end", "20210304T145641Z"),
    ("dir 2021/03/04 moved", "2021/03/04"),
    # numeric, both orders, 2- and 4-digit years, attached times
    ("paid on 03/04/2021 in full", "03/04/2021"),
    ("due 12/31/2021.", "12/31/2021"),
    ("am 31.12.2021 geschlossen", "31.12.2021"),
    ("le 31-12-2021 fermé", "31-12-2021"),
    ("visit 3/4/2021 2:30 PM confirmed", "3/4/2021 2:30 PM"),
    ("am 03.04.2021, 14:30 Uhr", "03.04.2021, 14:30 Uhr"),
    ("shipped 03/04/21 ok", "03/04/21"),
    ("leap day 29/02/2020", "29/02/2020"),
    # English
    ("Signed on March 3, 2021 by", "March 3, 2021"),
    ("on the 3rd of March 2021 we", "3rd of March 2021"),
    ("Mar. 3rd, 2021", "Mar. 3rd, 2021"),
    ("Monday, March 3, 2021 at 2:30 PM", "Monday, March 3, 2021 at 2:30 PM"),
    ("Sun, 03 Mar 2021 14:56:41 +0000", "Sun, 03 Mar 2021 14:56:41 +0000"),
    ("since 03-MAR-21 active", "03-MAR-21"),
    ("in March 2021 we met", "March 2021"),
    ("see you on March 3 then", "March 3"),
    # German
    ("Termin am 3. März 2021 um 14:30 Uhr", "3. März 2021 um 14:30 Uhr"),
    ("MÄRZ 2021 Bericht", "MÄRZ 2021"),
    ("Montag, 3. Mai 2021", "Montag, 3. Mai 2021"),
    ("zum 1. Dez. 2019 gekündigt", "1. Dez. 2019"),
    # French
    ("le 3 mars 2021 à 14h30", "3 mars 2021 à 14h30"),
    ("le 1er février 2020", "1er février 2020"),
    ("lundi 16 déc. 2019", "lundi 16 déc. 2019"),
    ("en août 2020", "août 2020"),
    # Spanish
    ("el 3 de marzo de 2021", "3 de marzo de 2021"),
    ("el sábado 3 de abril del 2021", "sábado 3 de abril del 2021"),
    ("en diciembre de 2020", "diciembre de 2020"),
    # Italian
    ("il 3 marzo 2021 alle 14:30", "3 marzo 2021 alle 14:30"),
    ("lunedì 1° giugno 2020", "lunedì 1° giugno 2020"),
    ("dal 12 settembre 2019", "12 settembre 2019"),
]


@pytest.mark.parametrize(("text", "expected"), HITS)
def test_date_hits_with_exact_spans(text: str, expected: str) -> None:
    assert _spans(text) == [("DATE_TIME", expected)]


NEAR_MISSES = [
    "server 192.168.10.10 is down",
    "IP 10.10.10.10",
    "version 1.2.21 released",
    "Python 3.11.10",
    "pi is 3.14 and 2.71",
    "three quarters: 3/4 of them",
    "final score 12-10",
    "call 555-123-4567",
    "call 030 12.34.56.78",
    "phone +49 30 1234567",
    "31/02/2021 is no day",
    "29/02/2021 is no day",
    "2021-13-01 bad month",
    "2021-02-30 bad day",
    "45/12/2021",
    "room 2021",
    "order 20210304",
    "14:30",
    "you may 3 times try",
    "30 March 2021x",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_date_near_misses(text: str) -> None:
    assert _spans(text) == []


DOB = [
    ("Born March 3, 1950 in Ohio", "March 3, 1950"),
    ("DOB: 03/04/1950", "03/04/1950"),
    ("date of birth 1950-03-04", "1950-03-04"),
    ("Geburtsdatum: 03.04.1985", "03.04.1985"),
    ("geboren am 3. März 1950", "3. März 1950"),
    ("né le 3 mars 1950 à Lyon", "3 mars 1950"),
    ("date de naissance : 03/04/1950", "03/04/1950"),
    ("fecha de nacimiento: 3 de marzo de 1950", "3 de marzo de 1950"),
    ("nacido el 03/04/1950", "03/04/1950"),
    ("nata il 3 marzo 1950", "3 marzo 1950"),
    ("data di nascita 03.04.1950", "03.04.1950"),
]


@pytest.mark.parametrize(("text", "expected"), DOB)
def test_birth_words_promote_to_date_of_birth(text: str, expected: str) -> None:
    assert _spans(text) == [("DATE_OF_BIRTH", expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meet at 14:30 today", "14:30"),
        ("call me at 2:30 PM", "2:30 PM"),
        ("Treffen um 14 Uhr", "14 Uhr"),
        ("rendez-vous à 14h30", "14h30"),
        ("la cita es a las 14:30 hoy", "14:30"),
        ("riunione alle ore 14:30", "14:30"),
        ("born in 1950 in Ohio", "1950"),
        ("Datum: 20210304", "20210304"),
        ("expiry date 03/2025", "03/2025"),
    ],
)
def test_weak_forms_need_context(text: str, expected: str) -> None:
    found = _spans(text)
    assert [value for _, value in found] == [expected]


@pytest.mark.parametrize(
    "text", ["MAC 00:11:22:33:44:55", "ratio 16:9", "the score was 21:15", "lap time 1:02:33.4 vs"]
)
def test_time_near_misses(text: str) -> None:
    assert _spans(text) == []


def test_time_detector_is_beaten_by_the_enclosing_date() -> None:
    assert _spans("on 2021-03-04 14:56:41 at noon") == [("DATE_TIME", "2021-03-04 14:56:41")]


def test_scores_rank_formats() -> None:
    iso = _run("2021-03-04", "re")[0].score
    written = _run("March 3, 2021", "re")[0].score
    numeric2 = _run("see 03/04/21", "re")[0].score
    assert written >= iso > numeric2 >= 0.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_language_selects_birth_words(backend: str) -> None:
    en = "The patient was born on 03/04/1950 and is doing well."
    de = "Der Patient ist am 03.04.1950 geboren und es geht ihm gut."
    assert [f.entity for f in _run(en, backend)] == ["DATE_OF_BIRTH"]
    assert [f.entity for f in _run(en, backend, language="de")] == ["DATE_TIME"]
    assert [f.entity for f in _run(de, backend)] == ["DATE_OF_BIRTH"]
    assert [f.entity for f in _run(de, backend, language="de")] == ["DATE_OF_BIRTH"]
    assert [f.entity for f in _run(de, backend, language="en")] == ["DATE_TIME"]
    # month names do not depend on the language: a German month in English text is found
    assert [f.entity for f in _run("the report of 3. März 2021 is here", backend, "en")] == [
        "DATE_TIME"
    ]


def test_explanation_names_the_promotion() -> None:
    f = Engine([DateDetector()], backend="re").detect("DOB: 03/04/1950", explain=True)[0]
    assert f.explanation is not None
    assert f.explanation.validator == "calendar-date"
    assert any("DATE_OF_BIRTH" in n for n in f.explanation.notes)


RELATIVE = [
    ("see you last Tuesday at the office", "last Tuesday"),
    ("that was 3 weeks ago", "3 weeks ago"),
    ("it happened a few days ago", "a few days ago"),
    ("we moved there two years earlier", "two years earlier"),
    ("results for Q3 2024 are in", "Q3 2024"),
    ("the FY2024 budget", "FY2024"),
    ("rent is due on the 5th", "the 5th"),
    ("can we meet on Friday", "Friday"),
    ("NEXT MONTH WE CLOSE", "NEXT MONTH"),
    ("I will call back in two days", "in two days"),
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_and_partial_dates(text: str, expected: str) -> None:
    assert _spans(text) == [("DATE_TIME", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "the 5th floor",
        "Friday is my favourite day",
        "one week",
        "5 years after the war",
        "THIS MAY BE RELATED TO THE DRUG",
    ],
)
def test_relative_date_near_misses(text: str) -> None:
    """Each near miss stands beside a relative date that is found."""
    assert _spans(f"{text}; paid last Friday") == [("DATE_TIME", "last Friday")]


@pytest.mark.parametrize(
    ("text", "expected"), [("alarm set for 9am", "9am"), ("shift ends 7 PM", "7 PM")]
)
def test_hours_with_am_pm_are_times(text: str, expected: str) -> None:
    assert _spans(text) == [("DATE_TIME", expected)]
