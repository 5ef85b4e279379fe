"""Ages: the number next to age words in five languages, range 0–125, durations rejected."""

from __future__ import annotations

import pytest

from dataward.detect import Engine, Finding
from dataward.detect.detectors.age import AgeDetector

BACKENDS = ("hyperscan", "re")
_ENGINES: dict[str, Engine] = {}


def _run(text: str, backend: str, language: str | None = None) -> list[Finding]:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine([AgeDetector()], backend=backend)
    return _ENGINES[backend].detect(text, language=language)


def _values(text: str, language: str | None = None) -> list[str]:
    results = {b: _run(text, b, language) for b in BACKENDS}
    assert results["hyperscan"] == results["re"]
    assert all(f.entity == "AGE" for f in results["re"])
    return [text[f.start : f.end] for f in results["re"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 42 years old man", "42"),
        ("a 42-year-old woman", "42"),
        ("He is 42 yrs. old", "42"),
        ("6-month-old infant", "6"),
        ("patient 42 y/o", "42"),
        ("42yo male", "42"),
        ("aged 42, smoker", "42"),
        ("at the age of 42 he", "42"),
        ("Age: 42", "42"),
        ("she is 42 years of age", "42"),
        ("im Alter von 42 Jahren", "42"),
        ("Er ist 42 Jahre alt", "42"),
        ("eine 42-jährige Patientin", "42"),
        ("Alter: 42", "42"),
        ("âgé de 42 ans", "42"),
        ("Âgée de 7 ans", "7"),
        ("Il a 42 ans", "42"),
        ("l'âge de 42 ans", "42"),
        ("tiene 42 años", "42"),
        ("42 años de edad", "42"),
        ("edad: 42", "42"),
        ("ha 42 anni", "42"),
        ("all'età di 42 anni", "42"),
        ("42 anni di età", "42"),
        ("età: 42", "42"),
        ("male patient, 42 years", "42"),
    ],
)
def test_age_hits(text: str, expected: str) -> None:
    assert _values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "for 5 years",
        "5 years ago",
        "vor 5 Jahren",
        "il y a 5 ans",
        "hace 5 años",
        "5 anni fa",
        "200 years old",
        "aged 130",
        "page 42",
        "stage 42",
        "usage: 42",
        "a 42 page report",
        "the 2021 season",
    ],
)
def test_age_near_misses(text: str) -> None:
    assert _values(text) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_language_picks_context_words(backend: str) -> None:
    text = "Die Frau, 42 Jahre, kam gestern in die Klinik."
    assert [f.entity for f in _run(text, backend)] == ["AGE"]
    assert [f.entity for f in _run(text, backend, language="de")] == ["AGE"]
    assert _run(text, backend, language="en") == []


def test_boundaries_of_range() -> None:
    assert _values("aged 0") == ["0"]
    assert _values("aged 125") == ["125"]
    assert _values("aged 126") == []
